import Foundation
import WidashCore

/// The trace as a sequence diagram (`d` in the trace view): one lane per party — the pod (kubelet,
/// projected token), the API server (issuer, JWKS), the cloud's identity service and the resource —
/// and one arrow per step as it runs, marked with its outcome and duration. The failed arrow
/// carries the diagnosis' first line; the timeline (`d` again) has the evidence and the fix.
///
/// Colour comes from the step roles only; the arrows also carry ✓/✗ and the glyphs have ASCII
/// stand-ins (`-`, `>`, `<`, `x`), so monochrome themes and non-UTF-8 terminals read the same.
enum TraceDiagram {
    enum Lane: Int, CaseIterable { case pod, apiServer, cloud, resource }

    /// Who sends to whom in each step (README "The five steps").
    static let arrows: [Int: (from: Lane, to: Lane)] = [
        1: (.apiServer, .pod),   // the kubelet gets the token from the API server and projects it
        2: (.pod, .cloud),       // the pod presents it to the cloud's token endpoint
        3: (.cloud, .apiServer), // the cloud reads the issuer's discovery document and JWKS, checks trust
        4: (.cloud, .pod),       // the cloud answers with its own token
        5: (.pod, .resource),    // the pod calls the resource with it
    ]

    /// Width of the left column that names the steps.
    static func titleWidth(_ width: Int) -> Int { min(20, max(8, width / 5)) }

    static func lines(_ state: AppState, width: Int) -> [StyledLine] {
        guard let t = state.trace else {
            return [StyledLine(" No trace yet: select an identity or a pod and press t.", .dim)]
        }
        var out = TraceDocument.headerLines(t, state: state)
        let titleW = titleWidth(width)
        let gap = max(4, (width - titleW) / Lane.allCases.count)
        let laneX = Lane.allCases.map { titleW + gap / 2 + $0.rawValue * gap }
        let names = laneNames(t)

        func lifelines() -> CellRow {
            var row = CellRow(width: width)
            for x in laneX { row.put("│", at: x, .border) }
            return row
        }
        // Lane headers: name, then what in it takes part, centred over the lifeline.
        for (i, role) in [(0, ColorRole.title), (1, .dim)] {
            var row = CellRow(width: width)
            for lane in Lane.allCases {
                let x = laneX[lane.rawValue]
                let half = (gap - 2) / 2  // a blank column between neighbours' headers
                // The last lane may use the room up to the right edge (hosts are long).
                let minX = x - half, maxX = lane == .resource ? width - 1 : min(width - 1, x + half)
                guard maxX >= minX else { continue }
                let text = CharWidth.truncate(i == 0 ? names[lane.rawValue].title : names[lane.rawValue].detail, to: maxX - minX + 1)
                let w = CharWidth.of(text)
                row.write(text, at: max(minX, min(maxX - w + 1, x - w / 2)), role)
            }
            out.append(row.line)
        }
        out.append(lifelines().line)
        for step in t.steps {
            var row = lifelines()
            let titleRole: ColorRole = step.status == .pending || step.status == .skipped ? .stepPending : .text
            row.write(" \(step.number) \(step.title)", at: 0, titleRole, limit: titleW - 1)
            if step.status != .pending, let arrow = arrows[step.number] {
                drawArrow(&row, from: laneX[arrow.from.rawValue], to: laneX[arrow.to.rawValue], laneX: laneX,
                          step: step, trace: t, state: state)
            }
            out.append(row.line)
            if step.status == .failed, let summary = step.diagnosis?.summary {
                // The failing arrow's one-line diagnosis, under it across the whole width.
                var note = CellRow(width: width)
                note.write("   ✗ ", at: 0, .stepFailed)
                note.write(CharWidth.truncate(firstLine(summary), to: max(1, width - 6)), at: 5, .text)
                out.append(note.line)
                if let fix = step.diagnosis?.fix {
                    // The fix, cut to one row but copied whole (`y`): the diagram is where people look.
                    var fixRow = CellRow(width: width)
                    fixRow.write("     fix: ", at: 0, .statusOK)
                    fixRow.write(CharWidth.truncate(fix, to: max(1, width - 10)), at: 10, .text)
                    out.append(fixRow.line.copying(fix, as: "fix command"))
                }
            } else {
                out.append(lifelines().line)
            }
        }
        out.append(.blank)
        out.append(TraceDocument.resultLine(t, state: state))
        if t.steps.contains(where: { $0.diagnosis != nil }) {
            out.append(StyledLine(" d: the timeline, with each step's evidence and the full diagnosis and fix", .dim))
        }
        return out
    }

    /// One step's arrow on its row: body, crossings of the lanes in between, head, and a label
    /// with the outcome and the duration in the middle.
    static func drawArrow(_ row: inout CellRow, from a: Int, to b: Int, laneX: [Int], step: TraceStep,
                          trace t: TraceSession, state: AppState) {
        let lo = min(a, b), hi = max(a, b)
        guard hi - lo >= 2 else { return }
        let rightwards = b > a
        let (mark, role) = TraceDocument.icon(step.status, frame: state.frame)
        let solid = step.status == .passed || step.status == .failed
        for x in (lo + 1)..<hi {
            row.put(solid ? (laneX.contains(x) ? "┼" : "─") : (laneX.contains(x) ? "│" : "·"), at: x,
                    laneX.contains(x) && !solid ? .border : role)
        }
        if solid { row.put(rightwards ? "├" : "┤", at: a, role) }
        let head: Unicode.Scalar
        switch step.status {
        case .failed: head = "✗"
        case .running: head = mark.unicodeScalars.first ?? "·"
        default: head = rightwards ? "▶" : "◀"
        }
        row.put(head, at: rightwards ? hi - 1 : lo + 1, role)
        let label: String
        switch step.status {
        case .running:
            label = String(format: "running %.1f s", max(0, state.now.timeIntervalSince(t.stepStartedAt ?? t.startedAt)))
        case .skipped: label = "\(mark) skipped"
        default: label = "\(mark) " + (step.durationMs.map { "\($0) ms" } ?? "")
        }
        // A narrow terminal keeps the outcome and the number, then the outcome alone.
        let room = hi - lo - 3
        let short = step.durationMs.map { "\(mark) \($0)" } ?? mark
        let shown = [" \(label) ", label, short].first { CharWidth.of($0) <= room } ?? mark
        row.center(shown, from: lo + 2, to: hi - 2, role)
    }

    /// The first sentence-ish line of a diagnosis summary (it is wrapped in full in the timeline).
    static func firstLine(_ summary: String) -> String {
        summary.split(separator: "\n").first.map(String.init) ?? summary
    }

    /// Lane titles and what takes part in each, by provider; the resource lane is named after the
    /// step-5 target.
    static func laneNames(_ t: TraceSession) -> [(title: String, detail: String)] {
        let cloud: (String, String)
        switch t.provider {
        case .azure?, .azurePodIdentity?: cloud = ("Entra ID", "token endpoint")
        case .awsIRSA?: cloud = ("AWS STS", "web identity")
        case .awsPodIdentity?: cloud = ("EKS Auth", "pod identity")
        case .gcp?: cloud = ("Google STS", "token exchange")
        case nil: cloud = ("cloud", "identity service")
        }
        return [("pod", "kubelet · token"), ("API server", "issuer · JWKS"), cloud, (resourceName(t), "resource")]
    }

    /// The step-5 target as a lane title: a URL's host, else the target itself (`sts:GetCallerIdentity`).
    static func resourceName(_ t: TraceSession) -> String {
        let request = t.steps.first { $0.number == 5 }?.evidence["request"]
        // Evidence reads "GET https://…": the target is the last word.
        guard let target = t.resource ?? request?.split(separator: " ").last.map(String.init) else { return "resource" }
        if let host = URL(string: target)?.host, !host.isEmpty { return host }
        return target
    }
}
