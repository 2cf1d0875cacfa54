import Foundation

/// The `v5.channel.k8s.io` remote-command protocol over WebSocket, as the API server (≥ 1.30)
/// speaks it to kubectl: every data message is one binary message whose first byte is the stream
/// (apimachinery `pkg/util/remotecommand/constants.go`: stdin 0, stdout 1, stderr 2, error 3,
/// resize 4, close 255) and whose rest is the payload (`pkg/util/httpstream/wsstream/conn.go`).
/// The error stream carries a bare `metav1.Status` (no kind) and ends when the server closes the
/// WebSocket with code 1000 (apiserver `pkg/util/proxy/streamtranslator.go`).
public enum ExecChannel: UInt8, Sendable {
    case stdin = 0, stdout = 1, stderr = 2, error = 3, resize = 4, close = 255
}

/// Collects one exec session's streams, bounded, and decodes its outcome.
struct ExecStreams: Sendable {
    enum ProtocolError: Error, Equatable, CustomStringConvertible {
        case textMessage
        var description: String { "the API server sent a text message on a v5.channel.k8s.io exec stream (only binary messages are allowed)" }
    }

    let limit: Int
    private(set) var stdout = Data()
    private(set) var stderr = Data()
    private(set) var status = Data()
    /// Output beyond `limit` was dropped.
    private(set) var truncated = false

    init(limit: Int) { self.limit = limit }

    /// Takes one message. client-go's reader treats a text message as fatal and ignores unknown
    /// stream ids, including the server's never-sent 255 (`tools/remotecommand/websocket.go`).
    mutating func take(_ message: Data, isText: Bool) throws {
        if isText { throw ProtocolError.textMessage }
        guard let first = message.first, let channel = ExecChannel(rawValue: first) else { return }
        let payload = message.dropFirst()
        switch channel {
        case .stdout: Self.append(payload, to: &stdout, limit: limit, truncated: &truncated)
        case .stderr: Self.append(payload, to: &stderr, limit: limit, truncated: &truncated)
        case .error: Self.append(payload, to: &status, limit: limit, truncated: &truncated)
        case .stdin, .resize, .close: break
        }
    }

    /// Stops collecting once the output is larger than asked: the caller then closes the stream.
    var isFull: Bool { stdout.count >= limit }

    private static func append(_ payload: Data, to buffer: inout Data, limit: Int, truncated: inout Bool) {
        let room = max(0, limit - buffer.count)
        if payload.count > room { truncated = true }
        buffer.append(payload.prefix(room))
    }

    /// The command's outcome from the error stream: empty or `Success` is exit 0; a
    /// `NonZeroExitCode` failure carries the code in its `ExitCode` cause; any other failure (the
    /// runtime could not start the command: an `InternalError`) has no exit code, only its message
    /// (client-go `tools/remotecommand/v4.go` `errorDecoderV4`).
    func outcome() -> ExecResult.Outcome {
        let text = String(decoding: status, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .exited(0) }
        guard let decoded = try? JSONDecoder().decode(ChannelStatus.self, from: Data(text.utf8)) else {
            return .failed(message: "the exec error stream held no Status: \(text.prefix(200))")
        }
        if decoded.status == "Success" { return .exited(0) }
        if decoded.reason == "NonZeroExitCode",
           let code = decoded.details?.causes?.first(where: { $0.reason == "ExitCode" })?.message.flatMap({ Int($0) }) {
            return .exited(code)
        }
        return .failed(message: decoded.message ?? "the command failed (\(decoded.reason ?? "no reason given"))")
    }

    private struct ChannelStatus: Decodable {
        struct Details: Decodable {
            struct Cause: Decodable { var reason: String?; var message: String? }
            var causes: [Cause]?
        }
        var status: String?
        var message: String?
        var reason: String?
        var details: Details?
    }
}

/// What a command run in a container through `pods/exec` produced.
public struct ExecResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The command ran and exited with this code.
        case exited(Int)
        /// The command could not run (the runtime's message, e.g. `executable file not found in $PATH`).
        case failed(message: String)
    }

    public var command: [String]
    public var stdout: Data
    public var stderr: Data
    public var outcome: Outcome
    /// Output beyond the limit asked for was dropped.
    public var truncated: Bool

    public var succeeded: Bool { outcome == .exited(0) }

    /// The runtime did not find the program (containerd/runc: `exec: "cat": executable file not
    /// found in $PATH`; a shell: exit 127 `not found`; exit 126: found but not executable).
    public var programMissing: Bool {
        switch outcome {
        case .exited(let code): return code == 126 || code == 127
        case .failed(let message): return message.contains("executable file not found") || message.contains("no such file or directory")
        }
    }

    /// One line: exit code or failure, and the first line of stderr.
    public var summary: String {
        let error = String(decoding: stderr.prefix(300), as: UTF8.self)
            .split(separator: "\n").first.map { ": \($0)" } ?? ""
        switch outcome {
        case .exited(let code): return "`\(command.joined(separator: " "))` exited with \(code)\(error)"
        case .failed(let message): return "`\(command.joined(separator: " "))` could not run: \(message)"
        }
    }
}
