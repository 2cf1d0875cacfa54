import XCTest
import WidashCore
@testable import WidashTUI

/// The command executor's plumbing (off the UI thread, results back as messages) and the token
/// view. The environment here is a stub that lives only in this test target; what the dashboard
/// shows for a real cluster is tested against the sandbox in `LiveEnvironmentTests`.
final class EnvironmentTests: XCTestCase {
    func testTokenViewHidesTheTokenAndShowsTheSignatureCheck() {
        let inspection = TokenInspection(
            namespace: "shop", serviceAccount: "frontend", pod: nil,
            headerLines: ["alg: RS256", "kid: demo-key-1"], claimLines: ["sub: system:serviceaccount:shop:frontend"],
            issuedAt: TestSupport.now, expiresAt: TestSupport.now.addingTimeInterval(3600),
            signature: .verified(keyID: "demo-key-1"), cloudTokenSummary: nil)
        var s = TestSupport.loadedState(height: 50)
        TestSupport.send(&s, ":token")
        _ = TestSupport.press(&s, .enter)
        _ = update(&s, .token(inspection))
        let text = DashboardView.render(s).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("Token: hidden"), text)
        XCTAssertTrue(text.contains("Signature  verified with key demo-key-1"), text)
    }

    /// The executor runs commands off the UI thread and posts results back as messages.
    func testExecutorPostsThemeAndTraceResults() async throws {
        let box = MessageQueue()
        let exec = CommandExecutor(environment: StubEnvironment(), themes: ThemeLoader(searchDirectories: [TestSupport.themesDirectory]),
                                   post: { box.post($0) })
        exec.execute(.loadTheme("light"))
        exec.execute(.loadTheme("no-such-theme"))
        exec.execute(.startTrace(runID: 7, namespace: "broken", pod: "wrong-subject", resource: nil, podToken: false))
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
        XCTAssertTrue(all.contains { if case .trace(7, .started(let pod, _), _) = $0 { return pod == "broken/wrong-subject" } else { return false } })
        XCTAssertTrue(all.contains { if case .trace(7, .finished(let r), _) = $0 { return r.result == .failed } else { return false } })
    }

    func testDumbTerminalIsRefusedWithAdvice() {
        let msg = DashboardRunner.terminalProblem(environment: ["TERM": "dumb"])
        XCTAssertNotNil(msg)
        XCTAssertTrue(msg?.contains("widash identities") ?? false)
        XCTAssertTrue(msg?.contains("TERM is dumb") ?? false)
    }
}

/// Answers the executor's calls with fixed values: enough to see the plumbing, nothing the product uses.
private struct StubEnvironment: DashboardEnvironment {
    func headerFacts() async -> HeaderFacts { TestSupport.header }
    func inventoryUpdates(namespace: String?) -> AsyncStream<InventoryUpdate> { AsyncStream { $0.finish() } }
    func runTrace(namespace: String, pod: String, resource: String?, podToken: Bool) -> AsyncStream<TraceEvent> {
        let key = "\(namespace)/\(pod)"
        let report = TraceReport(pod: key, provider: .azure, steps: [], result: .failed)
        return AsyncStream { c in
            c.yield(.started(pod: key, provider: .azure))
            c.yield(.finished(report))
            c.finish()
        }
    }
    func fetchToken(namespace: String, serviceAccount: String, pod: String?) async -> TokenInspection {
        .failure(namespace: namespace, serviceAccount: serviceAccount, pod: pod, error: "stub")
    }
    func doctor() async -> [DoctorCheck] { [] }
    func contexts() -> [String] { [] }
    func switchContext(_ name: String) async throws {}
    func namespaces() async -> [String] { [] }
    func traceResources(namespace: String, serviceAccount: String) async -> [String] { [] }
    func rerunTrustAudit() {}
}
