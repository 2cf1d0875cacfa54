import ArgumentParser

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doctor", abstract: "TODO")
    func run() async throws { throw ExitCode(2) }
}
