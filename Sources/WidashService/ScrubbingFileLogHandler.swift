import Foundation
import Logging
import Synchronization
import WidashCore

/// A swift-log handler that appends to a file and scrubs anything token- or key-shaped from every
/// message and metadata value before it is written (defence in depth: callers already never log
/// secrets). widash never logs to the terminal: without `--log-file` logging is off.
public struct ScrubbingFileLogHandler: LogHandler {
    private let sink: Sink
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String

    final class Sink: Sendable {
        private let handle: Mutex<FileHandle>
        init(_ handle: FileHandle) { self.handle = Mutex(handle) }
        func write(_ line: String) { handle.withLock { $0.write(Data(line.utf8)) } }
    }

    /// Opens (creating or appending to) `path`; throws a message naming the path when it cannot.
    public static func open(path: String) throws -> @Sendable (String, Logger.Level) -> ScrubbingFileLogHandler {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            guard manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw LogFileError(path: path)
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw LogFileError(path: path) }
        handle.seekToEndOfFile()
        let sink = Sink(handle)
        return { label, level in ScrubbingFileLogHandler(sink: sink, logLevel: level, label: label) }
    }

    private init(sink: Sink, logLevel: Logger.Level, label: String) {
        self.sink = sink
        self.logLevel = logLevel
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = ISO8601DateFormatter().string(from: Date())
        let line = "\(time) \(event.level) \(label): \(event.message)\(meta)"
        sink.write(TokenRedaction.scrub(line) + "\n")
    }
}

public struct LogFileError: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "cannot open log file \(path) for writing: check the folder exists and is writable" }
}
