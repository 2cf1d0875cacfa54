import Foundation
import WidashCore

/// The "Events" block of the identity detail: the Kubernetes events of the account's pods and of
/// the workloads whose pod template uses it, newest first — type, reason, object, age, count — the
/// message wrapped, and for a failure widash can read (a webhook unavailable with failurePolicy
/// Fail, a webhook denial, a quota) the diagnosis and the fix.
enum EventLines {
    /// At most this many events are shown (the newest).
    static let limit = 12

    /// Nothing until the watch has said something (the block then appears with what it knows).
    static func lines(_ state: AppState, key: String, width: Int) -> [StyledLine] {
        guard let feed = state.identityEvents[key] else { return [] }
        var out: [StyledLine] = [.blank, Documents.section(" Events (\(feed.events.count))")]
        for read in feed.unreadable {
            out += wrapped(read.summary, lead: "   ⚠ ", hang: "     ", role: .statusWarn, width: width)
        }
        if let problem = feed.problem {
            out += wrapped(problem + " (retrying)", lead: "   ⚠ ", hang: "     ", role: .statusWarn, width: width)
        }
        if !feed.listed {
            out.append(StyledLine("   ⋯ listing events", .dim))
        } else if feed.events.isEmpty, feed.unreadable.isEmpty {
            let what = feed.workloads.isEmpty ? "its pods" : "its pods and \(feed.workloads.joined(separator: ", "))"
            out += wrapped("no recent events for \(what)", lead: "   ", hang: "   ", role: .dim, width: width)
        }
        for event in feed.events.prefix(limit) {
            out += lines(event, now: state.now, width: width)
        }
        if feed.events.count > limit {
            out.append(StyledLine("   … \(feed.events.count - limit) older events", .dim))
        }
        return out
    }

    /// One event: a heading line, the message, and the diagnosis with its fix when there is one.
    static func lines(_ event: KubeEvent, now: Date, width: Int) -> [StyledLine] {
        let warning = event.isWarning
        let age = event.lastSeen.map { Durations.ago(now.timeIntervalSince($0)) } ?? "age unknown"
        // kubectl describe's form: "(x20 over 41m)".
        var count = ""
        if event.occurrences > 1 {
            let span = event.firstSeen.map { " over " + Durations.ago(now.timeIntervalSince($0)).replacingOccurrences(of: " ago", with: "") } ?? ""
            count = " (x\(event.occurrences)\(span))"
        }
        var out = [StyledLine([Segment(warning ? "   ⚠ " : "   ● ", warning ? .statusWarn : .dim),
                               Segment(event.type ?? "Normal", warning ? .statusWarn : .dim),
                               Segment("  \(event.reason ?? "?")", .title),
                               Segment("  \(event.objectLabel)", .text),
                               Segment("  \(age)\(count)", .dim)])]
        out += wrapped(event.message ?? "", lead: "     ", hang: "     ", role: .text, width: width)
        if let diagnosis = EventDiagnosis.diagnose(event) {
            out += wrapped(diagnosis.summary, lead: "     ✗ ", hang: "       ", role: .statusError, width: width)
            for fix in diagnosis.fix {
                out += wrapped(fix, lead: "     fix: ", hang: "          ", role: .statusOK, width: width)
                    .copying(fix, as: "fix command")
            }
            if let note = diagnosis.note {
                out += wrapped(note, lead: "     note: ", hang: "           ", role: .dim, width: width)
            }
        }
        return out
    }

    /// `text` wrapped under a lead (first line) and a hang (the rest), the lead in `role`.
    static func wrapped(_ text: String, lead: String, hang: String, role: ColorRole, width: Int) -> [StyledLine] {
        let textRole: ColorRole = role == .statusOK || role == .statusError ? .text : role
        return TextWrap.wrap(text, width: max(10, width - CharWidth.of(lead))).enumerated().map { index, part in
            StyledLine([Segment(index == 0 ? lead : hang, index == 0 ? role : .dim), Segment(part, textRole)])
        }
    }
}
