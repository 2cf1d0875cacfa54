import ArgumentParser
import Foundation
import WidashService

/// `widash doctor`: cluster-level checks with pass/warn/fail lines; with `--all-contexts`, for
/// every context of the kubeconfig.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the cluster's workload identity setup: issuer discovery and JWKS, webhooks, AWS OIDC provider, legacy components.",
        discussion: "Exit codes: 0 no check failed, 1 a check failed, 2 configuration error, 3 the API server could not be reached "
            + "(with --all-contexts: 1 also when some context's API server could not be reached, 3 when none could).")

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var fleet: FleetFlags

    @Option(name: [.short, .long], help: "Output: text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        let results: [DoctorResult]
        do {
            try bootstrapLogging(cluster)
            guard output == .text || output == .json else { throw ValidationError("-o must be text or json") }
            if try fleet.validate(with: cluster) {
                try await runFleet()
                return
            }
            let started = try await SessionFactory.forCommand(cluster).start()
            results = await started.session.doctor()
        } catch {
            throw fail(error)
        }
        if output == .json {
            printOut(String(decoding: try Self.encoder().encode(results), as: UTF8.self))
        } else {
            printOut(Self.lines(results).joined(separator: "\n"))
        }
        if results.first?.name == "API server", results.first?.status == .fail { throw ExitCode(3) }
        if results.contains(where: { $0.status == .fail }) { throw ExitCode(1) }
    }

    /// `--all-contexts`: `{"clusters": [{context, server, reachable, failure?, results}]}` or one
    /// block of lines per context.
    private func runFleet() async throws {
        let reports = try await FleetLauncher.start(cluster, fleet, auditTrust: true).doctor()
        if output == .json {
            struct Document: Encodable { var clusters: [FleetDoctorReport] }
            printOut(String(decoding: try Self.encoder().encode(Document(clusters: reports)), as: UTF8.self))
        } else {
            var lines: [String] = []
            for report in reports {
                if !lines.isEmpty { lines.append("") }
                lines.append("== \(report.context) (\(report.server)) ==")
                if let failure = report.failure {
                    lines.append("FAIL  API server  unreachable (\(failure.kind.rawValue)): \(failure.message)")
                } else {
                    lines += Self.lines(report.results)
                }
            }
            printOut(lines.joined(separator: "\n"))
        }
        if !reports.isEmpty, reports.allSatisfy({ !$0.reachable }) { throw ExitCode(3) }
        // A context that could not be reached failed its first check, as `doctor --context` would.
        if reports.contains(where: { $0.hasFailure || !$0.reachable }) { throw ExitCode(1) }
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func lines(_ results: [DoctorResult]) -> [String] {
        let width = results.map(\.name.count).max() ?? 0
        return results.map { r in
            "\(r.status.rawValue.uppercased().padding(toLength: 4, withPad: " ", startingAt: 0))  \(r.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(r.detail)"
        }
    }
}
