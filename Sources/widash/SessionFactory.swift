import ArgumentParser
import Foundation
import WidashHTTP
import WidashKube
import WidashSandbox
import WidashSandboxAWS
import WidashSandboxKit
import WidashService
import WidashTUI

/// Builds a `ClusterSession` from the command line: a kubeconfig context, or `--demo`, which starts
/// the embedded sandbox and then takes exactly the same path (kubeconfig → libcurl → TLS) as a
/// real cluster. The only demo-specific inputs are data: the sandbox's kubeconfig (kept in memory,
/// it holds a token), its CA, the CONNECT_TO map for the real cloud host names, and the sandbox's
/// documented demo operator credentials.
struct SessionFactory {
    let options: ClusterOptions
    var eksClusterName: String?
    var stepTimeoutSeconds: Int = 20

    /// A started session; keep `sandbox` alive as long as the session is used.
    struct Started {
        var session: ClusterSession
        var sandbox: SandboxServer?
        /// The `namespace` to list: nil for all namespaces.
        var namespace: String?
    }

    /// `--readonly`, or `readOnly: true` in the config file (a bad config file is a usage error).
    var readOnly: Bool {
        get throws {
            if options.readonly { return true }
            do {
                return try WidashConfig.load().readOnly ?? false
            } catch {
                throw ValidationError("\(error)")
            }
        }
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
        let environment = ProcessInfo.processInfo.environment
        let readOnly = try self.readOnly
        let transportFactory: HTTPTransportFactory = { CurlTransport(options: $0) }
        let faults = try faultSpec
        if options.demo {
            let sandbox = try await SandboxServer.start(SandboxOptions(faults: faults), services: EmulatedClouds.services)
            let session = try demoSession(sandbox)
            return Started(session: session, sandbox: sandbox,
                           namespace: namespace(session.configuration.kube, defaultAll: defaultAllNamespaces))
        }
        let kube = try KubeConfigLoader().load(KubeConfigOptions(
            kubeconfigPath: options.kubeconfig, context: options.context, namespace: options.namespace))
        let session = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: transportFactory, cloudEnvironment: environment, readOnly: readOnly,
            eksClusterName: eksClusterName ?? environment["WIDASH_EKS_CLUSTER"],
            stepTimeout: .seconds(stepTimeoutSeconds)))
        return Started(session: session, sandbox: nil, namespace: namespace(kube, defaultAll: defaultAllNamespaces))
    }

    /// A session on a running demo sandbox (for `options.context`, e.g. its viewer context).
    func demoSession(_ sandbox: SandboxServer) throws -> ClusterSession {
        let readOnly = try self.readOnly
        let kube = try resolveInMemory(Data(sandbox.kubeconfigYAML().utf8))
        let cloud = HTTPClientOptions(tls: TLSOptions(caPEM: Data(sandbox.info.caPEM.utf8)), connectTo: sandbox.info.connectTo)
        return ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudHTTP: cloud,
            cloudEnvironment: DemoOperator.environment(base: ProcessInfo.processInfo.environment), readOnly: readOnly,
            eksClusterName: eksClusterName ?? DemoDirectory.eksClusterName, stepTimeout: .seconds(stepTimeoutSeconds)))
    }

    private func namespace(_ kube: ResolvedKubeConfig, defaultAll: Bool) -> String? {
        if options.allNamespaces { return nil }
        if let ns = options.namespace { return ns }
        return defaultAll ? nil : kube.namespace
    }

    private func resolveInMemory(_ yaml: Data) throws -> ResolvedKubeConfig {
        guard let file = try KubeConfigLoader.parse(yaml, path: "<demo sandbox>") else {
            throw KubeConfigError.noConfiguration(searched: ["<demo sandbox>"])
        }
        let merged = MergedKubeConfig(config: file, sources: ["<demo sandbox>"])
        return try KubeConfigLoader().resolve(merged, options: KubeConfigOptions(
            kubeconfigPath: nil, context: options.context, namespace: options.namespace))
    }
}

/// The sandbox's documented demo operator credentials, given to the cloud clients exactly as an
/// operator's own environment would give real ones. The user's own cloud variables are dropped so
/// the demo never sends real credentials anywhere.
enum DemoOperator {
    static func environment(base: [String: String]) -> [String: String] {
        var env = base.filter { !$0.key.hasPrefix("AWS_") && !$0.key.hasPrefix("AZURE_") }
        env["AWS_ACCESS_KEY_ID"] = AWSCredentialStore.operatorAccessKeyID
        env["AWS_SECRET_ACCESS_KEY"] = AWSCredentialStore.operatorSecretAccessKey
        env["AWS_REGION"] = DemoDirectory.awsRegion
        env["AWS_CONFIG_FILE"] = "/dev/null"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        env["AZURE_SUBSCRIPTION_ID"] = DemoDirectory.subscriptionID
        env["AZURE_TENANT_ID"] = DemoDirectory.tenantID
        env["AZURE_CLIENT_ID"] = DemoDirectory.operatorClientID
        env["AZURE_CLIENT_SECRET"] = DemoDirectory.operatorClientSecret
        return env
    }
}
