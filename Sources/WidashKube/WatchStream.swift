import Foundation
import WidashCore
import WidashHTTP
import WidashKubeJSON

/// One event of a watch stream.
public enum WatchEvent<T: Sendable>: Sendable {
    /// The server accepted the watch (HTTP 2xx); events follow. Not part of the wire format.
    case opened
    case added(T)
    case modified(T)
    case deleted(T)
    /// The server's progress marker: resume from here, no object changed.
    case bookmark(resourceVersion: String)
    /// An ERROR event: the Status says why (410 Gone means: list again).
    case error(KubeStatus)
}

extension WatchEvent: Equatable where T: Equatable {}

/// Splits a watch body into lines (one JSON event per line) whatever the chunk boundaries are.
public struct WatchLineSplitter: Sendable {
    private var buffer: [UInt8] = []
    /// Guards against a server that never sends a newline.
    public var maxLineBytes: Int

    public init(maxLineBytes: Int = 64 << 20) { self.maxLineBytes = maxLineBytes }

    public struct LineTooLong: Error, Sendable {}

    /// Adds a chunk and returns the complete, non-empty lines it finished.
    public mutating func append(_ chunk: Data) throws -> [Data] {
        var lines: [Data] = []
        // Only the new bytes can contain the next newline.
        let searchFrom = buffer.count
        buffer.append(contentsOf: chunk)
        let consumed = buffer.withUnsafeBufferPointer { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            var start = 0
            var position = searchFrom
            while position < bytes.count, let hit = memchr(base + position, 0x0A, bytes.count - position) {
                let newline = base.distance(to: UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)))
                let line = UnsafeBufferPointer(rebasing: bytes[start..<newline])
                if Self.hasContent(line) { lines.append(Data(buffer: line)) }
                start = newline + 1
                position = start
            }
            return start
        }
        buffer.removeFirst(consumed)
        if buffer.count > maxLineBytes { throw LineTooLong() }
        return lines
    }

    /// The unterminated last line at the end of the stream, if any.
    public mutating func finish() -> Data? {
        defer { buffer = [] }
        return buffer.withUnsafeBufferPointer(Self.hasContent) ? Data(buffer) : nil
    }

    private static func hasContent(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.contains { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
    }
}

/// Decodes one watch line, `{"type": "...", "object": {...}}`.
public enum WatchEventDecoder {
    private struct Envelope<T: Decodable & Sendable>: Decodable {
        struct BookmarkObject: Decodable {
            struct Meta: Decodable { var resourceVersion: String? }
            var metadata: Meta?
        }
        var event: WatchEvent<T>?

        enum CodingKeys: String, CodingKey { case type, object }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            switch try container.decode(String.self, forKey: .type) {
            case "ADDED": event = .added(try container.decode(T.self, forKey: .object))
            case "MODIFIED": event = .modified(try container.decode(T.self, forKey: .object))
            case "DELETED": event = .deleted(try container.decode(T.self, forKey: .object))
            case "BOOKMARK":
                let object = try container.decode(BookmarkObject.self, forKey: .object)
                event = .bookmark(resourceVersion: object.metadata?.resourceVersion ?? "")
            case "ERROR": event = .error(try container.decode(KubeStatus.self, forKey: .object))
            default: event = nil // a type this client does not know: skip it
            }
        }
    }

    /// The event on this line (JSONDecoder); nil for event types widash does not know.
    public static func decode<T: Decodable & Sendable>(_ line: Data, as type: T.Type = T.self) throws -> WatchEvent<T>? {
        try JSONDecoder().decode(Envelope<T>.self, from: line).event
    }

    /// The event on this line, read with the selective decoder (WidashKubeJSON) for the types it
    /// knows — a watch burst of pod updates is decoded as fast as a list — and JSONDecoder otherwise.
    /// Throws `DecodingError` or `KubeJSONError`.
    public static func decode<T: KubeObject>(_ line: Data, as type: T.Type = T.self, interner: KubeInternTable) throws -> WatchEvent<T>? {
        guard let selective = T.self as? any KubeJSONDecodable.Type else { return try decode(line, as: type) }
        return try selectiveEvent(selective, line, interner: interner, as: type)
    }

    private static func selectiveEvent<U: KubeJSONDecodable, T: KubeObject>(_ selective: U.Type, _ line: Data,
                                                                           interner: KubeInternTable, as: T.Type) throws -> WatchEvent<T>? {
        func object(_ value: U) -> T? { value as? T }
        switch try KubeListDecoder.decodeWatchEvent(line: line, as: U.self, interner: interner) {
        case .added(let value): return object(value).map { .added($0) }
        case .modified(let value): return object(value).map { .modified($0) }
        case .deleted(let value): return object(value).map { .deleted($0) }
        case .bookmark(let version): return .bookmark(resourceVersion: version)
        case .error(let status):
            return .error(KubeStatus(status: status.status, message: status.message, reason: status.reason, code: status.code))
        case .unknown: return nil
        }
    }
}

extension KubeClient {
    /// One watch connection from `resourceVersion` (`?watch=1&allowWatchBookmarks=true`). The stream
    /// ends when the server closes it; an HTTP error status is thrown as `KubeAPIError` (410: relist).
    /// Reconnecting and relisting are `ListWatch`'s job.
    public func watch<T: KubeObject>(_ resource: KubeResource, namespace: String? = nil, resourceVersion: String,
                                     as type: T.Type = T.self) -> AsyncThrowingStream<WatchEvent<T>, Error> {
        let path = pathWithQuery(resource.path(namespace: namespace), [
            ("watch", "1"), ("allowWatchBookmarks", "true"),
            ("resourceVersion", resourceVersion.isEmpty ? nil : resourceVersion),
            ("timeoutSeconds", options.watchTimeoutSeconds > 0 ? String(options.watchTimeoutSeconds) : nil),
        ])
        // No total timeout and no low-speed limit: a quiet watch is healthy; the server ends it.
        let timeouts = HTTPTimeouts(connect: options.timeouts.connect, total: nil, lowSpeedBytes: 0,
                                    lowSpeedTime: options.timeouts.lowSpeedTime)
        let client = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await client.pumpWatch(path: path, timeouts: timeouts, into: continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func pumpWatch<T: KubeObject>(path: String, timeouts: HTTPTimeouts,
                                          into continuation: AsyncThrowingStream<WatchEvent<T>, Error>.Continuation) async throws {
        let stream = try await openStream(path: path, timeouts: timeouts)
        var splitter = WatchLineSplitter()
        var failure: (status: Int, headers: [String: String], body: Data)?
        // One intern table per connection: the objects of a burst share their repeated strings.
        let interner = KubeInternTable()
        func emit(_ line: Data) throws {
            do {
                if let event = try WatchEventDecoder.decode(line, as: T.self, interner: interner) { continuation.yield(event) }
            } catch let error as DecodingError {
                throw KubeClientError.decoding(path: path, detail: "watch event: " + Self.summary(error))
            } catch let error as KubeJSONError {
                throw KubeClientError.decoding(path: path, detail: "watch event: \(error)")
            }
        }
        for try await event in stream {
            switch event {
            case .head(let status, let headers):
                if (200..<300).contains(status) {
                    continuation.yield(.opened)
                } else {
                    failure = (status, headers, Data())
                }
            case .body(let chunk):
                if failure != nil {
                    failure?.body.append(chunk.prefix(64 * 1024))
                    continue
                }
                for line in try splitter.append(chunk) { try emit(line) }
            }
        }
        if let failure {
            if failure.status == 401 { _ = await credentials.invalidate() }
            throw apiError(status: failure.status, headers: failure.headers, body: failure.body, method: "GET", path: path)
        }
        // An unterminated last line is usually an event cut off with the connection: it is sent again
        // after the reconnect from the last resourceVersion, so a broken one is dropped.
        if let last = splitter.finish() {
            do { try emit(last) } catch { logger.debug("GET \(path): dropped a truncated last watch line") }
        }
    }
}
