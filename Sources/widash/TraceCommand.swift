import ArgumentParser
import Foundation
import WidashCore
import WidashService

/// `widash trace NAMESPACE/POD`: the five-step token exchange of a pod, live.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Trace a pod's token exchange in five steps and say exactly where and why it fails.",
        discussion: """
            Steps: 1 token projected, 2 token sent, 3 trust checked, 4 token issued, 5 resource called.
            Exit codes: 0 every step passed, 1 a step failed, 2 usage or configuration error, \
            3 a remote service could not be reached.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: "The pod, as NAMESPACE/POD.")
    var pod: String

    @Option(help: "Step 5: the resource URL to call (default: proposed from the pod's env, else ARM or STS GetCallerIdentity).")
    var resource: String?

    @Option(help: "Step 2 (Azure): the scope to request, e.g. https://vault.azure.net/.default.")
    var scope: String?

    @Flag(help: "Read the pod's own projected token file (runs `cat` in the pod: needs RBAC get/create pods/exec) and present it in steps 2–5 instead of a fresh TokenRequest's token. Refused with --readonly.")
    var podToken = false

    @Option(help: "Seconds allowed for each step.")
    var stepTimeout: Int = 20

    @Option(name: [.short, .long], help: "Output: text or json.")
    var output: OutputFormat = .text

    func run() async throws {
        let report: TraceReport
        do {
            try bootstrapLogging(cluster)
            guard output == .text || output == .json else { throw ValidationError("-o must be text or json") }
            guard stepTimeout > 0 else { throw ValidationError("--step-timeout must be at least 1 second") }
            let (namespace, name) = try splitQualified(pod, what: "pod")
            var factory = try SessionFactory.forCommand(cluster)
            factory.stepTimeoutSeconds = stepTimeout
            // Refused before the sandbox or any request starts.
            if podToken, factory.readOnly { throw SessionError.podTokenReadOnly }
            let started = try await factory.start()
            let events = try await started.session.trace(namespace: namespace, pod: name, resource: resource, scope: scope,
                                                         podToken: podToken)
            var final: TraceReport?
            for await event in events {
                if output == .text, let text = TraceText.render(event) { printOut(text) }
                if case .finished(let r) = event { final = r }
            }
            guard let final else { throw ExitCode(3) }
            report = final
        } catch {
            throw fail(error)
        }
        if output == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            printOut(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
        switch report.result {
        case .passed: return
        case .failed: throw ExitCode(1)
        case .unreachable: throw ExitCode(3)
        }
    }
}

/// Plain-text rendering of trace events for the CLI (the dashboard has its own view).
enum TraceText {
    static func render(_ event: TraceEvent) -> String? {
        switch event {
        case .started(let pod, let provider):
            return "Trace \(pod) (\(provider?.displayName ?? "no workload identity"))"
        case .stepStarted:
            return nil
        case .stepFinished(let step):
            return renderStep(step)
        case .finished(let report):
            switch report.result {
            case .passed: return "RESULT: passed (\(report.steps.filter { $0.status == .passed }.count) steps)"
            case .failed:
                let step = report.steps.first { $0.status == .failed }
                return "RESULT: failed at step \(step?.number ?? 0) (\(step?.title ?? "?"))"
            case .unreachable:
                return "RESULT: a remote service could not be reached"
            }
        }
    }

    static func renderStep(_ step: TraceStep) -> String {
        let icon: String
        switch step.status {
        case .passed: icon = "✓"
        case .failed: icon = "✗"
        case .skipped: icon = "-"
        case .running: icon = "…"
        case .pending: icon = " "
        }
        let duration = step.durationMs.map { "\($0) ms" } ?? ""
        var lines = ["\(icon) \(step.number) \(step.title.padding(toLength: 18, withPad: " ", startingAt: 0)) \(step.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(duration)"]
        let width = step.evidence.items.map(\.key.count).max() ?? 0
        for item in step.evidence.items {
            // Decoded JWT parts (header, claims) one claim per line under their key, as the dashboard shows them.
            if let claims = ClaimLines.evidenceLines(item.value) {
                lines.append("    \(item.key):")
                lines += claims.map { "      " + $0.indentedText }
            } else {
                lines.append("    \(item.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(item.value)")
            }
        }
        if let d = step.diagnosis {
            lines.append("  diagnosis: \(d.summary)")
            for m in d.mismatches {
                lines.append("    \(m.field): expected \(m.expected)")
                lines.append("    \(String(repeating: " ", count: m.field.count))  got      \(m.actual)")
            }
            if let fix = d.fix { lines.append("  fix: \(fix)") }
        }
        return lines.joined(separator: "\n")
    }
}
