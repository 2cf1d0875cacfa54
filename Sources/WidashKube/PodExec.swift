import Foundation
import WidashHTTP

/// Why a `pods/exec` session did not produce a result (API errors before the upgrade are
/// `KubeAPIError`s, as for every other request).
public enum PodExecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server upgraded without choosing `v5.channel.k8s.io` (API servers before 1.30 speak
    /// only older or SPDY protocols, which widash does not).
    case protocolNotAccepted(offered: String, chosen: String?)
    /// The session took longer than allowed; the stream was closed.
    case timedOut(command: String, seconds: Int)
    /// The stream broke before the server closed it normally.
    case streamFailed(command: String, detail: String)

    public var description: String {
        switch self {
        case .protocolNotAccepted(let offered, let chosen):
            return "the API server did not accept \(offered) for pods/exec (it chose \(chosen.map { "\"\($0)\"" } ?? "no protocol")): "
                + "exec over WebSocket needs Kubernetes 1.30 or later"
        case .timedOut(let command, let seconds):
            return "`\(command)` gave no complete answer within \(seconds) s (pods/exec); the session was closed"
        case .streamFailed(let command, let detail):
            return "the pods/exec stream of `\(command)` broke: \(detail)"
        }
    }
}

extension KubeClient {
    /// The only remote-command protocol widash speaks; kubectl ≥ 1.30 offers only this one over
    /// WebSocket (client-go `tools/remotecommand/websocket.go` `NewWebSocketExecutor`).
    public static let execSubprotocol = "v5.channel.k8s.io"

    /// Runs `command` in a container, without stdin or a TTY, through the `pods/exec` subresource
    /// over WebSocket: `GET …/pods/POD/exec?command=…&container=…&stdout=true&stderr=true`
    /// upgraded with `v5.channel.k8s.io` (what kubectl sends). Refused before any request when the
    /// client is read-only: exec is the most powerful thing widash can do in a cluster. Output is
    /// kept up to `outputLimit` bytes per stream; the whole session gets `timeout`.
    /// RBAC: `get pods/exec` for the WebSocket GET on 1.30–1.34, `create pods/exec` from 1.35
    /// (AuthorizePodWebsocketUpgradeCreatePermission) and for kubectl's SPDY fallback.
    public func exec(namespace: String, pod: String, container: String?, command: [String],
                     outputLimit: Int = 256 * 1024, timeout: Duration = .seconds(15)) async throws -> ExecResult {
        let commandLine = command.joined(separator: " ")
        guard !readOnly else {
            throw KubeClientError.readOnly(action: "run `\(commandLine)` in pod \(namespace)/\(pod) (pods/exec)")
        }
        var query = command.map { "command=\(queryEscape($0))" }
        if let container { query.append("container=\(queryEscape(container))") }
        query += ["stdout=true", "stderr=true"]
        let path = "/api/v1/namespaces/\(namespace)/pods/\(pod)/exec?" + query.joined(separator: "&")
        let (transport, request) = try await prepare(method: "GET", path: path, body: nil,
                                                     timeouts: HTTPTimeouts(connect: min(timeout, .seconds(10)), total: timeout))
        let connection: any WebSocketConnection
        do {
            connection = try await transport.webSocket(request, protocols: [Self.execSubprotocol])
        } catch let refused as WebSocketUpgradeRefused {
            let response = refused.response
            throw apiError(status: response.status, headers: response.headers, body: response.body, method: "GET", path: path)
        }
        guard connection.subprotocol == Self.execSubprotocol else {
            await connection.close(code: 1002, reason: "v5.channel.k8s.io required")
            throw PodExecError.protocolNotAccepted(offered: Self.execSubprotocol, chosen: connection.subprotocol)
        }
        logger.debug("exec \(namespace)/\(pod)\(container.map { " -c \($0)" } ?? ""): \(command.first ?? "")")
        let streams: ExecStreams
        do {
            streams = try await Self.collect(from: connection, limit: outputLimit, timeout: timeout, command: commandLine)
        } catch {
            await connection.close(code: 1000, reason: "")
            throw error
        }
        await connection.close(code: 1000, reason: "")
        return ExecResult(command: command, stdout: streams.stdout, stderr: streams.stderr, outcome: streams.outcome(),
                          truncated: streams.truncated)
    }

    /// Reads messages until the server closes the session (after the status) or the output is full.
    private static func collect(from connection: any WebSocketConnection, limit: Int, timeout: Duration,
                                command: String) async throws -> ExecStreams {
        try await withThrowingTaskGroup(of: ExecStreams?.self) { group in
            group.addTask {
                var streams = ExecStreams(limit: limit)
                do {
                    while !streams.isFull, let message = try await connection.receive() {
                        switch message {
                        case .binary(let data): try streams.take(data, isText: false)
                        case .text(let text): try streams.take(Data(text.utf8), isText: true)
                        }
                    }
                } catch let error as ExecStreams.ProtocolError {
                    throw PodExecError.streamFailed(command: command, detail: error.description)
                } catch is CancellationError {
                    return nil
                } catch {
                    throw PodExecError.streamFailed(command: command, detail: "\(error)")
                }
                return streams
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let streams = next { return streams }
                break  // the timer (or a cancelled read) came first
            }
            throw PodExecError.timedOut(command: command, seconds: Int(timeout.components.seconds))
        }
    }
}
