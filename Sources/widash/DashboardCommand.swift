import ArgumentParser

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dashboard", abstract: "Open the dashboard (default).")
    func run() async throws { throw ExitCode(2) }
}
