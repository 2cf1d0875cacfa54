import ArgumentParser
import Foundation
import WidashKube
import WidashSandbox

/// The size of the sandbox's scale scenario.
struct ScaleOptions: ParsableArguments {
    @Option(help: "Namespaces of the scale scenario.")
    var namespaces = 1_000
    @Option(help: "Service accounts of the scale scenario.")
    var serviceAccounts = 10_000
    @Option(help: "Pods of the scale scenario.")
    var pods = 50_000
}

/// The scale scenario served in this process on loopback, with its kubeconfig and CA written to a
/// private temporary directory (the kubeconfig holds tokens: the directory goes when we are done).
struct ScaleSandbox {
    let server: SandboxServer
    let directory: String
    var kubeconfig: String { directory + "/kubeconfig" }
    var caFile: String { directory + "/ca.pem" }

    /// - Parameter clouds: also serve the emulated clouds (the trust audit's ARM, Graph, IAM, EKS, Google IAM).
    static func start(_ scale: ScaleOptions, clouds: Bool = false) async throws -> ScaleSandbox {
        let directory = NSTemporaryDirectory() + "widash-bench-sandbox-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let start = ProcessStats.monotonicSeconds()
        let server = try await SandboxServer.start(SandboxOptions(
            scenario: .scale(namespaces: scale.namespaces, serviceAccounts: scale.serviceAccounts, pods: scale.pods),
            isStatic: true, outputDirectory: directory), services: clouds ? EmulatedClouds.services : { _ in [] })
        // widash asks for its pod and service-account lists in protobuf: encoded once here, not in
        // the first measured run.
        try await server.encodeProtobufLists()
        print("sandbox: scale scenario \(scale.namespaces) namespaces / \(scale.serviceAccounts) service accounts / "
              + "\(scale.pods) pods at \(server.info.apiServer) (started in \(Format.seconds(ProcessStats.monotonicSeconds() - start)))")
        return ScaleSandbox(server: server, directory: directory)
    }

    /// The admin bearer token from the kubeconfig (for curl; never printed).
    func bearerToken() throws -> String {
        let resolved = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: kubeconfig))
        guard case .token(let token) = resolved.auth else {
            throw BenchError("the sandbox kubeconfig has no bearer token (auth: \(resolved.auth))")
        }
        return token
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the sandbox, runs `body` with it and stops it, whatever `body` does.
    static func with(_ scale: ScaleOptions, clouds: Bool = false, _ body: (ScaleSandbox) async throws -> Void) async throws {
        let sandbox = try await start(scale, clouds: clouds)
        do {
            try await body(sandbox)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}

/// The machine and build a table was measured on (for the README).
enum MachineDescription {
    static var text: String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
        let memory = ProcessInfo.processInfo.physicalMemory
        #if DEBUG
        let build = "debug build"
        #else
        let build = "release build"
        #endif
        return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Format.bytes(Int(memory))) RAM, "
            + "\(ProcessInfo.processInfo.operatingSystemVersionString), \(build)"
    }
}
