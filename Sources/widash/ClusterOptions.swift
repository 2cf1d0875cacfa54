import ArgumentParser
import WidashSandbox

extension DemoOperator: ExpressibleByArgument {}

/// Options every cluster-facing command shares, named as kubectl names them.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use (default: current-context).")
    var context: String?

    @Option(name: [.short, .long], help: "Only this namespace.")
    var namespace: String?

    @Flag(name: [.customShort("A"), .long], help: "All namespaces.")
    var allNamespaces = false

    @Option(help: ArgumentHelp("Reach a cloud API host elsewhere, as curl's --connect-to: HOST:PORT:ADDRESS:PORT (repeatable; also $WIDASH_CONNECT_TO, comma-separated). URL, Host header and TLS name stay the real ones.",
                               valueName: "mapping"))
    var connectTo: [String] = []

    @Flag(help: "Run against the embedded demo sandbox instead of a real cluster.")
    var demo = false

    @Option(help: ArgumentHelp("With --demo: whose cloud credentials widash uses: full (reads everything), or limited (refused the "
                               + "federated-credential, role-assignment, IAM and EKS reads, as an under-privileged operator is).",
                               valueName: "full|limited"))
    var demoOperator: DemoOperator = .full

    @Option(help: ArgumentHelp("With --demo: faults for the sandbox's Kubernetes API, e.g. latency=50ms,error-rate=0.2,cut-watch=5s,for=1m.",
                               discussion: FaultSpec.help, valueName: "spec"))
    var faults: String?

    @Option(help: "EKS cluster name, for EKS Pod Identity associations (default: $WIDASH_EKS_CLUSTER, else the kubeconfig's EKS cluster).")
    var eksCluster: String?

    @Flag(help: "Forbid TokenRequests and token exchanges (read-only).")
    var readonly = false

    @Option(help: "Write logs to this file (nothing is logged to the terminal).")
    var logFile: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"
}
