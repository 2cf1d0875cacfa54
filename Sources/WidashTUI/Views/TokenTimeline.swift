import Foundation
import WidashCore

/// The token timeline (`:timeline`, `e`/`E` in the pods view): each picked pod's projected token on
/// a time axis — issued `├`, the kubelet's refresh at 80 % of its life `R`, expiry `┤` — with "now",
/// and after a test fetch (`f`) the test token and the cloud token it was exchanged for. Tokens that
/// will run out without a refresh (a stopped pod, a token file the kubelet stopped refreshing)
/// stand out with the reason.
///
/// A pure function of the state (`state.now`), bounded by the selection (`TimelineSelection.maxPods`).
enum TokenTimeline {
    /// One bar: what it is, its life, and why it stands out (nil: as expected).
    struct Bar {
        var label: String
        var issued: Date?
        var refresh: Date?
        var expires: Date?
        var body: Unicode.Scalar = "─"
        var role: ColorRole = .statusOK
        var note: String?
        var noteRole: ColorRole = .statusWarn
        /// Shown instead of a bar when there is no token to draw.
        var missing: String?
    }

    /// The axis never reaches further than this from now: a days-old stale token would squeeze
    /// every other bar into a few columns.
    static let maxReach: TimeInterval = 2 * 86_400
    static let tickSteps: [TimeInterval] = [60, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400]

    static func lines(_ state: AppState, width: Int) -> [StyledLine] {
        let selection = state.timelineSelection
        let picked = selection.resolve(in: state.inventory)
        if picked.isEmpty {
            return [StyledLine(" No pods to draw: press e on a pod (E: every pod of the filtered table), or :timeline on an identity.", .dim)]
        }
        // Bars grouped by service account, each group followed by its test fetch when there is one.
        var groups: [(key: String, bars: [Bar])] = []
        for (entry, pod) in picked {
            if groups.last?.key != entry.key { groups.append((entry.key, [])) }
            groups[groups.count - 1].bars.append(podBar(pod, entry: entry, state: state))
        }
        for i in groups.indices {
            if let tok = state.token, tok.error == nil, "\(tok.namespace)/\(tok.serviceAccount)" == groups[i].key {
                groups[i].bars += fetchBars(tok, now: state.now)
            }
        }
        let bars = groups.flatMap(\.bars)
        let (lo, hi) = window(bars, now: state.now)

        let labelWidth = min(max(12, width / 3), (bars.map { CharWidth.of($0.label) }.max() ?? 0) + 3)
        let x0 = labelWidth + 1
        let barWidth = max(10, width - x0 - 1)
        func column(_ d: Date) -> Int {
            x0 + Int((d.timeIntervalSince(lo) / hi.timeIntervalSince(lo) * Double(barWidth - 1)).rounded())
        }
        let nowX = column(state.now)

        var out: [StyledLine] = []
        let count = "\(picked.count) pod\(picked.count == 1 ? "" : "s")" + (selection.omitted > 0 ? " (+\(selection.omitted) not shown)" : "")
        out.append(StyledLine([Segment(" Tokens of ", .dim), Segment(selection.title, .title),
                               Segment(" · \(count) · now \(clock(state.now, seconds: true)) UTC", .dim)]))
        out.append(StyledLine([Segment(" ├ issued  ", .dim), Segment("R", .stepRunning), Segment(" kubelet refresh (80 %)  ┤ expiry  │ now  ═ cloud token", .dim)]))
        out.append(.blank)
        out += axis(lo: lo, hi: hi, x0: x0, width: width, barWidth: barWidth, nowX: nowX, column: column)
        for group in groups {
            if groups.count > 1 || group.bars.count > 1 { out.append(StyledLine(" \(group.key)", .dim)) }
            for bar in group.bars {
                out.append(row(bar, width: width, labelWidth: labelWidth, x0: x0, barWidth: barWidth, nowX: nowX, column: column))
                if let note = bar.note {
                    out.append(StyledLine([Segment("   ⚠ ", bar.noteRole), Segment(CharWidth.truncate(note, to: max(1, width - 6)), .text)]))
                }
            }
        }
        return out
    }

    /// A pod's projected token: the file a trace read from the pod (`p`) when there is one, else the
    /// kubelet schedule estimated from the pod's start.
    static func podBar(_ p: PodIdentity, entry: IdentityEntry, state: AppState) -> Bar {
        var bar = Bar(label: p.name)
        let podKey = "\(p.namespace)/\(p.name)"
        if let file = state.podTokenFiles[podKey], file.issuedAt != nil || file.expiresAt != nil {
            bar.issued = file.issuedAt
            bar.refresh = file.refreshDueAt
            bar.expires = file.expiresAt
            switch file.state {
            case .pastRefresh: bar.role = .statusWarn; bar.note = "token file: \(file.summary)"
            case .expired: bar.role = .statusError; bar.noteRole = .statusError; bar.note = "token file: \(file.summary)"
            case .unreadable: bar.role = .statusWarn; bar.note = "token file: \(file.summary)"
            case .fresh: break
            }
        } else if let s = p.schedule {
            bar.issued = s.issuedAt
            bar.refresh = s.refreshAt
            bar.expires = s.expiresAt
        } else {
            bar.missing = p.injected ? "(no token schedule: the projection sets no expiry)" : "(no projected token: not injected)"
            bar.role = .dim
            return bar
        }
        // A pod that has stopped keeps its last token, and nobody refreshes it any more.
        if let phase = p.phase, phase == "Succeeded" || phase == "Failed" {
            bar.role = .statusWarn
            let life = bar.expires.map { exp -> String in
                let left = exp.timeIntervalSince(state.now)
                return left > 0 ? "it expires in \(Durations.countdown(Int(left)))" : "it expired \(Durations.ago(-left))"
            } ?? "it expires unrefreshed"
            bar.note = "pod \(phase): the kubelet no longer refreshes its token, \(life)" + (bar.note.map { "; \($0)" } ?? "")
        } else if let exp = bar.expires, exp <= state.now, bar.note == nil {
            bar.role = .statusError
            bar.noteRole = .statusError
            bar.note = "expired \(Durations.ago(state.now.timeIntervalSince(exp))) by the estimate: read the pod's own file (p in a trace)"
        }
        return bar
    }

    /// After a test fetch (`f`): the service-account token it requested and the cloud token it got.
    static func fetchBars(_ tok: TokenInspection, now: Date) -> [Bar] {
        var test = Bar(label: "test token", issued: tok.issuedAt, expires: tok.expiresAt, role: .stepRunning)
        if tok.expiresAt == nil { test.missing = "(test token without an expiry)" }
        var cloud = Bar(label: "cloud token", issued: tok.issuedAt, expires: tok.cloudExpiresAt, body: "═", role: .stepPassed)
        if tok.cloudExpiresAt == nil {
            cloud.missing = "(" + (tok.cloudTokenSummary ?? "no cloud token: fetch with a pod selected to exchange it") + ")"
            cloud.role = .dim
        } else if let exp = tok.cloudExpiresAt, exp <= now {
            cloud.role = .statusError
            cloud.noteRole = .statusError
            cloud.note = "the cloud token expired \(Durations.ago(now.timeIntervalSince(exp))): f fetches a new one"
        }
        return [test, cloud]
    }

    /// The time window: every drawn moment and now, at most `maxReach` away from now, padded.
    static func window(_ bars: [Bar], now: Date) -> (Date, Date) {
        let moments = bars.flatMap { [$0.issued, $0.refresh, $0.expires].compactMap { $0 } } + [now]
        var lo = max(moments.min() ?? now, now.addingTimeInterval(-maxReach))
        var hi = min(moments.max() ?? now, now.addingTimeInterval(maxReach))
        if hi.timeIntervalSince(lo) < 600 {
            lo = min(lo, now.addingTimeInterval(-300))
            hi = max(hi, now.addingTimeInterval(300))
        }
        let pad = hi.timeIntervalSince(lo) * 0.03
        return (lo.addingTimeInterval(-pad), hi.addingTimeInterval(pad))
    }

    /// Tick labels (UTC) over a ruler with `┬` at each tick and `▼` at now.
    static func axis(lo: Date, hi: Date, x0: Int, width: Int, barWidth: Int, nowX: Int, column: (Date) -> Int) -> [StyledLine] {
        let span = hi.timeIntervalSince(lo)
        let step = tickSteps.first { span / $0 <= Double(barWidth) / 9 } ?? 86_400
        var labels = CellRow(width: width)
        labels.write(" time (UTC)", at: 0, .dim, limit: x0 - 1)
        var ruler = CellRow(width: width)
        for x in x0..<min(width, x0 + barWidth) { ruler.put("─", at: x, .border) }
        var tick = (lo.timeIntervalSince1970 / step).rounded(.up) * step
        var free = x0
        while tick <= hi.timeIntervalSince1970 {
            let date = Date(timeIntervalSince1970: tick)
            let x = column(date)
            ruler.put("┬", at: x, .border)
            let text = step >= 86_400 ? day(date) : clock(date, seconds: false)
            if x >= free, x + CharWidth.of(text) <= width {
                labels.write(text, at: x, .dim)
                free = x + CharWidth.of(text) + 1
            }
            tick += step
        }
        ruler.put("▼", at: nowX, .title)
        return [labels.line, ruler.line]
    }

    static func row(_ bar: Bar, width: Int, labelWidth: Int, x0: Int, barWidth: Int, nowX: Int, column: (Date) -> Int) -> StyledLine {
        var row = CellRow(width: width)
        row.write("  " + bar.label, at: 0, bar.note == nil ? .text : bar.role, limit: labelWidth)
        if let missing = bar.missing {
            row.write(missing, at: x0, .dim)
            return row.line
        }
        let last = x0 + barWidth - 1
        let start = bar.issued.map(column) ?? x0
        let end = bar.expires.map(column) ?? last
        let a = max(x0, min(last, start)), b = max(x0, min(last, end))
        if a <= b {
            for x in a...b { row.put(bar.body, at: x, bar.role) }
            // The ends are drawn only when they are on the axis (not clipped away).
            if start >= x0 && start <= last { row.put("├", at: start, bar.role) }
            if end >= x0 && end <= last { row.put("┤", at: end, bar.role) }
            if let r = bar.refresh.map(column), r > a, r < b { row.put("R", at: r, .stepRunning) }
        }
        if row.glyph(at: nowX) == " " { row.put("│", at: nowX, .dim) } else { row.put("●", at: nowX, .title) }
        return row.line
    }

    /// `HH:mm` or `HH:mm:ss` in UTC (the axis is UTC so that it reads the same on every machine).
    static func clock(_ date: Date, seconds: Bool) -> String {
        let t = Int(date.timeIntervalSince1970.rounded(.down))
        let s = ((t % 86_400) + 86_400) % 86_400
        let hm = String(format: "%02d:%02d", s / 3600, (s / 60) % 60)
        return seconds ? hm + String(format: ":%02d", s % 60) : hm
    }

    /// `MM-dd` (UTC) for ticks a day apart.
    static func day(_ date: Date) -> String {
        let iso = TokenClock.timestamp(date)
        return String(iso.dropFirst(5).prefix(5))
    }
}
