import ArgumentParser
import Foundation
import WidashService

/// `widash doctor`: cluster-level checks with pass/warn/fail lines.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the cluster's workload identity setup: issuer discovery and JWKS, webhooks, AWS OIDC provider, legacy components.",
        discussion: "Exit codes: 0 no check failed, 1 a check failed, 2 configuration error, 3 the API server could not be reached.")

    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.short, .long], help: "Output: text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        let results: [DoctorResult]
        do {
            try bootstrapLogging(cluster)
            guard output == .text || output == .json else { throw ValidationError("-o must be text or json") }
            let started = try await SessionFactory.forCommand(cluster).start()
            results = await started.session.doctor()
        } catch {
            throw fail(error)
        }
        if output == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            printOut(String(decoding: try encoder.encode(results), as: UTF8.self))
        } else {
            let width = results.map(\.name.count).max() ?? 0
            for r in results {
                printOut("\(r.status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0))  \(r.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(r.detail)")
            }
        }
        if results.first?.name == "API server", results.first?.status == .fail { throw ExitCode(3) }
        if results.contains(where: { $0.status == .fail }) { throw ExitCode(1) }
    }
}
