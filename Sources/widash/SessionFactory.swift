import ArgumentParser
import Foundation
import Synchronization
import WidashHTTP
import WidashKube
import WidashSandbox
import WidashService

/// Builds a `ClusterSession` from the command line: a kubeconfig context, or `--demo`, which starts
/// the embedded sandbox and then takes exactly the same path (kubeconfig → libcurl → TLS) as a
/// real cluster. The only demo-specific inputs are data: the sandbox's kubeconfig (kept in memory,
/// it holds a token), its CA and host mapping for the cloud APIs, and its documented demo operator
/// credentials.
struct SessionFactory {
    var options: ClusterOptions
    /// `--readonly`, or `readOnly: true` in the config file (the caller reads the file: the CLI
    /// fails on a bad one, the dashboard opens with defaults and shows the error).
    var readOnly: Bool
    var stepTimeoutSeconds: Int = 20

    init(options: ClusterOptions, readOnly: Bool) {
        self.options = options
        self.readOnly = readOnly
    }

    /// A CLI command's factory: `--readonly` or the config file's `readOnly`; a bad config file is a
    /// usage error that names the file and line.
    static func forCommand(_ options: ClusterOptions) throws -> SessionFactory {
        do {
            return SessionFactory(options: options, readOnly: try options.readonly || (WidashConfig.load().readOnly ?? false))
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A started session; keep `sandbox` alive as long as the session is used.
    struct Started {
        var session: ClusterSession
        var sandbox: SandboxServer?
        /// The `namespace` to list: nil for all namespaces.
        var namespace: String?
    }

    /// `--faults`, parsed; only meaningful with `--demo` (a real cluster's faults are its own).
    var faultSpec: FaultSpec? {
        get throws {
            guard let text = options.faults else { return nil }
            guard options.demo else {
                throw ValidationError("--faults works only with --demo (it injects faults into the embedded sandbox); "
                                      + "for a sandbox of your own use `widash sandbox serve --faults SPEC`")
            }
            do {
                return try FaultSpec(parsing: text)
            } catch {
                throw ValidationError("--faults: \(error)")
            }
        }
    }

    func start(defaultAllNamespaces: Bool = true) async throws -> Started {
        let faults = try faultSpec
        if !options.demo && options.demoOperator != .full {
            throw ValidationError("--demo-operator works only with --demo (it picks one of the embedded sandbox's demo operators)")
        }
        if options.demo {
            guard options.connectTo.isEmpty else {
                throw ValidationError("--connect-to does not go with --demo: the demo routes the cloud host names to its sandbox itself")
            }
            // The demo fleet: the demo cluster plus its EKS-like, GKE-like and unreachable contexts;
            // `sandbox` is the demo cluster, whose kubeconfig names them all (SandboxFleet.swift).
            let sandbox = try await SandboxFleet.startDemo(SandboxOptions(faults: faults), services: EmulatedClouds.services).main
            Self.embedded.withLock { $0.append(sandbox) }
            let session = try demoSession(sandbox)
            return Started(session: session, sandbox: sandbox,
                           namespace: namespace(session.configuration.kube, defaultAll: defaultAllNamespaces))
        }
        let environment = ProcessInfo.processInfo.environment
        let kube = try KubeConfigLoader().load(KubeConfigOptions(
            kubeconfigPath: options.kubeconfig, context: options.context, namespace: options.namespace))
        let session = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) },
            cloudHTTP: try SessionInputs.cloudHTTP(connectTo: options.connectTo, environment: environment),
            cloudEnvironment: environment, readOnly: readOnly,
            eksClusterName: options.eksCluster ?? environment["WIDASH_EKS_CLUSTER"],
            gcpWorkloadPool: environment["WIDASH_GKE_WORKLOAD_POOL"], stepTimeout: .seconds(stepTimeoutSeconds)))
        return Started(session: session, sandbox: nil, namespace: namespace(kube, defaultAll: defaultAllNamespaces))
    }

    /// A session on a running demo sandbox (for `options.context`, e.g. its viewer context).
    func demoSession(_ sandbox: SandboxServer) throws -> ClusterSession {
        let kube = try SessionInputs.kubeconfig(yaml: Data(sandbox.kubeconfigYAML().utf8), origin: "<demo sandbox>",
                                                context: options.context, namespace: options.namespace)
        let environment = SandboxServer.operatorEnvironment(base: ProcessInfo.processInfo.environment, operator: options.demoOperator)
        return ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudHTTP: sandbox.cloudHTTPOptions,
            cloudEnvironment: environment, readOnly: readOnly,
            eksClusterName: options.eksCluster ?? environment["WIDASH_EKS_CLUSTER"],
            gcpWorkloadPool: environment["WIDASH_GKE_WORKLOAD_POOL"], stepTimeout: .seconds(stepTimeoutSeconds)))
    }

    /// Every embedded sandbox lives until the process leaves. `Widash.main` ends every command with
    /// `_exit`, so a sandbox is never torn down while the process exits: NIO traps when its objects
    /// are deinitialised in the wrong order (a random SIGILL after `--demo` commands, seen in CI).
    private static let embedded = Mutex<[SandboxServer]>([])

    private func namespace(_ kube: ResolvedKubeConfig, defaultAll: Bool) -> String? {
        if options.allNamespaces { return nil }
        if let ns = options.namespace { return ns }
        return defaultAll ? nil : kube.namespace
    }
}
