import Foundation
import WidashCore

/// Scrolling text views: identity detail, trace, token inspector, help.
enum Documents {
    static func lines(for kind: ViewKind, state: AppState, width: Int) -> [StyledLine] {
        switch kind {
        case .detail(let key): return DetailDocument.lines(state, key: key, width: width)
        case .trace: return state.traceShowsDiagram ? TraceDiagram.lines(state, width: width) : TraceDocument.lines(state, width: width)
        case .timeline: return TokenTimeline.lines(state, width: width)
        case .token: return TokenDocument.lines(state, width: width)
        case .help: return HelpDocument.lines(width: width)
        case .text(let title): return TextDocument.lines(state, title: title, width: width)
        default: return []
        }
    }

    static func section(_ title: String) -> StyledLine { StyledLine(title, .title) }

    /// `key: value` lines with keys padded to a common width, values wrapped under themselves.
    static func keyValues(_ pairs: [(String, String)], indent: Int, width: Int, keyRole: ColorRole = .dim,
                          valueRole: ColorRole = .text, maxKeyWidth: Int = 24, copies: Bool = true) -> [StyledLine] {
        let keyWidth = min(maxKeyWidth, pairs.map { CharWidth.of($0.0) }.max() ?? 0)
        var out: [StyledLine] = []
        let pad = String(repeating: " ", count: indent)
        let valueWidth = max(10, width - indent - keyWidth - 2)
        for (k, v) in pairs {
            let wrapped = TextWrap.wrap(v, width: valueWidth)
            for (i, part) in wrapped.enumerated() {
                let keyText = i == 0 ? CharWidth.pad(k, to: keyWidth) : String(repeating: " ", count: keyWidth)
                out.append(StyledLine([Segment(pad), Segment(keyText, keyRole), Segment("  " + part, valueRole)])
                    .copying(copies ? v : nil, as: k))
            }
        }
        return out
    }
}

enum DetailDocument {
    static func lines(_ state: AppState, key: String, width: Int) -> [StyledLine] {
        guard let e = state.identity(key: key) else {
            return [StyledLine(" \(key) no longer exists (deleted, or outside the namespace shown)", .statusWarn)]
        }
        var out: [StyledLine] = []
        out.append(StyledLine([Segment(" Service account ", .dim), Segment(e.key, .title), Segment("   status ", .dim),
                               Segment(IdentityCells.statusText(e), IdentityCells.statusRole(e.status))]))
        out.append(.blank)
        out.append(Documents.section(" Annotations"))
        if e.annotations.isEmpty {
            out.append(StyledLine("   (none)", .dim))
        } else {
            out += Documents.keyValues(e.annotations.sorted { $0.key < $1.key }, indent: 3, width: width, maxKeyWidth: 40)
        }
        out.append(.blank)
        out.append(Documents.section(" Bindings"))
        if e.bindings.isEmpty { out.append(StyledLine("   (no workload identity binding)", .dim)) }
        let report = state.traceReports[e.key]
        for b in e.bindings {
            var facts = ["\(b.provider.displayName)"]
            if let id = b.cloudIdentity { facts.append(id) }
            if let t = b.tenant { facts.append("tenant/account \(t)") }
            out.append(StyledLine([Segment("   ● ", .border), Segment(facts.joined(separator: "  "), .text)])
                .copying(b.cloudIdentity, as: ReadableLines.identityLabel(b.provider)))
            var kv: [(String, String)] = [("source", b.source)]
            if let a = b.audience { kv.append(("audience", a)) }
            if let ttl = b.tokenExpirationSeconds { kv.append(("token ttl", Durations.short(ttl))) }
            out += Documents.keyValues(kv, indent: 5, width: width)
            if let trust = b.trust { out += TrustLines.lines(trust, now: state.now, width: width) }
            if b.trust == nil || report != nil { out += MatchMarks.lines(report: report, identity: e, width: width) }
        }
        out.append(.blank)
        out.append(Documents.section(" Pods (\(e.pods.count))"))
        if e.pods.isEmpty { out.append(StyledLine("   (no pod uses this service account)", .dim)) }
        for p in e.pods {
            let ready = "\(p.readyContainers)/\(p.totalContainers) ready"
            out.append(StyledLine([Segment("   ● ", p.injected ? .statusOK : .statusError), Segment(p.name, .text),
                                   Segment("  \(p.phase ?? "?") \(ready)  ", .dim),
                                   Segment(p.injected ? "injected" : "NOT injected", p.injected ? .statusOK : .statusError)]))
            var kv: [(String, String)] = []
            if let path = p.tokenPath { kv.append(("token", path)) }
            if let aud = p.audience { kv.append(("audience", aud)) }
            if !p.injectedEnv.isEmpty { kv.append(("env", p.injectedEnv.joined(separator: ", "))) }
            if let s = p.schedule {
                kv.append(("schedule", "ttl \(Durations.short(s.ttlSeconds)) · issued \(Durations.ago(state.now.timeIntervalSince(s.issuedAt)))"
                           + " · refresh in \(Durations.countdown(Int(s.refreshAt.timeIntervalSince(state.now))))"
                           + " · expires in \(Durations.countdown(Int(s.expiresAt.timeIntervalSince(state.now))))"))
            }
            // The pod's own token file, when a trace read it (p in the trace view), next to the estimate.
            if let file = state.podTokenFiles["\(e.namespace)/\(p.name)"] {
                let expiry = file.expiresAt.map { " · file expires \(TokenClock.timestamp($0))" } ?? ""
                kv.append(("token file", "read \(Durations.ago(state.now.timeIntervalSince(file.readAt)))\(expiry) · \(file.summary)"))
            }
            out += Documents.keyValues(kv, indent: 5, width: width)
        }
        out += EventLines.lines(state, key: e.key, width: width)
        // What the pod's own token file says joins what the inventory found.
        let findings = e.findings + e.pods.compactMap { p in
            state.podTokenFiles["\(e.namespace)/\(p.name)"]?.finding(pod: "\(e.namespace)/\(p.name)")
        }
        out.append(.blank)
        out.append(Documents.section(" Findings (\(findings.count))"))
        if findings.isEmpty { out.append(StyledLine("   ✓ nothing to report", .statusOK)) }
        for f in findings.sorted(by: { $0.severity > $1.severity }) {
            let role: ColorRole = f.severity == .error ? .statusError : f.severity == .warning ? .statusWarn : .dim
            let icon = f.severity == .error ? "✗" : f.severity == .warning ? "⚠" : "i"
            let wrapped = TextWrap.wrap("\(f.code): \(f.message)", width: max(10, width - 6))
            for (i, part) in wrapped.enumerated() {
                out.append(StyledLine([Segment(i == 0 ? "   \(icon) " : "     ", role), Segment(part, .text)]))
            }
            for (i, part) in TextWrap.wrap(f.fix, width: max(10, width - 12)).enumerated() {
                out.append(StyledLine([Segment(i == 0 ? "     fix: " : "          ", .statusOK), Segment(part, .text)])
                    .copying(f.fix, as: "fix command"))
            }
        }
        return out
    }
}

/// The trust audit's reading of one binding: the verdict, then field by field what the cluster
/// presents beside the cloud's closest configuration, the roles, warnings and the fix.
enum TrustLines {
    static func lines(_ v: TrustVerdict, now: Date, width: Int) -> [StyledLine] {
        let role: ColorRole = v.rank >= 4 ? .statusError : v.rank == 2 ? .stepRunning : v.rank == 0 ? .statusOK : .statusWarn
        let when = v.checkedAt.map { ", read \(Durations.ago(now.timeIntervalSince($0)))" } ?? ""
        var out = [StyledLine([Segment("     cloud side (trust audit\(when)): ", .dim), Segment(v.label, role)])]
        func wrapped(_ text: String, lead: String, _ role: ColorRole, copyAs label: String? = nil) {
            for (i, part) in TextWrap.wrap(text, width: max(10, width - lead.count)).enumerated() {
                out.append(StyledLine([Segment(i == 0 ? lead : String(repeating: " ", count: lead.count), role), Segment(part, .text)])
                    .copying(label == nil ? nil : text, as: label ?? ""))
            }
        }
        if let source = v.source { wrapped(source, lead: "       read      ", .dim) }
        for f in v.comparison {
            let name = "       " + CharWidth.pad(f.field, to: 9) + " "
            if f.matches {
                wrapped(f.cluster, lead: name + "✓ ", .statusOK)
            } else {
                wrapped(f.cloud, lead: name + "✗ cloud    ", .statusError)
                wrapped(f.cluster, lead: String(repeating: " ", count: name.count) + "  cluster  ", .statusError)
            }
        }
        if v.state != .trusted, let reason = v.reason { wrapped(reason, lead: "       why       ", v.state == .mismatch ? .statusError : .statusWarn) }
        if let roles = v.roles { wrapped(roles.isEmpty ? "(none: every resource call will be refused)" : roles.joined(separator: " · "), lead: "       roles     ", roles.isEmpty ? .statusWarn : .dim) }
        for w in v.warnings { wrapped(w, lead: "       ⚠         ", .statusWarn) }
        if let fix = v.fix { wrapped(fix, lead: "       fix       ", .statusOK, copyAs: "fix command") }
        return out
    }
}

/// Per-field marks of the cloud side's trust check, from the identity's last trace.
enum MatchMarks {
    static let fields: [(name: String, evidenceKeys: [String])] = [
        ("issuer", ["iss", "issuer"]), ("subject", ["sub", "subject"]), ("audience", ["aud", "audience"]),
    ]

    static func lines(report: TraceReport?, identity: IdentityEntry, width: Int) -> [StyledLine] {
        guard let report, let step3 = report.steps.first(where: { $0.number == 3 }),
              step3.status == .passed || step3.status == .failed else {
            return [StyledLine("     cloud side: not checked yet (r audits it, t traces a pod)", .dim)]
        }
        var out = [StyledLine("     cloud side (last trace):", .dim)]
        let mismatches = report.steps.flatMap { $0.diagnosis?.mismatches ?? [] }
        let evidence = report.steps.first { $0.number == 1 }?.evidence ?? Evidence()
        if step3.status == .failed && mismatches.isEmpty {
            let why = step3.diagnosis?.summary ?? "trust check failed"
            for (i, part) in TextWrap.wrap(why, width: max(10, width - 9)).enumerated() {
                out.append(StyledLine([Segment(i == 0 ? "       ✗ " : "         ", .statusError), Segment(part, .text)]))
            }
            return out
        }
        for field in fields {
            if let m = mismatches.first(where: { $0.field.lowercased().contains(field.name) }) {
                out.append(StyledLine([Segment("       " + CharWidth.pad(field.name, to: 9), .dim), Segment("✗ expected ", .statusError),
                                       Segment(m.expected, .text)]))
                out.append(StyledLine([Segment("       " + String(repeating: " ", count: 9), .dim), Segment("  got      ", .statusError),
                                       Segment(m.actual, .text)]))
            } else {
                let value = field.evidenceKeys.compactMap { evidence[$0] }.first ?? ""
                out.append(StyledLine([Segment("       " + CharWidth.pad(field.name, to: 9), .dim), Segment("✓ ", .statusOK),
                                       Segment(value, .text)]))
            }
        }
        return out
    }
}

enum TraceDocument {
    static func lines(_ state: AppState, width: Int) -> [StyledLine] {
        guard let t = state.trace else {
            return [StyledLine(" No trace yet: select an identity or a pod and press t.", .dim)]
        }
        var out = headerLines(t, state: state)
        for (i, step) in t.steps.enumerated() {
            out += stepLines(step, trace: t, state: state, width: width, isLast: i == t.steps.count - 1)
        }
        out.append(.blank)
        out.append(resultLine(t, state: state))
        return out
    }

    /// What is traced and the auto re-run state, then a blank line (also heads the diagram).
    static func headerLines(_ t: TraceSession, state: AppState) -> [StyledLine] {
        var facts = ["pod \(t.namespace)/\(t.pod)"]
        if let p = t.provider { facts.append(p.displayName) }
        facts.append("resource \(t.resource ?? "default")")
        facts.append(t.podToken ? "pod's own token" : "TokenRequest")
        var auto = "auto re-run off"
        if t.autoRerun {
            auto = "auto re-run every \(state.options.autoRerunSeconds) s"
            if let next = t.nextRunAt, !t.isRunning { auto += " (next in \(max(0, Int(next.timeIntervalSince(state.now).rounded(.up)))) s)" }
        }
        return [StyledLine(" " + facts.joined(separator: " · "), .dim), StyledLine(" " + auto, t.autoRerun ? .stepRunning : .dim), .blank]
    }

    /// The first line of step `number`'s fix command, if its diagnosis has one (the cursor goes there).
    static func fixLineIndex(ofStep number: Int, state: AppState, width: Int) -> Int? {
        guard let start = lineIndex(ofStep: number, state: state, width: width) else { return nil }
        let all = lines(state, width: width)
        return all[start...].firstIndex { $0.copyLabel == "fix command" }
    }

    /// The document line where step `number` starts (for scrolling to a failed step).
    static func lineIndex(ofStep number: Int, state: AppState, width: Int) -> Int? {
        lines(state, width: width).firstIndex { line in
            line.segments.count > 1 && line.segments[1].text.hasPrefix("\(number)  ")
        }
    }

    static func icon(_ status: StepStatus, frame: Int) -> (String, ColorRole) {
        switch status {
        case .pending: return ("○", .stepPending)
        case .running: return (Spinner.frame(frame), .stepRunning)
        case .passed: return ("✓", .stepPassed)
        case .failed: return ("✗", .stepFailed)
        case .skipped: return ("–", .stepPending)
        }
    }

    static func stepLines(_ step: TraceStep, trace t: TraceSession, state: AppState, width: Int, isLast: Bool) -> [StyledLine] {
        var out: [StyledLine] = []
        let (mark, role) = icon(step.status, frame: state.frame)
        let right: String
        switch step.status {
        case .running:
            let since = t.stepStartedAt ?? t.startedAt
            right = String(format: "running %.1f s", max(0, state.now.timeIntervalSince(since)))
        case .pending: right = "pending"
        case .skipped: right = "skipped"
        case .passed, .failed: right = step.durationMs.map { "\($0) ms" } ?? ""
        }
        // The step's durations over the recent runs of this seed (r, a), when there are several.
        let history = state.stepHistory.durations(step: step.number, seed: t.seed)
        let spark = history.count > 1 ? Sparkline.render(history) + "  " : ""
        let title = " \(mark) \(step.number)  \(step.title)"
        let gap = max(1, width - 1 - CharWidth.of(title) - CharWidth.of(spark) - CharWidth.of(right))
        out.append(StyledLine([Segment(" \(mark) ", role), Segment("\(step.number)  \(step.title)", step.status == .pending ? .stepPending : .text),
                               Segment(String(repeating: " ", count: gap) + spark, .dim), Segment(right, role)]))
        let rail = isLast ? "   " : " │ "
        // The diagnosis (what is wrong, the fix) right under the step, before the evidence that
        // backs it: with claims one per line the evidence is long, and the fix must stay in view.
        if let d = step.diagnosis {
            out += diagnosisBox(d, rail: rail, width: width, failed: step.status == .failed)
        }
        for line in ReadableLines.evidence(step.evidence, width: width - 7, now: state.now) {
            var railed = line
            railed.segments = [Segment(rail, .border), Segment("    ")] + line.segments
            out.append(railed)
        }
        return out
    }

    /// The diagnosis in a box: summary, each mismatch as expected/got, and the fix.
    static func diagnosisBox(_ d: Diagnosis, rail: String, width: Int, failed: Bool) -> [StyledLine] {
        let boxWidth = max(20, width - 8)
        let inner = boxWidth - 4
        let role: ColorRole = failed ? .stepFailed : .statusWarn
        var body: [(String, ColorRole)] = TextWrap.wrap(d.summary, width: inner).map { ($0, .text) }
        // What `y` copies on each body line: the mismatch's values, the whole fix.
        var copies: [(String?, String)] = body.map { _ in (d.summary, "diagnosis") }
        for m in d.mismatches {
            let label = CharWidth.pad(m.field, to: min(12, max(8, CharWidth.of(m.field))))
            let pad = String(repeating: " ", count: CharWidth.of(label))
            for (i, part) in TextWrap.wrap("expected \(m.expected)", width: inner - CharWidth.of(label) - 1).enumerated() {
                body.append(((i == 0 ? label : pad) + " " + part, .text))
                copies.append((m.expected, "expected \(m.field)"))
            }
            for part in TextWrap.wrap("got      \(m.actual)", width: inner - CharWidth.of(label) - 1) {
                body.append((pad + " " + part, .text))
                copies.append((m.actual, "got \(m.field)"))
            }
        }
        if let fix = d.fix {
            for (i, part) in TextWrap.wrap(fix, width: inner - 5).enumerated() {
                body.append(((i == 0 ? "fix: " : "     ") + part, .statusOK))
                copies.append((fix, "fix command"))
            }
        }
        let title = "─ diagnosis "
        var out = [StyledLine([Segment(rail, .border), Segment("    ┌" + title + String(repeating: "─", count: max(0, boxWidth - 2 - CharWidth.of(title))) + "┐", role)])]
        for ((text, textRole), (value, label)) in zip(body, copies) {
            out.append(StyledLine([Segment(rail, .border), Segment("    │ ", role), Segment(CharWidth.pad(text, to: inner), textRole),
                                   Segment(" │", role)]).copying(value, as: label))
        }
        out.append(StyledLine([Segment(rail, .border), Segment("    └" + String(repeating: "─", count: boxWidth - 2) + "┘", role)]))
        return out
    }

    static func resultLine(_ t: TraceSession, state: AppState) -> StyledLine {
        guard let result = t.result else {
            let elapsed = String(format: "%.1f", max(0, state.now.timeIntervalSince(t.startedAt)))
            return StyledLine(" \(Spinner.frame(state.frame)) running… \(elapsed) s", .stepRunning)
        }
        let total = t.finishedAt.map { String(format: " in %.1f s", max(0, $0.timeIntervalSince(t.startedAt))) } ?? ""
        switch result {
        case .passed:
            return StyledLine(" ✓ PASSED: all five steps\(total)", .stepPassed)
        case .failed, .unreachable:
            let failed = t.steps.first { $0.status == .failed }
            let at = failed.map { " at step \($0.number) (\($0.title))" } ?? ""
            return StyledLine(" ✗ \(result == .failed ? "FAILED" : "UNREACHABLE")\(at)\(total)", .stepFailed)
        }
    }
}

enum TokenDocument {
    static let isoFormat: Date.ISO8601FormatStyle = .iso8601

    static func lines(_ state: AppState, width: Int) -> [StyledLine] {
        guard let tok = state.token else {
            if state.tokenLoading { return [StyledLine(" \(Spinner.frame(state.frame)) requesting a test token…", .stepRunning)] }
            return [StyledLine(" No token yet: select an identity and press f.", .dim)]
        }
        var out: [StyledLine] = []
        let pod = tok.pod.map { " (bound to pod \($0))" } ?? ""
        out.append(StyledLine([Segment(" Test token for ", .dim), Segment("\(tok.namespace)/\(tok.serviceAccount)", .title), Segment(pod, .dim)]))
        out.append(.blank)
        if let err = tok.error {
            for part in TextWrap.wrap("✗ \(err)", width: width - 2) { out.append(StyledLine(" " + part, .statusError)) }
            return out
        }
        if let exp = tok.expiresAt {
            let left = Int(exp.timeIntervalSince(state.now).rounded(.down))
            let text = left > 0 ? "expires in \(Durations.countdown(left))" : "EXPIRED \(Durations.ago(-Double(left)))"
            out.append(StyledLine([Segment(" Expiry     ", .dim), Segment(text, left > 300 ? .statusOK : .statusWarn),
                                   Segment("  (\(exp.formatted(isoFormat)))", .dim)]))
        }
        let sigRole: ColorRole
        switch tok.signature {
        case .verified: sigRole = .statusOK
        case .invalid: sigRole = .statusError
        case .notChecked: sigRole = .statusWarn
        }
        out.append(StyledLine([Segment(" Signature  ", .dim), Segment(tok.signature.label, sigRole)]))
        out.append(.blank)
        out.append(Documents.section(" Header"))
        if let header = tok.header {
            out += ReadableLines.claims(ClaimLines.entries(header, now: state.now), indent: 3, width: width, group: "header")
        } else {
            out += tok.headerLines.map { StyledLine("   " + $0) }
        }
        out.append(Documents.section(" Claims"))
        if let claims = tok.claims {
            out += ReadableLines.claims(ClaimLines.entries(claims, now: state.now), indent: 3, width: width)
        } else {
            for l in tok.claimLines { out += TextWrap.wrap(l, width: width - 4).map { StyledLine("   " + $0) } }
        }
        out.append(.blank)
        out.append(Documents.section(" Cloud token"))
        for part in TextWrap.wrap(tok.cloudTokenSummary ?? "none", width: width - 4) { out.append(StyledLine("   " + part)) }
        for l in tok.cloudClaimLines { out += TextWrap.wrap(l, width: width - 4).map { StyledLine("   " + $0) } }
        out.append(.blank)
        if let raw = tok.rawToken {
            out.append(Documents.section(" Token (--show-token)"))
            for part in TextWrap.wrap(raw, width: width - 4) { out.append(StyledLine("   " + part, .statusWarn).copying(raw, as: "token")) }
        } else {
            out.append(StyledLine(" Token: hidden (start widash with --show-token to show it)", .dim))
        }
        return out
    }
}

enum HelpDocument {
    static let keys: [(String, String)] = [
        (":", "command line: :sa :pods :ctx [NAME] :ns [NAME] :fleet :doctor :audit :theme NAME :trace :token :timeline :save :auto N :resource URL :q"),
        ("/", "filter rows: text (substring), !text (inverse), -l key=value[,key!=value] (annotations, provider, namespace, status, trust)"),
        ("?", "this help"),
        ("↑ ↓  j k", "move"),
        ("g G  Home End", "first / last"),
        ("PgUp PgDn  ^b ^f", "page up / down"),
        ("enter", "open (identity detail; select context, namespace, resource)"),
        ("esc", "clear the filter, then back (see the crumbs)"),
        ("t", "trace the selected pod (from identities: its first pod)"),
        ("f", "fetch a test token and inspect it"),
        ("r", "identities, detail: audit the cloud side again (trust) · trace: run again · doctor: check again"),
        ("a", "trace: re-run automatically every N seconds"),
        ("d", "trace: sequence diagram (pod, API server, cloud, resource) or the steps"),
        ("e  E", "pods: token timeline of the pod's identity (:timeline) / of the table"),
        ("p", "trace: present the pod's own token file (pods/exec), not a TokenRequest's"),
        ("c", "trace: choose the resource step 5 calls"),
        ("s", "identities: sort by the next column"),
        ("N A P I T O L E R S", "sort by namespace, name, provider, identity, tenant, pods, ttl, expiry, trust, status (again: reverse)"),
        ("enter", "doctor: the whole row (check, status, detail), wrapped; esc returns"),
        ("y", "copy with OSC 52 (works over SSH and tmux): the cursor line's value (fix command, identity id, claim) or the row's (identity id, ns/pod, doctor detail)"),
        ("n  N", "detail, trace, token: the cursor to the next / previous value y can copy"),
        (":save [FILE]", "write the view: trace, identity, token as Markdown; identities, pods, doctor as CSV (JSON for .json)"),
        ("/-f text", "fuzzy filter: rows holding the letters of text in order, gaps allowed (the sort stays)"),
        ("tab  S-tab", ": prompt: complete the command, context, namespace or theme; again: the next / previous one"),
        (":skin FILE", "import a k9s skin (its body, frame and table colours); a bad file keeps the theme in use"),
        (":fleet [REGEX]", "every kubeconfig context at once (widash --fleet): enter opens a cluster (esc comes back), / filters, s or C S P I O E W R U H X A sorts, r relists"),
        ("mouse", "click selects a row, the wheel scrolls"),
        ("ctrl-c  :q", "quit"),
    ]

    static func lines(width: Int) -> [StyledLine] {
        var out = [Documents.section(" Keys")]
        out += Documents.keyValues(keys, indent: 3, width: width, keyRole: .hints, copies: false)
        out.append(.blank)
        out.append(Documents.section(" Trace steps"))
        for (i, t) in TraceStep.titles.enumerated() { out.append(StyledLine("   \(i + 1)  \(t)")) }
        out.append(.blank)
        out.append(Documents.section(" Marks"))
        out.append(StyledLine([Segment("   ✓ passed  ", .stepPassed), Segment("✗ failed  ", .stepFailed), Segment("⚠ warning  ", .statusWarn),
                               Segment("○ pending  ", .stepPending), Segment("– skipped", .stepPending)]))
        out.append(.blank)
        out.append(Documents.section(" TRUST (the cloud side, read without any token exchange)"))
        out.append(StyledLine([Segment("   ✓ trusted  ", .statusOK), Segment("✗ FIELD mismatch  ", .statusError),
                               Segment("? unknown (the missing permission)  ", .statusWarn), Segment("⚠ no role  ", .statusWarn),
                               Segment("⋯ checking", .stepRunning)]))
        return out
    }
}
