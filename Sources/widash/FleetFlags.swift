import ArgumentParser
import Foundation
import WidashCore
import WidashHTTP
import WidashService

/// The options of the commands that can read every context at once (`identities`, `doctor`).
struct FleetFlags: ParsableArguments {
    @Flag(help: "Every context of the kubeconfig at once (the merged KUBECONFIG list), one row per context.")
    var allContexts = false

    @Option(help: ArgumentHelp("With --all-contexts: only the contexts whose name matches this regular expression (anywhere in the name; anchor with ^…$).",
                               valueName: "regex"))
    var contexts: String?

    @Option(help: ArgumentHelp("With --all-contexts: time to connect to and list one cluster, e.g. 15s, 500ms or 20 (seconds).", valueName: "duration"))
    var clusterTimeout: String = "15s"

    @Option(help: ArgumentHelp("With --all-contexts: clusters read at the same time.", valueName: "n"))
    var maxInFlight: Int = 4

    /// Checks the combination with the cluster options; true when the fleet is asked for.
    func validate(with cluster: ClusterOptions) throws -> Bool {
        guard allContexts else {
            if contexts != nil { throw ValidationError("--contexts selects among all contexts: add --all-contexts") }
            return false
        }
        if cluster.context != nil {
            throw ValidationError("--all-contexts reads every context: leave out --context, or pick contexts with --contexts REGEX")
        }
        if cluster.eksCluster != nil {
            throw ValidationError("--eks-cluster names one cluster; with --all-contexts each context finds its own EKS cluster from its kubeconfig")
        }
        guard maxInFlight >= 1 else { throw ValidationError("--max-in-flight must be at least 1") }
        _ = try timeout()
        return true
    }

    func timeout() throws -> Duration {
        let text = clusterTimeout.trimmingCharacters(in: .whitespaces).lowercased()
        let (number, scale): (Substring, Double) = text.hasSuffix("ms") ? (text.dropLast(2), 0.001)
            : text.hasSuffix("s") ? (text.dropLast(), 1) : text.hasSuffix("m") ? (text.dropLast(), 60) : (Substring(text), 1)
        guard let value = Double(number), value > 0, value.isFinite else {
            throw ValidationError("--cluster-timeout must be a positive duration such as 15s, 500ms or 2m; got '\(clusterTimeout)'")
        }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }
}

/// Builds the fleet for a command: every context of the kubeconfig (or the demo sandbox's, which
/// stays in memory), each session made as `SessionFactory` makes a single one.
enum FleetLauncher {
    static func start(_ cluster: ClusterOptions, _ flags: FleetFlags, auditTrust: Bool) async throws -> FleetSession {
        let factory = try SessionFactory.forCommand(cluster)
        let options = FleetOptions(contextPattern: flags.contexts, maxInFlight: flags.maxInFlight, clusterTimeout: try flags.timeout(),
                                   auditTrust: auditTrust, namespace: cluster.allNamespaces ? nil : cluster.namespace)
        if cluster.demo {
            // The demo's single-session start brings the sandbox up and decides its cloud wiring;
            // the fleet then takes every context of the sandbox's in-memory kubeconfig.
            let started = try await factory.start()
            guard let sandbox = started.sandbox else { throw ValidationError("--demo did not start its sandbox") }
            return try FleetSession(kubeconfig: .inMemory(yaml: Data(sandbox.kubeconfigYAML().utf8), origin: "<demo sandbox>"),
                                    options: options, template: SessionTemplate(started.session.configuration))
        }
        _ = try factory.faultSpec  // --faults without --demo is a usage error
        if cluster.demoOperator != .full {
            throw ValidationError("--demo-operator works only with --demo (it picks one of the embedded sandbox's demo operators)")
        }
        let environment = ProcessInfo.processInfo.environment
        let template = SessionTemplate(
            transportFactory: { CurlTransport(options: $0) },
            cloudHTTP: try SessionInputs.cloudHTTP(connectTo: cluster.connectTo, environment: environment),
            cloudEnvironment: environment, readOnly: factory.readOnly, eksClusterName: environment["WIDASH_EKS_CLUSTER"],
            gcpWorkloadPool: environment["WIDASH_GKE_WORKLOAD_POOL"], stepTimeout: .seconds(factory.stepTimeoutSeconds))
        return try FleetSession(kubeconfig: .files(explicitPath: cluster.kubeconfig), options: options, template: template)
    }
}

/// What `--fail-on` can name: a trust verdict, or an error-level finding.
enum FailOnCondition: String, ExpressibleByArgument, CaseIterable {
    case mismatch, unknown, error

    var trustState: TrustVerdict.State? {
        switch self {
        case .mismatch: return .mismatch
        case .unknown: return .unknown
        case .error: return nil
        }
    }
}
