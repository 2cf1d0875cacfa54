import Foundation
import WidashCore

/// The pods view's pane under the table: the recent events of the selected pod and of the
/// workloads whose template uses its service account (a ReplicaSet's FailedCreate names no pod),
/// from the same watch as the identity detail's Events block.
enum PodEventsPane {
    /// The pod under the cursor and its identity's key.
    static func selected(_ state: AppState) -> (pod: PodIdentity, key: String)? {
        let s = state.screen
        guard s.kind == .pods, s.cursor >= 0, s.cursor < state.index.podRows.count else { return nil }
        let ref = state.index.podRows[s.cursor]
        let identity = state.inventory.identities[ref.identity]
        return (identity.pods[ref.pod], identity.key)
    }

    /// The events shown for `pod`: its own and its workloads' (another pod's are not its story).
    static func events(_ feed: IdentityEventsUpdate, pod: String) -> [KubeEvent] {
        feed.events.filter { $0.involvedObject.kind != "Pod" || $0.involvedObject.name == pod }
    }

    static func render(_ buf: inout ScreenBuffer, _ state: AppState, _ layout: Layout) {
        let top = layout.paneTop
        let width = layout.innerWidth
        buf.write(String(repeating: "─", count: width), x: 1, y: top, role: .border)
        guard let (pod, key) = selected(state) else { return }
        var lines: [StyledLine]
        var title = " Events of \(pod.namespace)/\(pod.name) "
        if let feed = state.identityEvents[key], state.eventsFollowed == key {
            let shown = events(feed, pod: pod.name)
            title = " Events of \(pod.namespace)/\(pod.name) and its workloads (\(shown.count)) "
            lines = feed.unreadable.flatMap { EventLines.wrapped($0.summary, lead: " ⚠ ", hang: "   ", role: .statusWarn, width: width - 1) }
            if !feed.listed {
                lines.append(StyledLine(" ⋯ listing events", .dim))
            } else if shown.isEmpty, feed.unreadable.isEmpty {
                lines.append(StyledLine(" no recent events", .dim))
            }
            // The block's own lines, less their detail-view indent.
            lines += shown.flatMap { EventLines.lines($0, now: state.now, width: width + 2) }.map(outdented)
        } else {
            lines = [StyledLine(" ⋯ events follow the cursor once it rests", .dim)]
        }
        buf.write(title, x: 3, y: top, role: .title, maxWidth: max(0, width - 4))
        let room = layout.paneRows - 1
        for (i, line) in lines.prefix(room).enumerated() {
            buf.write(segments: line.segments.map { ($0.text, $0.role) }, x: 1, y: top + 1 + i, maxWidth: width)
        }
        let more = " +\(lines.count - room) lines: enter, the detail "
        if lines.count > room, 3 + CharWidth.of(title) + CharWidth.of(more) < width {
            buf.write(more, x: width - CharWidth.of(more), y: top, role: .dim)
        }
    }

    /// Drops the two columns of indent the detail view gives its event lines.
    static func outdented(_ line: StyledLine) -> StyledLine {
        var line = line
        if var first = line.segments.first, first.text.hasPrefix("  ") {
            first.text.removeFirst(2)
            line.segments[0] = first
        }
        return line
    }
}
