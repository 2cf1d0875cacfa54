import Foundation
import WidashCore

/// A trace or an identity as Markdown, to paste into a ticket: facts as lists, values in code
/// spans, JWT claims and fix commands in code blocks. Holds no token (the trace's evidence has
/// redacted forms only; `ExportWriter` scrubs once more before writing).
enum MarkdownExport {
    static func trace(_ t: TraceSession, now: Date) -> String {
        var out = ["# widash trace \(t.namespace)/\(t.pod)", ""]
        out.append("- pod: \(code("\(t.namespace)/\(t.pod)"))")
        out.append("- service account: \(code(t.identityKey))")
        out.append("- provider: \(t.provider?.displayName ?? "unknown")")
        out.append("- resource: \(t.resource.map(code) ?? "default")")
        out.append("- token: \(t.podToken ? "the pod's own token file" : "TokenRequest")")
        out.append("- started: \(ClaimLines.humanTimestamp(t.startedAt))")
        out.append("- result: \(resultText(t))")
        for step in t.steps {
            out.append("")
            let duration = step.durationMs.map { " (\($0) ms)" } ?? ""
            out.append("## \(mark(step.status)) \(step.number). \(step.title): \(step.status.rawValue)\(duration)")
            if !step.evidence.items.isEmpty {
                out.append("")
                for item in step.evidence.items {
                    if let claims = ClaimLines.evidenceLines(item.value, now: now) {
                        out.append("- \(item.key):")
                        out.append("")
                        out += block(claims.map(\.indentedText), indent: "  ")
                    } else {
                        out.append("- \(item.key): \(code(item.value))")
                    }
                }
            }
            if let d = step.diagnosis { out += diagnosis(d) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func diagnosis(_ d: Diagnosis) -> [String] {
        var out = ["", "### Diagnosis", "", d.summary]
        if !d.mismatches.isEmpty {
            out += ["", "| field | expected | got |", "|---|---|---|"]
            for m in d.mismatches { out.append("| \(cell(m.field)) | \(code(m.expected)) | \(code(m.actual)) |") }
        }
        if let fix = d.fix { out += ["", "Fix:", ""] + block([fix], language: "sh") }
        return out
    }

    static func identity(_ e: IdentityEntry, report: TraceReport?, now: Date) -> String {
        var out = ["# widash identity \(e.key)", ""]
        out.append("- status: \(IdentityCells.statusText(e))")
        out += ["", "## Annotations", ""]
        if e.annotations.isEmpty { out.append("(none)") }
        for (k, v) in e.annotations.sorted(by: { $0.key < $1.key }) { out.append("- \(code(k)): \(code(v))") }
        out += ["", "## Bindings"]
        if e.bindings.isEmpty { out += ["", "(no workload identity binding)"] }
        for b in e.bindings {
            out += ["", "### \(b.provider.displayName)", ""]
            if let id = b.cloudIdentity { out.append("- \(ReadableLines.identityLabel(b.provider)): \(code(id))") }
            if let t = b.tenant { out.append("- tenant/account: \(code(t))") }
            if let a = b.audience { out.append("- audience: \(code(a))") }
            if let ttl = b.tokenExpirationSeconds { out.append("- token ttl: \(ttl) s") }
            out.append("- source: \(b.source)")
            if let v = b.trust {
                let when = v.checkedAt.map { ", read \(ClaimLines.humanTimestamp($0))" } ?? ""
                out.append("- cloud side (trust audit\(when)): \(v.label)")
                for f in v.comparison {
                    out.append(f.matches ? "  - \(f.field): ✓ \(code(f.cluster))"
                                         : "  - \(f.field): ✗ cloud \(code(f.cloud)), cluster \(code(f.cluster))")
                }
                if v.state != .trusted, let reason = v.reason { out.append("  - why: \(reason)") }
                for w in v.warnings { out.append("  - warning: \(w)") }
                if let fix = v.fix { out += ["", "Fix:", ""] + block([fix], language: "sh") }
            }
        }
        out += ["", "## Pods (\(e.pods.count))", ""]
        if e.pods.isEmpty { out.append("(no pod uses this service account)") }
        for p in e.pods {
            out.append("- \(code(p.name)): \(p.phase ?? "?"), \(p.readyContainers)/\(p.totalContainers) ready, "
                       + (p.injected ? "injected" : "NOT injected") + (p.tokenPath.map { ", token \(code($0))" } ?? ""))
        }
        if let report {
            let failed = report.steps.first { $0.status == .failed }
            out += ["", "## Last trace", "", "- pod: \(code(report.pod))",
                    "- result: \(report.result.rawValue)" + (failed.map { " at step \($0.number) (\($0.title))" } ?? "")]
            if let d = failed?.diagnosis { out += diagnosis(d) }
        }
        out += ["", "## Findings (\(e.findings.count))"]
        if e.findings.isEmpty { out += ["", "Nothing to report."] }
        for f in e.findings.sorted(by: { $0.severity > $1.severity }) {
            out += ["", "- \(f.severity.rawValue) \(code(f.code)): \(f.message)", ""] + block([f.fix], language: "sh", indent: "  ")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A `.text` view (a doctor row's full text) as a heading and its fields.
    static func text(_ d: TextDetail) -> String {
        var out = ["# widash \(d.title)"]
        for f in d.fields { out += ["", "## \(f.name)", "", f.value] }
        return out.joined(separator: "\n") + "\n"
    }

    /// The token inspector: header and claims as lines; never the token itself.
    static func token(_ t: TokenInspection, now: Date) -> String {
        var out = ["# widash token \(t.namespace)/\(t.serviceAccount)", ""]
        if let pod = t.pod { out.append("- bound to pod: \(code(pod))") }
        if let error = t.error { out.append("- error: \(error)") }
        if let exp = t.expiresAt { out.append("- expires: \(ClaimLines.time(exp.timeIntervalSince1970, now: now))") }
        out.append("- signature: \(t.signature.label)")
        out.append("- cloud token: \(t.cloudTokenSummary ?? "none")")
        out += ["", "## Header", ""] + block(t.header.map { ClaimLines.lines($0, now: now) } ?? t.headerLines)
        out += ["", "## Claims", ""] + block(t.claims.map { ClaimLines.lines($0, now: now) } ?? t.claimLines)
        return out.joined(separator: "\n") + "\n"
    }

    static func resultText(_ t: TraceSession) -> String {
        guard let result = t.result else { return "still running" }
        let total = t.finishedAt.map { String(format: " in %.1f s", max(0, $0.timeIntervalSince(t.startedAt))) } ?? ""
        let failed = t.steps.first { $0.status == .failed }.map { " at step \($0.number) (\($0.title))" } ?? ""
        switch result {
        case .passed: return "PASSED\(total)"
        case .failed: return "FAILED\(failed)\(total)"
        case .unreachable: return "UNREACHABLE\(failed)\(total)"
        }
    }

    static func mark(_ status: StepStatus) -> String {
        switch status {
        case .passed: return "✓"
        case .failed: return "✗"
        case .skipped: return "–"
        case .running: return "…"
        case .pending: return "○"
        }
    }

    /// A code span that survives backticks in the value (CommonMark: a longer backtick fence).
    static func code(_ text: String) -> String {
        var fence = "`"
        while text.contains(fence) { fence += "`" }
        let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
        return fence + pad + text + pad + fence
    }

    /// A table cell: pipes escaped, no line breaks.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// A fenced code block longer than any backtick run inside it.
    static func block(_ lines: [String], language: String = "", indent: String = "") -> [String] {
        var fence = "```"
        while lines.contains(where: { $0.contains(fence) }) { fence += "`" }
        return [indent + fence + language] + lines.map { indent + $0 } + [indent + fence]
    }
}
