import XCTest
import WidashCore
@testable import WidashTUI

/// The trace as a sequence diagram (`d`): mid-run, passed, failed at step 3, in UTF-8 and ASCII,
/// and the step sparklines across re-runs.
final class TraceDiagramSnapshotTests: XCTestCase {
    /// The trace of `key`'s first pod, fed up to `upToStep` (nil: to the end), shown as the diagram.
    private func diagramState(filter: String, upToStep: Int?) -> AppState {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/\(filter)")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        TestSupport.feedTrace(&s, upToStep: upToStep, runningStepStartedAt: TestSupport.now.addingTimeInterval(-0.4))
        TestSupport.send(&s, "d")
        return s
    }

    func testDiagramMidRun() {
        let s = diagramState(filter: "wrong-subject", upToStep: 2)
        XCTAssertTrue(s.traceShowsDiagram)
        PictureSnapshot.assertLines(DashboardView.render(s), Self.midRunUTF8, "diagram-running-100x30")
        PictureSnapshot.assertLines(DashboardView.render(s, unicode: false), Self.midRunASCII, "diagram-running-100x30-ascii")
    }

    func testDiagramPassed() {
        let s = diagramState(filter: "frontend", upToStep: nil)
        PictureSnapshot.assertLines(DashboardView.render(s), Self.passedUTF8, "diagram-passed-100x30")
        PictureSnapshot.assertLines(DashboardView.render(s, unicode: false), Self.passedASCII, "diagram-passed-100x30-ascii")
    }

    func testDiagramStep3Failure() {
        let s = diagramState(filter: "wrong-subject", upToStep: nil)
        let buf = DashboardView.render(s)
        PictureSnapshot.assertLines(buf, Self.failedUTF8, "diagram-failed-100x30")
        PictureSnapshot.assertLines(DashboardView.render(s, unicode: false), Self.failedASCII, "diagram-failed-100x30-ascii")
        // The failed arrow is painted in the failure role, and the diagnosis is right under it.
        let lines = buf.lines
        guard let arrowRow = lines.firstIndex(where: { $0.contains("3 trust checked") }) else { return XCTFail("no step 3 row") }
        XCTAssertTrue(lines[arrowRow + 1].contains("✗ AADSTS700213"), lines[arrowRow + 1])
        let failedCells = (0..<buf.width).filter { buf[$0, arrowRow].role == .stepFailed }
        XCTAssertFalse(failedCells.isEmpty, "the step-3 arrow carries the failure role")
        // The fix row under it is cut to the width but copied whole, and the cursor is on it (`y`).
        let fix = s.trace?.steps.first { $0.status == .failed }?.diagnosis?.fix
        XCTAssertNotNil(fix)
        XCTAssertEqual(CopyActions.selectedValue(s)?.0, fix)
    }

    func testDKeyTogglesBackAndIsOnlyForTheTrace() {
        var s = diagramState(filter: "frontend", upToStep: nil)
        XCTAssertTrue(DashboardView.render(s).lines[2].contains("<d> steps"))
        TestSupport.send(&s, "d")
        XCTAssertFalse(s.traceShowsDiagram)
        XCTAssertTrue(DashboardView.render(s).lines[2].contains("<d> diagram"))
        XCTAssertTrue(DashboardView.render(s).lines.contains { $0.contains("✓ 1  token projected") })
        TestSupport.press(&s, .escape)
        TestSupport.send(&s, "d")
        XCTAssertFalse(s.traceShowsDiagram, "d does nothing outside the trace view")
    }

    func testLaneNamesFollowTheProviderAndTheResource() {
        let aws = diagramState(filter: "irsa-ok", upToStep: nil)
        let text = DashboardView.render(aws).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("AWS STS"), text)
        XCTAssertTrue(text.contains("sts:GetCallerIdent"), text)
        let gcp = diagramState(filter: "gke-ok", upToStep: nil)
        let gtext = DashboardView.render(gcp).lines.joined(separator: "\n")
        XCTAssertTrue(gtext.contains("Google STS"), gtext)
        XCTAssertTrue(gtext.contains("storage.googleapis"), gtext)
    }

    /// Each re-run of the same seed adds its durations to the sparkline next to each step.
    func testSparklinesAcrossRerunsAndResetOnAnotherSeed() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/frontend")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        for (i, extra) in [0, 40, 80, 20].enumerated() {
            if i > 0 { TestSupport.send(&s, "r") }
            guard let t = s.trace, let entry = s.identity(key: t.identityKey) else { return XCTFail("no trace") }
            var steps = SampleTrace.steps(for: entry, pod: t.pod, resource: t.resource)
            for j in steps.indices { steps[j].durationMs = (steps[j].durationMs ?? 0) + extra * (j + 1) }
            _ = update(&s, .trace(runID: t.runID, event: .finished(TraceReport(pod: t.pod, provider: t.provider, steps: steps, result: .passed)),
                                  at: TestSupport.now))
        }
        XCTAssertEqual(s.stepHistory.durations(step: 2, seed: s.trace?.seed ?? ""), [402, 482, 562, 442])
        let lines = DashboardView.render(s).lines
        let step1 = lines.first { $0.contains("1  token projected") } ?? ""
        XCTAssertTrue(step1.hasSuffix("▁▄▇▃  332 ms │"), step1)
        XCTAssertTrue(DashboardView.render(s, unicode: false).lines.contains { $0.contains("_=#-  332 ms |") })
        // Another pod is another seed: the history starts again.
        TestSupport.press(&s, .escape)
        TestSupport.press(&s, .escape)
        TestSupport.send(&s, "/backend")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        TestSupport.feedTrace(&s, upToStep: nil)
        XCTAssertEqual(s.stepHistory.durations(step: 1, seed: s.trace?.seed ?? ""), [312])
        XCTAssertFalse(DashboardView.render(s).lines.contains { $0.contains("▁") || $0.contains("▇") })
    }

    func testSparklineScaling() {
        XCTAssertEqual(Sparkline.render([]), "")
        XCTAssertEqual(Sparkline.render([5, 5, 5]), "▄▄▄")
        XCTAssertEqual(Sparkline.render([0, 50, 100]), "▁▄▇")
        var h = StepDurationHistory()
        for i in 0..<30 { h.record(seed: "a", steps: [TraceStep(number: 1, title: "x", status: .passed, durationMs: i)]) }
        XCTAssertEqual(h.durations(step: 1, seed: "a"), Array(10..<30), "only the last \(StepDurationHistory.limit) runs are kept")
        XCTAssertEqual(h.durations(step: 1, seed: "b"), [])
        h.record(seed: "a", steps: [TraceStep(number: 2, title: "y", status: .skipped)])
        XCTAssertNil(h.samples[2], "skipped steps add nothing")
    }

    static let midRunUTF8: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
            " <r> re-run  <a> auto  <d> steps  <p> pod token  <c> resource  <f> token  <j/k> scroll  <?> help  <…",
            "┌─────────────────────────── Trace broken/wrong-subject-5c9d8b7f6-h2x7q ───────────────────────────┐",
            "│ pod broken/wrong-subject-5c9d8b7f6-h2x7q · Azure WI · resource default · TokenRequest            │",
            "│ auto re-run off                                                                                  │",
            "│                                                                                                  │",
            "│                           pod            API server          Entra ID           resource         │",
            "│                     kubelet · token     issuer · JWKS     token endpoint        resource         │",
            "│                            │                  │                  │                  │            │",
            "│ 1 token projected          │◀─── ✓ 312 ms ────┤                  │                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 2 token sent               ├───────────── ✓ 402 ms ─────────────▶│                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 3 trust checked            │                  │⠋ running 0.4 s ··│                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 4 token issued             │                  │                  │                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 5 resource called          │                  │                  │                  │            │",
            "│                            │                  │                  │                  │            │",
            "│                                                                                                  │",
            "│ ⠋ running… 0.0 s                                                                                 │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "└──────────────────────────────────────────────────────────────────────────────────────────────────┘",
            "  identities   trace",
            " 14 service accounts  ✗ 4 errors  ⚠ 3 warnings  theme default",
    ]
    static let midRunASCII: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
            " <r> re-run  <a> auto  <d> steps  <p> pod token  <c> resource  <f> token  <j/k> scroll  <?> help  <~",
            "+--------------------------- Trace broken/wrong-subject-5c9d8b7f6-h2x7q ---------------------------+",
            "| pod broken/wrong-subject-5c9d8b7f6-h2x7q . Azure WI . resource default . TokenRequest            |",
            "| auto re-run off                                                                                  |",
            "|                                                                                                  |",
            "|                           pod            API server          Entra ID           resource         |",
            "|                     kubelet . token     issuer . JWKS     token endpoint        resource         |",
            "|                            |                  |                  |                  |            |",
            "| 1 token projected          |<--- v 312 ms ----+                  |                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 2 token sent               +------------- v 402 ms ------------->|                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 3 trust checked            |                  || running 0.4 s ..|                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 4 token issued             |                  |                  |                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 5 resource called          |                  |                  |                  |            |",
            "|                            |                  |                  |                  |            |",
            "|                                                                                                  |",
            "| | running~ 0.0 s                                                                                 |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "+--------------------------------------------------------------------------------------------------+",
            "  identities   trace",
            " 14 service accounts  x 4 errors  ! 3 warnings  theme default",
    ]
    static let passedUTF8: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
            " <r> re-run  <a> auto  <d> steps  <p> pod token  <c> resource  <f> token  <j/k> scroll  <?> help  <…",
            "┌────────────────────────────── Trace shop/frontend-7d9c5b8f4-x2x4k ───────────────────────────────┐",
            "│ pod shop/frontend-7d9c5b8f4-x2x4k · Azure WI · resource default · TokenRequest                   │",
            "│ auto re-run off                                                                                  │",
            "│                                                                                                  │",
            "│                           pod            API server          Entra ID       shop-kv.vault.azure.…│",
            "│                     kubelet · token     issuer · JWKS     token endpoint        resource         │",
            "│                            │                  │                  │                  │            │",
            "│ 1 token projected          │◀─── ✓ 312 ms ────┤                  │                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 2 token sent               ├───────────── ✓ 402 ms ─────────────▶│                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 3 trust checked            │                  │◀─── ✓ 515 ms ────┤                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 4 token issued             │◀──────────── ✓ 388 ms ──────────────┤                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 5 resource called          ├──────────────────┼──── ✓ 421 ms ────┼─────────────────▶│            │",
            "│                            │                  │                  │                  │            │",
            "│                                                                                                  │",
            "│ ✓ PASSED: all five steps in 2.1 s                                                                │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "└──────────────────────────────────────────────────────────────────────────────────────────────────┘",
            "  identities   trace",
            " 14 service accounts  ✗ 4 errors  ⚠ 3 warnings  theme default",
    ]
    static let passedASCII: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
            " <r> re-run  <a> auto  <d> steps  <p> pod token  <c> resource  <f> token  <j/k> scroll  <?> help  <~",
            "+------------------------------ Trace shop/frontend-7d9c5b8f4-x2x4k -------------------------------+",
            "| pod shop/frontend-7d9c5b8f4-x2x4k . Azure WI . resource default . TokenRequest                   |",
            "| auto re-run off                                                                                  |",
            "|                                                                                                  |",
            "|                           pod            API server          Entra ID       shop-kv.vault.azure.~|",
            "|                     kubelet . token     issuer . JWKS     token endpoint        resource         |",
            "|                            |                  |                  |                  |            |",
            "| 1 token projected          |<--- v 312 ms ----+                  |                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 2 token sent               +------------- v 402 ms ------------->|                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 3 trust checked            |                  |<--- v 515 ms ----+                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 4 token issued             |<------------ v 388 ms --------------+                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 5 resource called          +------------------+---- v 421 ms ----+----------------->|            |",
            "|                            |                  |                  |                  |            |",
            "|                                                                                                  |",
            "| v PASSED: all five steps in 2.1 s                                                                |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "+--------------------------------------------------------------------------------------------------+",
            "  identities   trace",
            " 14 service accounts  x 4 errors  ! 3 warnings  theme default",
    ]
    static let failedUTF8: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
            " <r> re-run  <a> auto  <d> steps  <p> pod token  <c> resource  <f> token  <j/k> scroll  <?> help  <…",
            "┌─────────────────────────── Trace broken/wrong-subject-5c9d8b7f6-h2x7q ───────────────────────────┐",
            "│ pod broken/wrong-subject-5c9d8b7f6-h2x7q · Azure WI · resource default · TokenRequest            │",
            "│ auto re-run off                                                                                  │",
            "│                                                                                                  │",
            "│                           pod            API server          Entra ID           resource         │",
            "│                     kubelet · token     issuer · JWKS     token endpoint        resource         │",
            "│                            │                  │                  │                  │            │",
            "│ 1 token projected          │◀─── ✓ 312 ms ────┤                  │                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 2 token sent               ├───────────── ✓ 402 ms ─────────────▶│                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 3 trust checked            │                  │✗─── ✗ 515 ms ────┤                  │            │",
            "│   ✗ AADSTS700213: No matching federated identity record found for presented assertion subject '… │",
            "│     fix: az identity federated-credential update -g rg-widash-demo --identity-name id-wrong-subj…│",
            "│ 4 token issued             │◀············ – skipped ·············│                  │            │",
            "│                            │                  │                  │                  │            │",
            "│ 5 resource called          │··················│··· – skipped ····│·················▶│            │",
            "│                            │                  │                  │                  │            │",
            "│                                                                                                  │",
            "│ ✗ FAILED at step 3 (trust checked) in 2.1 s                                                      │",
            "│ d: the timeline, with each step's evidence and the full diagnosis and fix                        │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "└──────────────────────────────────────────────────────────────────────────────────────────────────┘",
            "  identities   trace",
            " 14 service accounts  ✗ 4 errors  ⚠ 3 warnings  theme default",
    ]
    static let failedASCII: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
            " <r> re-run  <a> auto  <d> steps  <p> pod token  <c> resource  <f> token  <j/k> scroll  <?> help  <~",
            "+--------------------------- Trace broken/wrong-subject-5c9d8b7f6-h2x7q ---------------------------+",
            "| pod broken/wrong-subject-5c9d8b7f6-h2x7q . Azure WI . resource default . TokenRequest            |",
            "| auto re-run off                                                                                  |",
            "|                                                                                                  |",
            "|                           pod            API server          Entra ID           resource         |",
            "|                     kubelet . token     issuer . JWKS     token endpoint        resource         |",
            "|                            |                  |                  |                  |            |",
            "| 1 token projected          |<--- v 312 ms ----+                  |                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 2 token sent               +------------- v 402 ms ------------->|                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 3 trust checked            |                  |x--- x 515 ms ----+                  |            |",
            "|   x AADSTS700213: No matching federated identity record found for presented assertion subject '~ |",
            "|     fix: az identity federated-credential update -g rg-widash-demo --identity-name id-wrong-subj~|",
            "| 4 token issued             |<............ - skipped .............|                  |            |",
            "|                            |                  |                  |                  |            |",
            "| 5 resource called          |..................|... - skipped ....|.................>|            |",
            "|                            |                  |                  |                  |            |",
            "|                                                                                                  |",
            "| x FAILED at step 3 (trust checked) in 2.1 s                                                      |",
            "| d: the timeline, with each step's evidence and the full diagnosis and fix                        |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "+--------------------------------------------------------------------------------------------------+",
            "  identities   trace",
            " 14 service accounts  x 4 errors  ! 3 warnings  theme default",
    ]
}

/// Small and odd terminal sizes: the pictures shrink, never crash, and stay ASCII in ASCII mode.
final class PictureSizesTests: XCTestCase {
    func testDiagramAndTimelineAtSmallSizes() {
        for (w, h) in [(40, 10), (41, 12), (57, 15), (80, 24), (233, 60)] {
            var s = TestSupport.loadedState(width: w, height: h)
            TestSupport.send(&s, "/wrong-subject")
            TestSupport.press(&s, .enter)
            TestSupport.send(&s, "t")
            TestSupport.feedTrace(&s, upToStep: nil)
            TestSupport.send(&s, "d")
            let diagram = DashboardView.render(s, unicode: false).lines
            XCTAssertTrue(diagram.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) }, "\(w)×\(h)\n" + diagram.joined(separator: "\n"))
            let doc = Documents.lines(for: .trace, state: s, width: Layout(s).innerWidth).map(\.text)
            XCTAssertTrue(doc.contains { $0.hasPrefix(" 1 ") && $0.contains("┤") }, "\(w)×\(h)\n" + doc.joined(separator: "\n"))
            TestSupport.send(&s, ":pods")
            TestSupport.press(&s, .enter)
            TestSupport.send(&s, "E")
            XCTAssertEqual(s.screen.kind, .timeline)
            let timeline = DashboardView.render(s, unicode: false).lines
            XCTAssertTrue(timeline.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) }, "\(w)×\(h)\n" + timeline.joined(separator: "\n"))
            XCTAssertTrue(timeline.joined().contains("Tokens of") || h < 12, "\(w)×\(h)")
        }
    }
}
