import ArgumentParser
import WidashHTTP

/// The `widash` command. With no subcommand it opens the dashboard.
@main
struct Widash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "widash",
        abstract: "A terminal dashboard for Kubernetes workload identity (Azure, AWS, GCP).",
        subcommands: [DashboardCommand.self, IdentitiesCommand.self, TraceCommand.self, TokenCommand.self,
                      DoctorCommand.self, SandboxCommand.self],
        defaultSubcommand: DashboardCommand.self
    )

    static func main() async {
        // libcurl's global state must be set up once, before any thread starts.
        WidashHTTPRuntime.initialize()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

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

    @Flag(help: "Run against the embedded demo sandbox instead of a real cluster.")
    var demo = false

    @Flag(help: "Forbid TokenRequests and token exchanges (read-only).")
    var readonly = false

    @Option(help: "Write logs to this file (nothing is logged to the terminal).")
    var logFile: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"
}
