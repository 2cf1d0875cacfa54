import Foundation

/// A whole WebSocket message (fragments already joined, RFC 6455 §5.4).
public enum WebSocketMessage: Sendable, Equatable {
    case binary(Data)
    /// Valid UTF-8 by construction (§5.6; a received text message that is not is refused with 1007).
    case text(String)
}

/// An open WebSocket (RFC 6455), as `HTTPTransport.webSocket` returns it.
///
/// Pings are answered with pongs automatically (§5.5.2) and a Close from the server is echoed (§5.5.1).
/// Cancelling a task that waits in `send` or `receive` aborts the connection (no Close frame; the
/// server sees 1006), as dropping the last reference to it does.
public protocol WebSocketConnection: Sendable {
    /// The subprotocol the server chose (`Sec-WebSocket-Protocol`, §4.1); nil when it chose none,
    /// which the caller decides about (Kubernetes exec refuses it, as kubectl does).
    var subprotocol: String? { get }
    /// Sends one message as one frame; returns once libcurl took all its bytes.
    /// Throws `WebSocketError.notOpen` after a close, or the error that ended the connection.
    func send(_ message: WebSocketMessage) async throws
    /// The next message; nil once the connection closed cleanly: the server closed with 1000, or
    /// answered (or dropped the connection after) our own `close`. Throws
    /// `WebSocketError.closedByPeer` for any other close code (1006 when the connection dropped
    /// without a Close frame), `WebSocketError.protocolViolation`, or an `HTTPError` (`.timeout`,
    /// `.cancelled`, transport failures). Messages that arrived before the end are returned first.
    func receive() async throws -> WebSocketMessage?
    /// Starts the closing handshake with `code` and `reason` (§7.1.2) and waits, briefly and bounded,
    /// for the server's Close; then the connection is gone. Does nothing when already closed.
    func close(code: UInt16, reason: String) async
}

/// The server answered the upgrade with something other than 101: the status, headers and (bounded)
/// body, so a Kubernetes client can decode the `Status` (403 forbidden, 404 pod not found, 400 …).
public struct WebSocketUpgradeRefused: Error, Sendable, CustomStringConvertible {
    public var url: String
    public var response: HTTPResponse

    public init(url: String, response: HTTPResponse) {
        self.url = url
        self.response = response
    }

    public var description: String {
        let body = String(decoding: response.body.prefix(200), as: UTF8.self)
            .replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return "\(url) refused the WebSocket upgrade with HTTP \(response.status)"
            + (body.isEmpty ? "" : ": \(body)") + "; check the URL, the permissions and that the server supports WebSockets"
    }
}

/// Close status codes (RFC 6455 §7.4.1) widash sends or checks for.
public enum WebSocketCloseCode {
    public static let normal: UInt16 = 1000
    public static let goingAway: UInt16 = 1001
    public static let protocolError: UInt16 = 1002
    public static let unsupportedData: UInt16 = 1003
    /// Reported (never sent, §7.4.1) when a Close frame carried no code.
    public static let noStatus: UInt16 = 1005
    /// Reported (never sent) when the connection dropped without a Close frame.
    public static let abnormal: UInt16 = 1006
    public static let invalidPayload: UInt16 = 1007
    public static let policyViolation: UInt16 = 1008
    public static let messageTooBig: UInt16 = 1009
    public static let internalError: UInt16 = 1011

    /// Whether a peer may send `code` in a Close frame (§7.4.1, §7.4.2 and the IANA registry of §11.7:
    /// 1000–1003 and 1007–1014 are defined for the wire, 3000–4999 are for libraries and applications;
    /// 1004–1006 and 1015 must never be sent, the rest is reserved).
    public static func isValidOnWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }

    /// A short name for messages.
    public static func name(_ code: UInt16) -> String {
        switch code {
        case 1000: return "normal closure"
        case 1001: return "going away"
        case 1002: return "protocol error"
        case 1003: return "unsupported data"
        case 1005: return "no status code"
        case 1006: return "connection dropped without a Close frame"
        case 1007: return "invalid payload data"
        case 1008: return "policy violation"
        case 1009: return "message too big"
        case 1010: return "mandatory extension"
        case 1011: return "internal server error"
        case 1012: return "service restart"
        case 1013: return "try again later"
        case 1014: return "bad gateway"
        default: return "code \(code)"
        }
    }
}

/// WebSocket failures, each with what failed and what to do next.
public enum WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The transport cannot open WebSockets (test fakes and transports other than `CurlTransport`).
    case unsupported(transport: String)
    /// The server answered 101 but broke the opening handshake (§4.1): wrong `Upgrade`, `Connection`
    /// or `Sec-WebSocket-Accept`, a subprotocol or extension that was not offered, a malformed head.
    case handshakeFailed(url: String, detail: String)
    /// The peer broke the framing rules; widash closed with `closeCode` (1002, 1007 or 1009, §7.4.1).
    case protocolViolation(closeCode: UInt16, detail: String)
    /// The server closed with a code other than 1000 (1005: no code given; 1006: no Close frame at all).
    case closedByPeer(code: UInt16, reason: String)
    /// `send` after the connection was closed by either side.
    case notOpen

    public var description: String {
        switch self {
        case .unsupported(let transport):
            return "\(transport) cannot open WebSocket connections: use CurlTransport"
        case .handshakeFailed(let url, let detail):
            return "WebSocket handshake with \(url) failed: \(detail); is something between widash and the server (a proxy) rewriting the upgrade?"
        case .protocolViolation(let code, let detail):
            return "the WebSocket peer broke RFC 6455 (\(detail)); widash closed the connection with \(code) (\(WebSocketCloseCode.name(code)))"
        case .closedByPeer(let code, let reason):
            let why = reason.isEmpty ? "" : ": \(reason.prefix(200))"
            return "the server closed the WebSocket with \(code) (\(WebSocketCloseCode.name(code)))\(why); retry, or check the server's logs"
        case .notOpen:
            return "the WebSocket is already closed: open a new connection"
        }
    }
}

extension HTTPTransport {
    /// Transports without WebSocket support (every test fake) refuse clearly instead of failing to compile.
    public func webSocket(_ request: HTTPRequest, protocols: [String]) async throws -> any WebSocketConnection {
        throw WebSocketError.unsupported(transport: String(describing: type(of: self)))
    }
}
