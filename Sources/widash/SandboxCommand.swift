import ArgumentParser

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sandbox", abstract: "Run the embedded sandbox.")
    func run() async throws { throw ExitCode(2) }
}
