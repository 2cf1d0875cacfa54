import ArgumentParser
import Dispatch
import Foundation
import WidashSandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox", abstract: "Run the embedded sandbox.", subcommands: [SandboxServeCommand.self])
}

/// `widash sandbox serve`: runs the sandbox until SIGINT/SIGTERM and prints one JSON line
/// (`SandboxInfo`) on stdout when it is ready.
struct SandboxServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the sandbox (Kubernetes API and emulated clouds) on loopback until interrupted.",
        discussion: """
        Prints one JSON line when ready: kubeconfig, apiServer, issuer, caFile, caPEM, entraAuthorityHost, \
        awsEndpoint, connectTo. The admin token is only in the kubeconfig.

        --clusters N serves N clusters of the scenario (a scale scenario's sizes are per cluster), each with \
        its own listener, CA, service-account issuer and users, in one kubeconfig with the contexts \
        widash-sandbox-1 … widash-sandbox-N; the JSON line adds `clusters` (context, apiServer, issuer, caPEM \
        of each). The emulated clouds are served by the first cluster and trust its issuer only.

        --faults SPEC: \(FaultSpec.help)
        """)

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one).")
    var listen: String = "127.0.0.1:0"

    @Option(help: "Scenario: demo or scale.")
    var scenario: String = "demo"

    @Option(help: "Scale scenario: number of namespaces.")
    var namespaces: Int = 1000

    @Option(help: "Scale scenario: number of service accounts.")
    var serviceAccounts: Int = 10000

    @Option(help: "Scale scenario: number of pods.")
    var pods: Int = 50000

    @Option(help: "Write the kubeconfig here (default: a temporary directory, reported in the JSON line).")
    var kubeconfigOut: String?

    @Option(help: "Write `export` lines for standard clients (AZURE_AUTHORITY_HOST, AWS_ENDPOINT_URL, CA bundles, …) here.")
    var envOut: String?

    @Option(help: ArgumentHelp("Faults for the Kubernetes API, e.g. latency=200ms,error-rate=0.1,cut-watch=5s,for=1m (keys: \(FaultSpec.keys.joined(separator: ", "))).",
                               valueName: "spec"))
    var faults: String?

    @Option(help: "Number of clusters to serve, each with its own listener, CA, issuer and users.")
    var clusters: Int = 1

    @Flag(help: "Do not let the demo change by itself.")
    var `static` = false

    func run() async throws {
        do {
            try await serve()
        } catch {
            // Usage errors exit 2 with one `widash:` line, like every other command.
            throw fail(error)
        }
    }

    private func serve() async throws {
        let (host, port) = try parseListen(listen)
        guard (1...200).contains(clusters) else {
            throw ValidationError("--clusters must be between 1 and 200, not \(clusters)")
        }
        let scenarioValue: SandboxOptions.Scenario
        switch scenario {
        case "demo": scenarioValue = .demo
        case "scale":
            guard namespaces > 0, serviceAccounts > 0, pods >= 0 else {
                throw ValidationError("--namespaces and --service-accounts must be at least 1 and --pods at least 0")
            }
            scenarioValue = .scale(namespaces: namespaces, serviceAccounts: serviceAccounts, pods: pods)
        default:
            throw ValidationError("unknown scenario '\(scenario)': use demo or scale")
        }
        let faultSpec: FaultSpec?
        do {
            faultSpec = try faults.map { try FaultSpec(parsing: $0) }
        } catch {
            throw ValidationError("--faults: \(error)")
        }
        let directory: String
        if let kubeconfigOut {
            directory = (kubeconfigOut as NSString).deletingLastPathComponent.isEmpty
                ? "." : (kubeconfigOut as NSString).deletingLastPathComponent
        } else {
            directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("widash-sandbox-\(ProcessInfo.processInfo.processIdentifier)")
        }
        let options = SandboxOptions(listenHost: host, port: port, scenario: scenarioValue, isStatic: `static`,
                                     faults: faultSpec, outputDirectory: directory, kubeconfigPath: kubeconfigOut)

        let signals = SignalWaiter()
        let server: SandboxServer
        let info: SandboxInfo
        if clusters == 1 {
            server = try await SandboxServer.start(options, services: EmulatedClouds.services)
            info = server.info
        } else {
            let fleet = try await SandboxFleet.start(clusters: clusters, options, services: EmulatedClouds.services)
            server = fleet.main
            info = fleet.info
        }
        if let envOut {
            do {
                try SandboxServer.write(server.envExports(), to: envOut, mode: 0o600)
            } catch {
                await server.stop()
                throw ValidationError("could not write --env-out \(envOut): \(error)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = String(decoding: try encoder.encode(info), as: UTF8.self)
        // One line, written straight to fd 1 so it is not held in a stdio buffer when stdout is a pipe.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        await signals.wait()
        await server.stop()
    }

    private func parseListen(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen '\(text)' must be HOST:PORT, e.g. 127.0.0.1:8443 (port 0 picks a free one)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}

/// Waits for SIGINT or SIGTERM with dispatch signal sources (the default handlers are ignored so
/// the process can stop the server cleanly and exit 0).
final class SignalWaiter: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let stream: AsyncStream<Void>

    init() {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        self.stream = stream
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            return source
        }
    }

    func wait() async {
        for await _ in stream { break }
        for source in sources { source.cancel() }
    }
}
