import Foundation
import WidashSandboxKit

/// `pods/exec` as a Kubernetes 1.32 API server serves it to kubectl ≥ 1.30: a GET upgraded to a
/// WebSocket with the subprotocol `v5.channel.k8s.io`, which the API server terminates itself
/// (k8s.io/apiserver pkg/util/proxy/translatinghandler.go, streamtranslator.go, websocket.go: "WebSocket
/// server only supports remote command version 5"). The container is emulated: the sandbox runs
/// no processes; `ExecCommands` answers from the pod's projected volumes as the kubelet last wrote
/// them (KubeletTokenFiles.swift).
///
/// Wire (k8s.io/apimachinery pkg/util/remotecommand/constants.go, pkg/util/httpstream/wsstream/conn.go):
/// every message is one binary frame, `[stream id] + payload`; ids stdin 0, stdout 1, stderr 2,
/// status 3, resize 4, close 255 (`[255, id]`: the client closed that stream, e.g. stdin at EOF).
/// The server first sends one empty message on the lowest writable stream (apiserver
/// pkg/util/proxy/websocket.go: "Send an empty message to the lowest writable channel"), then the
/// output, then the `metav1.Status` JSON on stream 3, then Close 1000 (golang.org/x/net websocket's
/// `defaultCloseStatus`; kubectl treats any other close code as an error: client-go
/// tools/remotecommand/websocket.go `CloseNormalClosure`).
extension KubeAPI {
    static let remoteCommandV5 = "v5.channel.k8s.io"

    enum ExecStream: UInt8 {
        case stdin = 0, stdout = 1, stderr = 2, status = 3, resize = 4, close = 255
    }

    /// `PodExecOptions` from the query (k8s.io/api core/v1: `command` once per argument, `container`,
    /// `stdin`, `stdout`, `stderr`, `tty`; flags parsed as Go's strconv.ParseBool).
    struct ExecOptions: Sendable, Equatable {
        var command: [String] = []
        var container: String?
        var stdin = false
        var stdout = false
        var stderr = false
        var tty = false

        init(rawQuery: String) {
            func flag(_ value: String) -> Bool { ["1", "t", "T", "true", "TRUE", "True"].contains(value) }
            for pair in rawQuery.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ text: Substring) -> String {
                    String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
                }
                let key = decode(parts[0])
                let value = parts.count > 1 ? decode(parts[1]) : ""
                switch key {
                case "command": command.append(value)
                case "container": container = value.isEmpty ? nil : value
                case "stdin": stdin = flag(value)
                case "stdout": stdout = flag(value)
                case "stderr": stderr = flag(value)
                case "tty": tty = flag(value)
                default: break
                }
            }
        }
    }

    /// An accepted exec: what to run and the container's files at the moment of the request.
    struct ExecPlan: Sendable {
        var options: ExecOptions
        var container: String
        var fileSystem: ContainerFileSystem
        var time: Date
    }

    /// `(namespace, pod)` of `/api/v1/namespaces/NS/pods/NAME/exec`.
    static func execTarget(_ path: String) -> (namespace: String, pod: String)? {
        let segments = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        guard segments.count == 7, segments[0] == "api", segments[1] == "v1", segments[2] == "namespaces",
              segments[4] == "pods", segments[6] == "exec" else { return nil }
        return (segments[3], segments[5])
    }

    /// The WebSocket upgrade of an exec GET: authenticated, authorized and validated before the
    /// 101, as the API server does; a refusal is an ordinary HTTP response with a `Status` body.
    func webSocketUpgrade(_ request: SandboxRequest) async -> WebSocketUpgradeDecision {
        guard request.method == "GET", let target = Self.execTarget(request.path) else { return .notHandled }
        countRequest(request)
        if let decision = faults.decide() {
            if let latency = decision.latency { try? await Task.sleep(for: latency) }
            if let code = decision.errorCode {
                return .refuse(.complete(KubeStatus.injected(code: code, retryAfter: decision.retryAfterSeconds).response))
            }
        }
        do {
            guard let token = request.bearerToken, let user = users[token] else { throw KubeStatus.unauthorized }
            let plan = try await prepareExec(request, user: user, namespace: target.namespace, name: target.pod)
            let offered = (request.headers["sec-websocket-protocol"] ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard offered.contains(Self.remoteCommandV5) else {
                throw KubeStatus.badRequest("the widash sandbox serves pods/exec over WebSocket with the subprotocol \(Self.remoteCommandV5) only (offered: \(offered.isEmpty ? "none" : offered.joined(separator: ", "))); kubectl ≥ 1.30 offers it")
            }
            return .accept(WebSocketAcceptance(subprotocol: Self.remoteCommandV5) { connection in
                await Self.runExec(plan, on: connection)
            })
        } catch let status as KubeStatus {
            return .refuse(.complete(status.response))
        } catch {
            return .refuse(.complete(KubeStatus(code: 500, reason: "InternalError", message: "Internal error occurred: \(error)").response))
        }
    }

    /// An exec request that did not upgrade to a WebSocket: the same checks, then the answer the
    /// API server's upgrade-aware proxy gives (k8s.io/apimachinery pkg/util/proxy/upgradeaware.go:
    /// `if h.UpgradeRequired { h.Responder.Error(w, req, errors.NewBadRequest("Upgrade request required"))`).
    /// kubectl falls back to SPDY (POST, `Upgrade: SPDY/3.1`) when the WebSocket upgrade fails
    /// (client-go tools/remotecommand/fallback.go); the sandbox does not speak SPDY and says so,
    /// after the same RBAC check (a denied user sees the real 403 of the POST).
    func execWithoutUpgrade(_ request: SandboxRequest, user: KubeUser, namespace: String, name: String) async throws -> SandboxResponse {
        _ = try await prepareExec(request, user: user, namespace: namespace, name: name)
        if (request.headers["upgrade"] ?? "").lowercased().contains("spdy") {
            throw KubeStatus.badRequest("the widash sandbox serves pods/exec over WebSocket (\(Self.remoteCommandV5)) only, not over SPDY: use kubectl ≥ 1.30 without KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false")
        }
        throw KubeStatus.badRequest("Upgrade request required")
    }

    /// RBAC, the pod, the container and the options, in the API server's order; then the
    /// container's files as the kubelet has written them by now.
    func prepareExec(_ request: SandboxRequest, user: KubeUser, namespace: String, name: String) async throws -> ExecPlan {
        // The verb comes from the method (k8s.io/apiserver pkg/endpoints/request/requestinfo.go:
        // GET → get, POST → create): in 1.32 the WebSocket GET needs `get` on pods/exec and kubectl's
        // SPDY fallback POST `create` (1.35 adds a `create` check for the GET too:
        // AuthorizePodWebsocketUpgradeCreatePermission, kubernetes/kubernetes#134577).
        let verb = request.method == "POST" ? "create" : "get"
        guard user.allows(verb: verb, resource: "pods/exec", group: "", namespace: namespace) else {
            throw KubeStatus.forbidden(user: user.name, verb: verb, resource: "pods/exec", group: "", name: name, namespace: namespace)
        }
        guard let entry = await store.get(.pods, namespace: namespace, name: name) else { throw KubeStatus.notFound(.pods, name) }
        let pod: PodFacts
        do {
            pod = try JSONDecoder().decode(PodFacts.self, from: entry.json)
        } catch {
            throw KubeStatus(code: 500, reason: "InternalError", message: "Internal error occurred: the stored pod \(namespace)/\(name) does not decode: \(error)")
        }
        let options = ExecOptions(rawQuery: request.rawQuery)
        // kubernetes/kubernetes pkg/registry/core/pod/strategy.go `streamLocation`.
        let containers = pod.spec.containers + (pod.spec.initContainers ?? [])
        let containerName: String
        if let requested = options.container {
            guard containers.contains(where: { $0.name == requested }) else {
                throw KubeStatus.badRequest("container \(requested) is not valid for pod \(name)")
            }
            containerName = requested
        } else if pod.spec.containers.count == 1 {
            containerName = pod.spec.containers[0].name
        } else {
            var message = "a container name must be specified for pod \(name), choose one of: [\(pod.spec.containers.map(\.name).joined(separator: " "))]"
            if let inits = pod.spec.initContainers, !inits.isEmpty {
                message += " or one of the init containers: [\(inits.map(\.name).joined(separator: " "))]"
            }
            throw KubeStatus.badRequest(message)
        }
        guard let nodeName = pod.spec.nodeName, !nodeName.isEmpty else {
            throw KubeStatus.badRequest("pod \(name) does not have a host assigned")
        }
        // remotecommand options (kubelet pkg/cri/streaming/remotecommand/httpstream.go `NewOptions`).
        guard options.stdin || options.stdout || options.stderr else {
            throw KubeStatus.badRequest("you must specify at least 1 of stdin, stdout, stderr")
        }
        guard !options.command.isEmpty else {
            throw KubeStatus.badRequest("you must specify at least one command for the container")
        }

        let volumes = try await kubeletVolumes(of: pod, namespace: namespace)
        var fileSystem = ContainerFileSystem()
        for mount in containers.first(where: { $0.name == containerName })?.volumeMounts ?? [] {
            if let written = volumes.volumes[mount.name] { fileSystem.mount(written, at: mount.mountPath) }
        }
        return ExecPlan(options: options, container: containerName, fileSystem: fileSystem, time: now())
    }

    /// Runs the emulated command on an upgraded connection (v5 framing; see the type's comment).
    static func runExec(_ plan: ExecPlan, on connection: ServedWebSocket) async {
        let options = plan.options
        let first: ExecStream = options.stdout ? .stdout : (options.stderr && !options.tty ? .stderr : .status)
        try? await connection.send(Data([first.rawValue]))
        var stdin = Data()
        if options.stdin, readsStdin(options.command) {
            // Until the client's stream-close signal for stdin ([255, 0]: client-go websocket.go
            // `stream.Close()`), or the connection's end.
            for await message in connection.messages {
                guard let id = message.first else { continue }
                if id == ExecStream.stdin.rawValue {
                    stdin.append(message.dropFirst())
                } else if id == ExecStream.close.rawValue, message.count == 2, message[message.startIndex + 1] == ExecStream.stdin.rawValue {
                    break
                }
            }
        }
        let outcome = ExecCommands.run(options.command, in: plan.fileSystem, now: plan.time, stdin: stdin)
        // With a TTY the process has one output, the terminal (stderr goes to stdout).
        let stdout = options.tty ? outcome.stdout + outcome.stderr : outcome.stdout
        if options.stdout { await sendChunked(stdout, on: .stdout, connection) }
        if options.stderr, !options.tty { await sendChunked(outcome.stderr, on: .stderr, connection) }
        try? await connection.send(Data([ExecStream.status.rawValue]) + execStatusJSON(outcome.ending))
    }

    private static func sendChunked(_ data: Data, on stream: ExecStream, _ connection: ServedWebSocket) async {
        var offset = data.startIndex
        while offset < data.endIndex {
            let end = data.index(offset, offsetBy: 32 * 1024, limitedBy: data.endIndex) ?? data.endIndex
            try? await connection.send(Data([stream.rawValue]) + data[offset..<end])
            offset = end
        }
    }

    /// Only `cat` and `head` without files (or with `-`) read their standard input.
    static func readsStdin(_ command: [String]) -> Bool {
        guard let program = command.first.map({ String($0.split(separator: "/").last ?? "") }), ["cat", "head"].contains(program) else {
            return false
        }
        var operands: [String] = []
        var skipNext = false
        for argument in command.dropFirst() {
            if skipNext { skipNext = false; continue }
            if program == "head", argument == "-c" || argument == "-n" { skipNext = true; continue }
            if argument.hasPrefix("-"), argument != "-" { continue }
            operands.append(argument)
        }
        return operands.isEmpty || operands.contains("-")
    }

    /// The `metav1.Status` on stream 3, byte for byte as the 1.32 API server's stream translator
    /// writes it (`json.Marshal(status.Status())`: no kind/apiVersion, `metadata` always present;
    /// field order metadata, status, message, reason, details, code; StatusCause.Type is `reason`):
    /// - exit 0: `{"metadata":{},"status":"Success"}` (streamtranslator.go:138-142);
    /// - exit N: reason NonZeroExitCode, cause ExitCode "N", message "command terminated with non-zero
    ///   exit code: command terminated with exit code N" (streamtranslator.go:163-179 wrapping
    ///   client-go's CodeExitError), which kubectl turns into exit status N (client-go v4.go:82-118);
    /// - a process that could not start (containerd 1.7 + runc): the kubelet's InternalError
    ///   "error executing command in container: …" (kubelet pkg/cri/streaming/remotecommand/exec.go:70-73),
    ///   wrapped once more as InternalError by the translator (streamtranslator.go:131-133), code 500;
    ///   kubectl prints `error: <message>` and exits 1.
    static func execStatusJSON(_ ending: ExecOutcome.Ending) -> Data {
        switch ending {
        case .exited(0):
            return Data(#"{"metadata":{},"status":"Success"}"#.utf8)
        case .exited(let code):
            let message = "command terminated with non-zero exit code: command terminated with exit code \(code)"
            return Data(#"{"metadata":{},"status":"Failure","message":\#(goJSONString(message)),"reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":\#(goJSONString(String(code)))}]}}"#.utf8)
        case .startFailed(let reason):
            // containerd's exec id: 32 random bytes in hex (pkg/cri/util GenerateID).
            let execID = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            let kubelet = "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"\(execID)\": OCI runtime exec failed: exec failed: unable to start container process: \(reason): unknown"
            let message = "Internal error occurred: " + kubelet
            return Data(#"{"metadata":{},"status":"Failure","message":\#(goJSONString(message)),"reason":"InternalError","details":{"causes":[{"message":\#(goJSONString(kubelet))}]},"code":500}"#.utf8)
        }
    }

    /// A JSON string as Go's encoding/json writes it (HTML-safe: <, >, & escaped; `/` not).
    static func goJSONString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
