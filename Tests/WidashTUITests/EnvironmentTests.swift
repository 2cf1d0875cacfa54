import XCTest
import WidashCore
@testable import WidashTUI

final class EnvironmentTests: XCTestCase {
    func testFixtureTraceOfWrongSubjectFailsAtStep3() async {
        let env = FixtureEnvironment(stepDelay: 0, watchInterval: 0)
        var events: [TraceEvent] = []
        for await e in env.runTrace(namespace: "broken", pod: "wrong-subject-5c9d8b7f6-h2x7q", resource: nil) { events.append(e) }
        guard case .finished(let report)? = events.last else { return XCTFail("no finished event") }
        XCTAssertEqual(report.result, .failed)
        XCTAssertEqual(report.steps.map(\.status), [.passed, .passed, .failed, .skipped, .skipped])
        XCTAssertTrue(report.steps[2].diagnosis?.summary.hasPrefix("AADSTS700213") ?? false)
        XCTAssertEqual(report.steps[2].diagnosis?.mismatches.first?.field, "subject")
        XCTAssertEqual(events.filter { if case .stepStarted = $0 { return true } else { return false } }.count, 3)
    }

    func testFixtureTraceOfHealthyIdentityPasses() async {
        let env = FixtureEnvironment(stepDelay: 0, watchInterval: 0)
        var last: TraceEvent?
        for await e in env.runTrace(namespace: "shop", pod: "frontend-7d9c5b8f4-x2x4k", resource: nil) { last = e }
        guard case .finished(let report)? = last else { return XCTFail("no finished event") }
        XCTAssertEqual(report.result, .passed)
        XCTAssertEqual(report.steps.map(\.status), Array(repeating: StepStatus.passed, count: 5))
    }

    func testTokenIsHiddenUnlessShowToken() async {
        let hidden = await FixtureEnvironment(stepDelay: 0, watchInterval: 0).fetchToken(namespace: "shop", serviceAccount: "frontend", pod: nil)
        XCTAssertNil(hidden.rawToken)
        XCTAssertTrue(hidden.claimLines.contains("sub: system:serviceaccount:shop:frontend"))
        let shown = await FixtureEnvironment(showToken: true, stepDelay: 0, watchInterval: 0).fetchToken(namespace: "shop", serviceAccount: "frontend", pod: nil)
        XCTAssertNotNil(shown.rawToken)
        var s = TestSupport.loadedState(height: 50)
        TestSupport.send(&s, ":token")
        _ = TestSupport.press(&s, .enter)
        _ = update(&s, .token(hidden))
        let text = DashboardView.render(s).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("Token: hidden"))
        XCTAssertTrue(text.contains("Signature  verified with key demo-key-1"), text)
    }

    func testInventoryStreamLoadsProgressively() async {
        let env = FixtureEnvironment(stepDelay: 0, watchInterval: 0)
        var updates: [InventoryUpdate] = []
        for await u in env.inventoryUpdates(namespace: nil) { updates.append(u) }
        XCTAssertEqual(updates.count, 2)
        XCTAssertFalse(updates[0].isComplete)
        XCTAssertTrue(updates[1].isComplete)
        XCTAssertEqual(updates[1].inventory.identities.count, 14)
    }

    /// The executor runs commands off the UI thread and posts results back as messages.
    func testExecutorPostsThemeAndTraceResults() async throws {
        let box = MessageQueue()
        let exec = CommandExecutor(environment: FixtureEnvironment(stepDelay: 0, watchInterval: 0),
                                   themes: ThemeLoader(searchDirectories: [TestSupport.themesDirectory]), post: { box.post($0) })
        exec.execute(.loadTheme("light"))
        exec.execute(.loadTheme("no-such-theme"))
        exec.execute(.startTrace(runID: 7, namespace: "broken", pod: "wrong-subject-5c9d8b7f6-h2x7q", resource: nil))
        var all: [Message] = []
        for _ in 0..<200 {
            all += box.drain()
            let finished = all.contains { if case .trace(7, .finished, _) = $0 { return true } else { return false } }
            let themes = all.filter { if case .themeLoaded = $0 { return true }; if case .themeFailed = $0 { return true }; return false }
            if finished && themes.count == 2 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertTrue(all.contains { if case .themeLoaded(let t) = $0 { return t.name == "light" } else { return false } })
        XCTAssertTrue(all.contains { if case .themeFailed(let m) = $0 { return m.contains("not found") } else { return false } })
        XCTAssertTrue(all.contains { if case .trace(7, .finished(let r), _) = $0 { return r.result == .failed } else { return false } })
    }

    func testDumbTerminalIsRefusedWithAdvice() {
        let msg = DashboardRunner.terminalProblem(environment: ["TERM": "dumb"])
        XCTAssertNotNil(msg)
        XCTAssertTrue(msg?.contains("widash identities") ?? false)
        XCTAssertTrue(msg?.contains("TERM is dumb") ?? false)
    }
}
