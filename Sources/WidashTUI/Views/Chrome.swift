import Foundation
import WidashCore

/// The two header rows: context, cluster, user, API server, issuer, warnings, last refresh.
enum HeaderView {
    static func render(_ buf: inout ScreenBuffer, _ state: AppState) {
        buf.fill(y: 0, role: .header)
        buf.fill(y: 1, role: .header)
        let h = state.header
        var warnings: [String] = []
        if h?.readOnly == true || state.options.readOnly { warnings.append("READ-ONLY") }
        if h?.tlsInsecure == true { warnings.append("TLS VERIFY OFF") }
        let warnText = warnings.map { " \($0) " }.joined(separator: " ")
        let warnWidth = CharWidth.of(warnText)
        let row0: [(String, ColorRole)] = [
            (" widash ", .headerLabel), (" context ", .header), (h?.context ?? "…", .headerLabel),
            ("  cluster ", .header), (h?.cluster ?? "…", .headerLabel), ("  user ", .header), (h?.user ?? "…", .headerLabel),
        ]
        buf.write(segments: row0, x: 0, y: 0, maxWidth: max(0, buf.width - warnWidth - 1))
        if !warnings.isEmpty {
            var x = buf.width - warnWidth
            for w in warnings {
                x += buf.write(" \(w) ", x: x, y: 0, role: .headerWarning) + 1
            }
        }
        if state.screen.kind == .fleet {
            let right = FleetHeader.right(state)
            buf.write(segments: FleetHeader.segments(state), x: 0, y: 1, maxWidth: max(0, buf.width - CharWidth.of(right) - 1))
            buf.write(right, x: max(0, buf.width - CharWidth.of(right)), y: 1, role: .header)
            return
        }
        let issuer = h?.issuer ?? state.inventory.issuer ?? "unknown"
        var right: String
        if state.expected > 0 && state.loaded < state.expected {
            right = "loading \(state.loaded)/\(state.expected)… "
        } else if let r = state.lastRefresh {
            right = "refreshed \(Durations.ago(state.now.timeIntervalSince(r))) "
        } else {
            right = "connecting… "
        }
        if state.header == nil && state.lastRefresh == nil { right = "connecting… " }
        let rightWidth = CharWidth.of(right)
        let row1: [(String, ColorRole)] = [(" api ", .header), (h?.apiServer ?? "…", .headerLabel), ("  issuer ", .header), (issuer, .headerLabel)]
        buf.write(segments: row1, x: 0, y: 1, maxWidth: max(0, buf.width - rightWidth - 1))
        buf.write(right, x: max(0, buf.width - rightWidth), y: 1, role: .header)
    }
}

/// The key hints row, depending on the view.
enum HintsView {
    static func hints(_ state: AppState) -> [(String, String)] {
        switch state.mode {
        case .command: return [("enter", "run"), ("esc", "cancel"), ("tab", "complete"), ("S-tab", "back")]
        case .filter: return [("enter", "keep"), ("esc", "clear"), ("!", "inverse"), ("-f", "fuzzy"), ("-l k=v", "labels")]
        case .normal: break
        }
        let common: [(String, String)] = [("?", "help"), (":", "cmd"), ("esc", "back"), ("^c", "quit")]
        switch state.screen.kind {
        case .identities:
            return [("enter", "open"), ("t", "trace"), ("f", "token"), ("/", "filter"), ("s", "sort")] + common
        case .pods:
            return [("enter", "identity"), ("t", "trace"), ("f", "token"), ("e/E", "timeline"), ("/", "filter")] + common
        case .detail:
            return [("t", "trace"), ("f", "token"), ("j/k", "scroll")] + common
        case .trace:
            return [("r", "re-run"), ("a", "auto"), ("d", state.traceShowsDiagram ? "steps" : "diagram"), ("p", "pod token"), ("c", "resource"), ("f", "token"), ("j/k", "scroll")] + common
        case .token:
            return [("f", "fetch again"), ("t", "trace"), ("j/k", "scroll")] + common
        case .contexts, .namespaces, .resources:
            return [("enter", "select")] + common
        case .doctor:
            return [("r", "run again"), ("enter", "full text"), ("y", "copy")] + common
        case .help:
            return common
        case .timeline:
            return [("f", "test fetch"), ("j/k", "scroll")] + common
        case .text:
            return [("y", "copy"), ("n/N", "next/prev value")] + common
        case .fleet:
            return [("enter", "open"), ("/", "filter"), ("s", "sort"), ("r", "relist")] + common
        }
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, row: Int) {
        var segs: [(String, ColorRole)] = [(" ", .hints)]
        for (k, label) in hints(state) {
            if !k.isEmpty { segs.append(("<\(k)>", .hints)) }
            segs.append((" \(label)  ", .dim))
        }
        buf.write(segments: segs, x: 0, y: row)
    }
}

/// The bottom line: the command or filter being typed, a flash message, or a summary.
enum StatusLine {
    static func render(_ buf: inout ScreenBuffer, _ state: AppState, row: Int) {
        switch state.mode {
        case .command(let text):
            PromptLine.render(&buf, state, text: text, row: row)
            return
        case .filter(let text):
            buf.fill(y: row, role: .commandLine)
            buf.write("/" + text + "█", x: 0, y: row, role: .commandLine)
            return
        case .normal: break
        }
        if let f = state.flash {
            buf.write(" " + f.text, x: 0, y: row, role: f.isError ? .flashError : .flash)
            return
        }
        if state.screen.kind == .fleet {
            buf.write(segments: FleetHeader.statusSegments(state), x: 0, y: row)
            return
        }
        let (errors, warnings) = state.statusCounts
        var segs: [(String, ColorRole)] = [(" \(state.inventory.identities.count) service accounts", .dim)]
        if errors > 0 { segs.append(("  ✗ \(errors) error\(errors == 1 ? "" : "s")", .statusError)) }
        if warnings > 0 { segs.append(("  ⚠ \(warnings) warning\(warnings == 1 ? "" : "s")", .statusWarn)) }
        segs.append(("  theme \(state.theme.name)", .dim))
        buf.write(segments: segs, x: 0, y: row)
    }
}

extension Durations {
    /// "5s ago", "3m ago", "2h ago".
    static func ago(_ interval: TimeInterval) -> String {
        let s = max(0, Int(interval))
        if s < 60 { return "\(s)s ago" }
        if s < 3600 { return "\(s / 60)m ago" }
        if s < 86400 { return "\(s / 3600)h ago" }
        return "\(s / 86400)d ago"
    }
}
