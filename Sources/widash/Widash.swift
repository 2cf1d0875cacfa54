import ArgumentParser
import Foundation
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
        var code: Int32 = 0
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // What ArgumentParser's exit(withError:) prints: help to stdout, errors to stderr.
            code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if !message.isEmpty {
                (code == 0 ? FileHandle.standardOutput : FileHandle.standardError).write(Data((message + "\n").utf8))
            }
        }
        leave(code)
    }

    /// Ends the process without running atexit handlers or destructors. Every path out of every
    /// command comes here: an embedded sandbox's NIO objects or the dashboard's watch streams on
    /// libcurl threads would otherwise be torn down under running threads (OpenSSL's atexit
    /// cleanup, NIO's "deinit without finish" trap), a crash at random after the work was done.
    /// Output is written unbuffered (FileHandle) or flushed here; logs are written unbuffered.
    static func leave(_ code: Int32) -> Never {
        fflush(nil)
        _exit(code)
    }
}
