import Crypto
import Foundation

/// The opening handshake of RFC 6455 §4 on the client side, as pure functions: the request head, and
/// the checks of the server's answer (§4.1, "the client MUST validate the server's response").
struct WebSocketHandshake: Sendable {
    /// §1.3: the GUID appended to the key before hashing.
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// The largest response head accepted (a real one is a few hundred bytes).
    static let maxHeadBytes = 64 * 1024

    /// `Sec-WebSocket-Key`: 16 random bytes, base64 (§4.1: "randomly selected ... for each connection").
    let key: String
    let protocols: [String]

    init(protocols: [String], key: String = WebSocketHandshake.randomKey()) {
        self.protocols = protocols
        self.key = key
    }

    static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    /// §4.2.2 step 5.4: base64 of the SHA-1 of key + GUID. (SHA-1 is what the RFC fixes; it proves the
    /// server understood the handshake, it is no security property.)
    static func accept(for key: String) -> String {
        Data(Insecure.SHA1.hash(data: Data((key + guid).utf8))).base64EncodedString()
    }

    /// A subprotocol must be an HTTP token (§4.1 point 10, RFC 2616 §2.2).
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            byte > 32 && byte < 127 && !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
        }
    }

    /// Header names the handshake sets itself; the caller's own copies are dropped.
    static let ownHeaders: Set<String> = ["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
                                          "sec-websocket-protocol", "sec-websocket-extensions", "expect", "content-length",
                                          "transfer-encoding"]

    /// The HTTP/1.1 upgrade request (§4.1): always GET, and HTTP/1.1 (RFC 8441's HTTP/2 form is not
    /// what Kubernetes speaks). `headers` are the caller's (Authorization, …), already validated
    /// against header injection by `CurlRequestPlan`.
    func requestHead(target: String, host: String, userAgent: String, headers: [(name: String, value: String)]) -> Data {
        var lines = ["GET \(target) HTTP/1.1", "Host: \(host)"]
        if !headers.contains(where: { $0.name.lowercased() == "user-agent" }) { lines.append("User-Agent: \(userAgent)") }
        lines += ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: \(key)", "Sec-WebSocket-Version: 13"]
        if !protocols.isEmpty { lines.append("Sec-WebSocket-Protocol: \(protocols.joined(separator: ", "))") }
        for (name, value) in headers where !Self.ownHeaders.contains(name.lowercased()) {
            lines.append("\(name): \(value)")
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    enum Validation: Equatable {
        case accepted(subprotocol: String?)
        case rejected(String)
    }

    /// The server's 101 checked per §4.1 ("the client MUST _Fail the WebSocket Connection_" when
    /// one of these fails); accepted with the chosen subprotocol.
    func validate(_ head: HTTPHead) -> Validation {
        guard head.status == 101 else { return .rejected("status \(head.status)") }
        guard head.tokens("upgrade").contains("websocket") else {
            return .rejected("the 101 response has no \"Upgrade: websocket\" (got \"\(head.value("upgrade") ?? "")\")")
        }
        guard head.tokens("connection").contains("upgrade") else {
            return .rejected("the 101 response has no \"Connection: Upgrade\" (got \"\(head.value("connection") ?? "")\")")
        }
        guard let accept = head.value("sec-websocket-accept"), accept == Self.accept(for: key) else {
            return .rejected("Sec-WebSocket-Accept is missing or does not match the key sent")
        }
        if let extensions = head.value("sec-websocket-extensions"), !extensions.isEmpty {
            return .rejected("the server chose the extension \"\(extensions.prefix(80))\" that widash did not offer")
        }
        guard let chosen = head.value("sec-websocket-protocol"), !chosen.isEmpty else { return .accepted(subprotocol: nil) }
        guard protocols.contains(chosen) else {
            return .rejected("the server chose the subprotocol \"\(chosen.prefix(80))\", not one offered (\(protocols.joined(separator: ", ")))")
        }
        return .accepted(subprotocol: chosen)
    }
}

/// A parsed HTTP/1.x response head.
struct HTTPHead: Sendable, Equatable {
    var version: String
    var status: Int
    /// In order; names lower-cased.
    var fields: [(name: String, value: String)]

    static func == (lhs: HTTPHead, rhs: HTTPHead) -> Bool {
        lhs.version == rhs.version && lhs.status == rhs.status
            && lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    /// The last value of a header (as `HTTPResponse.headers` keeps it).
    func value(_ name: String) -> String? { fields.last { $0.name == name }?.value }

    /// The comma-separated tokens of every occurrence of a header, lower-cased (`Connection: keep-alive, Upgrade`).
    func tokens(_ name: String) -> [String] {
        fields.filter { $0.name == name }.flatMap { $0.value.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    var headers: [String: String] {
        var result: [String: String] = [:]
        for field in fields { result[field.name] = field.value }
        return result
    }

    enum ParseResult: Equatable {
        case needMore
        /// The head and the number of bytes it took (the rest is body, or frames after a 101).
        case head(HTTPHead, consumed: Int)
        case invalid(String)
    }

    /// Parses a head from the start of `bytes` (RFC 9112 §2.1, §4, §5).
    static func parse(_ bytes: [UInt8]) -> ParseResult {
        guard let end = headEnd(bytes) else {
            return bytes.count > WebSocketHandshake.maxHeadBytes ? .invalid("the response head is larger than 64 KiB") : .needMore
        }
        guard end <= WebSocketHandshake.maxHeadBytes else { return .invalid("the response head is larger than 64 KiB") }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { return .invalid("the response is empty") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]),
              (100...599).contains(status) else {
            return .invalid("the status line is not HTTP/1.x (\"\(statusLine.prefix(60))\")")
        }
        var fields: [(name: String, value: String)] = []
        for line in lines {
            if line.first == " " || line.first == "\t", let last = fields.popLast() {
                fields.append((last.name, last.value + " " + line.trimmingCharacters(in: .whitespaces)))  // obsolete folding
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { return .invalid("a header line has no colon") }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            fields.append((name, line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return .head(HTTPHead(version: String(parts[0]), status: status, fields: fields), consumed: end + 4)
    }

    /// The index of the blank line's "\r\n\r\n", if present.
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// The body of a refused upgrade (RFC 9112 §6.3): by Content-Length, chunked, or until the server closes.
enum RefusalBody {
    enum Outcome: Equatable {
        case needMore
        /// Done: the body (cut at the limit).
        case complete(Data)
    }

    /// Whether `bytes` (everything after the head) hold the whole body; `atEOF` when the server closed.
    static func read(_ bytes: [UInt8], head: HTTPHead, limit: Int, atEOF: Bool) -> Outcome {
        if head.status == 204 || head.status == 304 { return .complete(Data()) }
        if head.tokens("transfer-encoding").last == "chunked" {
            let (body, done) = dechunk(bytes, limit: limit)
            return done || atEOF || body.count >= limit ? .complete(Data(body.prefix(limit))) : .needMore
        }
        if let lengthText = head.value("content-length") {
            let length = Int(lengthText) ?? 0
            let wanted = min(max(0, length), limit)
            return bytes.count >= wanted || atEOF ? .complete(Data(bytes.prefix(wanted))) : .needMore
        }
        return atEOF || bytes.count >= limit ? .complete(Data(bytes.prefix(limit))) : .needMore
    }

    /// Decodes chunks from the start; stops at the last chunk, the limit, or where bytes run out.
    static func dechunk(_ bytes: [UInt8], limit: Int) -> (body: [UInt8], done: Bool) {
        var body: [UInt8] = []
        var index = 0
        while index < bytes.count, body.count < limit {
            guard let lineEnd = crlf(in: bytes, from: index) else { return (body, false) }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self)
                .split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else { return (body, true) }  // malformed: keep what we have
            if size == 0 { return (body, true) }
            let start = lineEnd + 2
            guard bytes.count >= start + size else {
                body.append(contentsOf: bytes[start...].prefix(limit - body.count))
                return (body, false)
            }
            body.append(contentsOf: bytes[start..<(start + size)])
            index = start + size + 2
        }
        return (body, body.count >= limit)
    }

    private static func crlf(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}
