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
