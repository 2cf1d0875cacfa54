import ArgumentParser

struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "TODO")
    func run() async throws { throw ExitCode(2) }
}
