import XCTest
import WidashCore
@testable import WidashTUI

/// The pure `update`: filters, sorting, navigation, crumbs, commands.
final class UpdateTests: XCTestCase {
    private func visibleKeys(_ s: AppState) -> [String] {
        s.index.identityRows.map { s.inventory.identities[$0].key }
    }

    func testSlashFilterNarrowsToWrongSubject() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong")
        XCTAssertEqual(s.mode, .filter("wrong"))
        XCTAssertEqual(visibleKeys(s), ["broken/wrong-audience", "broken/wrong-issuer", "broken/wrong-subject"])
        TestSupport.send(&s, "-s")
        XCTAssertEqual(visibleKeys(s), ["broken/wrong-subject"])
        TestSupport.press(&s, .enter)
        XCTAssertEqual(s.mode, .normal)
        XCTAssertEqual(s.filter, "wrong-s")
        XCTAssertEqual(s.selectedIdentity?.key, "broken/wrong-subject")
    }

    func testInverseFilter() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/!broken")
        TestSupport.press(&s, .enter)
        let keys = visibleKeys(s)
        XCTAssertEqual(keys.count, 8)
        XCTAssertFalse(keys.contains { $0.hasPrefix("broken/") })
    }

    func testLabelSelectorFilter() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/-l provider=aws-irsa")
        XCTAssertEqual(visibleKeys(s), ["aws/irsa-bad-trust", "aws/irsa-ok"])
        TestSupport.press(&s, .escape)
        XCTAssertEqual(s.filter, "", "esc while typing clears the filter")
        TestSupport.send(&s, "/-l namespace=shop,status!=none")
        XCTAssertEqual(visibleKeys(s), ["shop/backend", "shop/frontend"])
        TestSupport.press(&s, .escape)
        TestSupport.send(&s, "/-l iam.gke.io/gcp-service-account")
        XCTAssertEqual(visibleKeys(s), ["gcp/gke-ok"])
    }

    func testSortByColumnAndCycle() {
        var s = TestSupport.loadedState()
        XCTAssertEqual(visibleKeys(s).first, "aws/irsa-bad-trust")
        TestSupport.send(&s, "E")
        XCTAssertEqual(s.sort, SortState(column: .expires, ascending: true))
        XCTAssertEqual(visibleKeys(s).first, "broken/stale-token", "soonest expiry first")
        TestSupport.send(&s, "E")
        XCTAssertFalse(s.sort.ascending)
        TestSupport.send(&s, "S")
        XCTAssertEqual(Set(visibleKeys(s).prefix(4)), ["aws/irsa-bad-trust", "broken/wrong-audience", "broken/wrong-issuer", "broken/wrong-subject"])
        TestSupport.send(&s, "s")
        XCTAssertEqual(s.sort.column, .namespace, "s cycles from the last column back to the first")
        TestSupport.send(&s, "s")
        XCTAssertEqual(s.sort.column, .name)
    }

    func testNavigationKeys() {
        var s = TestSupport.loadedState(height: 12)
        let page = Layout(s).tablePageSize
        TestSupport.send(&s, "jjj")
        XCTAssertEqual(s.screen.cursor, 3)
        TestSupport.send(&s, "k")
        XCTAssertEqual(s.screen.cursor, 2)
        TestSupport.send(&s, "G")
        XCTAssertEqual(s.screen.cursor, 13)
        XCTAssertEqual(s.screen.offset, 14 - page, "the cursor stays visible")
        TestSupport.send(&s, "g")
        XCTAssertEqual(s.screen.cursor, 0)
        XCTAssertEqual(s.screen.offset, 0)
        TestSupport.press(&s, .pageDown)
        XCTAssertEqual(s.screen.cursor, page)
        TestSupport.press(&s, .up)
        XCTAssertEqual(s.screen.cursor, page - 1)
        TestSupport.send(&s, "kkkkkkkkkkkkkkkkkkkk")
        XCTAssertEqual(s.screen.cursor, 0, "the cursor stops at the top")
    }

    func testMouseClickSelectsAndWheelScrolls() {
        var s = TestSupport.loadedState()
        let layout = Layout(s)
        _ = update(&s, .mouse(.click(x: 10, y: layout.tableFirstRow + 4)))
        XCTAssertEqual(s.screen.cursor, 4)
        _ = update(&s, .mouse(.wheelDown(x: 10, y: 10)))
        XCTAssertEqual(s.screen.cursor, 7)
        _ = update(&s, .mouse(.click(x: 10, y: layout.tableFirstRow + 20)))
        XCTAssertEqual(s.screen.cursor, 7, "a click below the last row changes nothing")
    }

    func testEnterOpensDetailAndEscGoesBackThroughCrumbs() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong-subject")
        TestSupport.press(&s, .enter)
        TestSupport.press(&s, .enter)
        XCTAssertEqual(s.stack.map(\.kind), [.identities, .detail(key: "broken/wrong-subject")])
        let cmds = TestSupport.send(&s, "t")
        XCTAssertEqual(s.stack.map(\.kind.crumb), ["identities", "broken/wrong-subject", "trace"])
        XCTAssertEqual(cmds, [.startTrace(runID: 1, namespace: "broken", pod: "wrong-subject-5c9d8b7f6-h2x7q", resource: nil, podToken: false)])
        XCTAssertTrue(DashboardView.render(s).lines[28].contains("identities   broken/wrong-subject   trace"))
        TestSupport.press(&s, .escape)
        XCTAssertEqual(s.stack.map(\.kind), [.identities, .detail(key: "broken/wrong-subject")])
        TestSupport.press(&s, .escape)
        XCTAssertEqual(s.stack.map(\.kind), [.identities])
        XCTAssertEqual(s.filter, "wrong-subject")
        TestSupport.press(&s, .escape)
        XCTAssertEqual(s.filter, "", "esc on the root clears the filter")
        XCTAssertEqual(s.index.identityRows.count, 14)
    }

    func testTraceFromIdentitiesUsesFirstPodAndReadOnlyRefuses() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "G")
        let cmds = TestSupport.send(&s, "t")
        XCTAssertEqual(cmds, [.startTrace(runID: 1, namespace: "shop", pod: "frontend-7d9c5b8f4-x2x4k", resource: nil, podToken: false)])
        var ro = TestSupport.loadedState(options: DashboardOptions(readOnly: true))
        XCTAssertEqual(TestSupport.send(&ro, "t"), [])
        XCTAssertEqual(ro.flash?.isError, true)
        XCTAssertTrue(ro.flash?.text.contains("read-only") ?? false)
    }

    /// `p` in the trace view: run again presenting the pod's own token file; again: back. A
    /// finished run's file shows in the identity's detail with its finding.
    func testPodTokenKeyRerunsWithThePodsOwnTokenAndTheDetailShowsTheFile() throws {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong-subject")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        let cmds = TestSupport.send(&s, "p")
        XCTAssertEqual(cmds, [.cancelTrace(runID: 1),
                              .startTrace(runID: 2, namespace: "broken", pod: "wrong-subject-5c9d8b7f6-h2x7q", resource: nil, podToken: true)])
        XCTAssertTrue(DashboardView.render(s).lines.contains { $0.contains("pod's own token") })
        XCTAssertEqual(TestSupport.send(&s, "r").last,
                       .startTrace(runID: 3, namespace: "broken", pod: "wrong-subject-5c9d8b7f6-h2x7q", resource: nil, podToken: true),
                       "r keeps the choice")

        // The run finishes with the pod's file judged expired.
        let read = TestSupport.now
        let json = #"{"path":"/var/run/secrets/azure/tokens/azure-identity-token","container":"app","readAt":0,"expiresAt":-840,"#
            + #""audiences":["api://AzureADTokenExchange"],"state":"expired","#
            + #""problems":["expired 14m ago, refresh was due 26m ago: the kubelet on node n1 is not refreshing it"]}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { d in Date(timeInterval: try d.singleValueContainer().decode(Double.self), since: read) }
        let file = try decoder.decode(ProjectedTokenFile.self, from: Data(json.utf8))
        let report = TraceReport(pod: "broken/wrong-subject-5c9d8b7f6-h2x7q", provider: .azure, steps: [], result: .failed, podTokenFile: file)
        _ = update(&s, .trace(runID: 3, event: .finished(report), at: read))
        TestSupport.press(&s, .escape)
        TestSupport.press(&s, .enter)
        XCTAssertEqual(s.stack.map(\.kind), [.identities, .detail(key: "broken/wrong-subject")])
        let detail = DetailDocument.lines(s, key: "broken/wrong-subject", width: 200)
            .map { $0.segments.map(\.text).joined() }.joined(separator: "\n")
        XCTAssertTrue(detail.contains("token file"), detail)
        XCTAssertTrue(detail.contains("pod-token-expired"), detail)

        let back = TestSupport.send(&s, "t")
        XCTAssertEqual(back.last, .startTrace(runID: 4, namespace: "broken", pod: "wrong-subject-5c9d8b7f6-h2x7q", resource: nil, podToken: false),
                       "t starts a trace with a TokenRequest again")

        var ro = TestSupport.loadedState(options: DashboardOptions(readOnly: true))
        ro.trace = s.trace
        Navigation.push(&ro, .trace)
        XCTAssertEqual(TestSupport.send(&ro, "p"), [])
        XCTAssertTrue(ro.flash?.text.contains("pods/exec") ?? false, "\(String(describing: ro.flash))")
    }

    func testRerunCancelsRunningTraceAndIgnoresStaleEvents() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "t")
        let cmds = TestSupport.send(&s, "r")
        XCTAssertEqual(cmds.first, .cancelTrace(runID: 1))
        XCTAssertEqual(s.trace?.runID, 2)
        _ = update(&s, .trace(runID: 1, event: .stepStarted(number: 1), at: TestSupport.now))
        XCTAssertEqual(s.trace?.steps[0].status, .pending, "events of a superseded run are ignored")
    }

    func testAutoRerunStartsAfterInterval() {
        var s = TestSupport.loadedState(options: DashboardOptions(autoRerunSeconds: 5))
        TestSupport.send(&s, "t")
        TestSupport.send(&s, "a")
        TestSupport.feedTrace(&s, upToStep: nil)
        let finished = TestSupport.now.addingTimeInterval(2.1)
        XCTAssertEqual(update(&s, .tick(finished.addingTimeInterval(4))), [])
        let cmds = update(&s, .tick(finished.addingTimeInterval(5)))
        XCTAssertEqual(cmds.count, 1)
        guard case .startTrace(let id, _, _, _, _)? = cmds.first else { return XCTFail("expected a new run") }
        XCTAssertEqual(id, 2)
    }

    func testThemeCommandAndResults() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, ":theme monochrome")
        XCTAssertEqual(s.mode, .command("theme monochrome"))
        XCTAssertEqual(TestSupport.press(&s, .enter), [.loadTheme("monochrome")])
        _ = update(&s, .themeLoaded(BuiltinThemes.monochrome))
        XCTAssertEqual(s.theme.name, "monochrome")
        _ = update(&s, .themeFailed("theme bad.yaml, line 3: unknown colour 'blu'"))
        XCTAssertEqual(s.theme, BuiltinThemes.monochrome, "a bad theme keeps the theme in use")
        XCTAssertEqual(s.flash?.isError, true)
        XCTAssertTrue(s.flash?.text.contains("line 3") ?? false)
    }

    func testQuitCommandAndCtrlC() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, ":q")
        XCTAssertEqual(TestSupport.press(&s, .enter), [.quit])
        XCTAssertTrue(s.quitting)
        var t = TestSupport.loadedState()
        XCTAssertEqual(TestSupport.press(&t, .ctrl("c")), [.quit])
        XCTAssertTrue(t.quitting)
    }

    func testCommandsOpenViews() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, ":pods")
        TestSupport.press(&s, .enter)
        XCTAssertEqual(s.stack.map(\.kind), [.identities, .pods])
        TestSupport.send(&s, ":ctx")
        XCTAssertEqual(TestSupport.press(&s, .enter), [.loadContexts])
        XCTAssertEqual(s.screen.kind, .contexts)
        TestSupport.send(&s, ":doctor")
        XCTAssertEqual(TestSupport.press(&s, .enter), [.runDoctor])
        TestSupport.send(&s, ":ns shop")
        XCTAssertEqual(TestSupport.press(&s, .enter), [.watchInventory(namespace: "shop")])
        XCTAssertEqual(s.stack.map(\.kind), [.identities])
        TestSupport.send(&s, ":bogus")
        XCTAssertEqual(TestSupport.press(&s, .enter), [])
        XCTAssertTrue(s.flash?.text.contains("unknown command ':bogus'") ?? false)
    }

    func testChangedRowsAreHighlightedBriefly() {
        var s = TestSupport.loadedState()
        var inv = s.inventory
        let i = inv.identities.firstIndex { $0.key == "shop/backend" } ?? 0
        inv.identities[i].pods[0].name = "backend-new"
        _ = update(&s, .inventory(InventoryUpdate(inventory: inv, loaded: 14, expected: 14, receivedAt: TestSupport.now)))
        XCTAssertNotNil(s.changedUntil["shop/backend"])
        XCTAssertEqual(s.changedUntil.count, 1)
        _ = update(&s, .tick(TestSupport.now.addingTimeInterval(3)))
        XCTAssertTrue(s.changedUntil.isEmpty)
    }

    func testResizeKeepsCursorVisible() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "G")
        _ = update(&s, .resize(width: 80, height: 12))
        let page = Layout(s).tablePageSize
        XCTAssertTrue(s.screen.cursor >= s.screen.offset && s.screen.cursor < s.screen.offset + page)
    }
}
