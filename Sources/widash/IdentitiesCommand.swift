import ArgumentParser

struct IdentitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "identities", abstract: "TODO")
    func run() async throws { throw ExitCode(2) }
}
