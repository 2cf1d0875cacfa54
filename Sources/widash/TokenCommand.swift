import ArgumentParser

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "TODO")
    func run() async throws { throw ExitCode(2) }
}
