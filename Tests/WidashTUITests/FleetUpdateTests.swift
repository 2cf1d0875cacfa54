import XCTest
import WidashCore
@testable import WidashTUI

/// The fleet view's behaviour through `update`: start, live summaries, sort, filter, enter, esc.
final class FleetUpdateTests: XCTestCase {
    private func contexts(_ state: AppState) -> [String] {
        state.fleet.rows.map { state.fleet.summaries[$0].context }
    }

    private func cursorContext(_ state: AppState) -> String? { FleetActions.selected(state)?.context }

    func testFleetFlagOpensOnTheFleetAndStartsItsWatch() {
        var options = DashboardOptions()
        options.startsOnFleet = true
        options.fleetContexts = "^aks|^eks"
        var state = AppState(width: 120, height: 20, now: SampleFleet.now, options: options)
        XCTAssertEqual(FleetActions.start(&state), [.watchFleet(contexts: "^aks|^eks")])
        XCTAssertEqual(state.stack.map(\.kind), [.fleet])
        XCTAssertTrue(state.fleet.watching)
        XCTAssertTrue(DashboardView.render(state).lines[3].contains("Fleet(/^aks|^eks/)[0]"))

        var plain = AppState(width: 120, height: 20, now: SampleFleet.now)
        XCTAssertEqual(FleetActions.start(&plain), [], "without --fleet the dashboard opens on the identities")
        XCTAssertEqual(plain.stack.map(\.kind), [.identities])
    }

    /// On the fleet the current context's inventory is not read; leaving the fleet for a cluster
    /// view (`:sa`) starts its watch once, a context switch starts it itself.
    func testTheCurrentContextsInventoryWaitsUntilTheFleetIsLeft() {
        var options = DashboardOptions()
        options.startsOnFleet = true
        var state = AppState(width: 120, height: 20, now: SampleFleet.now, options: options)
        _ = FleetActions.start(&state)
        state.inventoryWatched = false  // as DashboardRunner starts on the fleet
        XCTAssertFalse(update(&state, .tick(SampleFleet.now)).contains(.watchInventory(namespace: nil)))
        TestSupport.send(&state, ":sa")
        XCTAssertEqual(TestSupport.press(&state, .enter).filter { $0 == .watchInventory(namespace: nil) }.count, 1)
        XCTAssertFalse(update(&state, .tick(SampleFleet.now)).contains(.watchInventory(namespace: nil)), "started once")
    }

    func testSummariesReplaceByContextAndTheCursorStaysOnItsCluster() {
        var state = SampleFleet.state()
        XCTAssertEqual(contexts(state), ["aks-prod", "eks-payments", "gke-staging", "onprem-old"])
        TestSupport.send(&state, "E")  // sort by errors, ascending: unknown counts first
        XCTAssertEqual(cursorContext(state), "aks-prod", "the cursor follows its cluster through a sort")
        TestSupport.send(&state, "g")
        TestSupport.press(&state, .down)
        TestSupport.press(&state, .down)
        XCTAssertEqual(cursorContext(state), "eks-payments")

        var worse = SampleFleet.eks
        worse.errors = 9
        worse.refreshedAt = SampleFleet.now
        _ = update(&state, .fleet(worse))
        XCTAssertEqual(state.fleet.summaries.count, 4, "replaced, not appended")
        XCTAssertEqual(contexts(state).last, "eks-payments", "now the most errors")
        XCTAssertEqual(cursorContext(state), "eks-payments", "the cursor moved with the row")
        XCTAssertEqual(state.fleet.totals.errors, 11)

        // The loading cluster becomes ready: its counts enter the sums.
        var ready = SampleFleet.staging
        ready.status = .ready
        ready.identities = 5
        ready.pods = 7
        _ = update(&state, .fleet(ready))
        XCTAssertEqual(state.fleet.totals, FleetTotals(ready: 3, loading: 0, unreachable: 1, identities: 23, pods: 33, errors: 11, warnings: 1))
    }

    func testSortLettersAndS() {
        var state = SampleFleet.state(width: 160)
        TestSupport.send(&state, "S")
        XCTAssertEqual(contexts(state), ["onprem-old", "gke-staging", "aks-prod", "eks-payments"], "unreachable first, then loading")
        TestSupport.send(&state, "S")
        XCTAssertEqual(contexts(state), ["aks-prod", "eks-payments", "gke-staging", "onprem-old"], "again: descending")
        TestSupport.send(&state, "O")
        XCTAssertEqual(contexts(state), ["gke-staging", "onprem-old", "eks-payments", "aks-prod"], "pods ascending, unknown first")
        XCTAssertEqual(state.fleet.sortColumn, .pods)
        TestSupport.send(&state, "s")
        XCTAssertEqual(state.fleet.sortColumn, .errors, "s moves to the next column")
        XCTAssertTrue(state.fleet.ascending)
        TestSupport.send(&state, "X")
        XCTAssertEqual(contexts(state), ["eks-payments", "aks-prod", "gke-staging", "onprem-old"], "soonest expiry first")
        XCTAssertEqual(state.fleet.sortColumn, .expiry)
        XCTAssertTrue(DashboardView.render(state).lines[4].contains("CONTEXT "), "the arrow left CONTEXT")
        // The identities table's sort is its own.
        XCTAssertEqual(state.sort, SortState())
    }

    func testFilterIsTheFleetsOwnAndSupportsFuzzyAndInverse() {
        var state = SampleFleet.state()
        TestSupport.send(&state, "/eks")
        XCTAssertEqual(state.mode, .filter("eks"))
        XCTAssertEqual(contexts(state), ["eks-payments"], "applied while typing")
        TestSupport.press(&state, .enter)
        XCTAssertEqual(state.fleet.filter, "eks")
        XCTAssertEqual(state.filter, "", "the identities filter is untouched")
        XCTAssertTrue(DashboardView.render(state).lines[3].contains("Fleet(all)[1] </eks>"))

        TestSupport.press(&state, .escape)
        XCTAssertEqual(state.fleet.filter, "", "esc clears the filter first")
        XCTAssertEqual(state.stack.map(\.kind), [.fleet], "and stays on the fleet")

        TestSupport.send(&state, "/-f onprmold")
        TestSupport.press(&state, .enter)
        XCTAssertEqual(contexts(state), ["onprem-old"])
        TestSupport.press(&state, .escape)
        TestSupport.send(&state, "/!ready")
        TestSupport.press(&state, .enter)
        XCTAssertEqual(contexts(state), ["gke-staging", "onprem-old"])
        TestSupport.press(&state, .escape)
        // The reason and the webhook policy are searched too.
        TestSupport.send(&state, "/refused")
        XCTAssertEqual(contexts(state), ["onprem-old"])
        TestSupport.press(&state, .escape)
        TestSupport.send(&state, "/-l aws-irsa")
        TestSupport.press(&state, .enter)
        XCTAssertEqual(contexts(state), ["aks-prod"])
        TestSupport.press(&state, .escape)
        TestSupport.send(&state, "/nothing-like-it")
        TestSupport.press(&state, .enter)
        XCTAssertTrue(DashboardView.render(state).lines.contains { $0.contains("nothing matches /nothing-like-it") })
    }

    func testEnterOpensTheClusterAndEscReturnsToTheFleet() {
        var state = SampleFleet.state()
        TestSupport.press(&state, .down)
        XCTAssertEqual(TestSupport.press(&state, .enter), [.switchContext("eks-payments")])
        let commands = update(&state, .contextSwitched(name: "eks-payments", error: nil))
        XCTAssertEqual(commands, [.loadHeader, .watchInventory(namespace: nil)])
        XCTAssertEqual(state.stack.map(\.kind), [.fleet, .identities], "the fleet stays below the cluster")
        XCTAssertEqual(state.fleet.summaries, SampleFleet.all, "the other clusters keep their summaries")
        XCTAssertEqual(DashboardView.render(state).lines[state.height - 2].trimmingCharacters(in: .whitespaces), "fleet   identities")

        // `:pods` in the opened cluster keeps the fleet below too.
        TestSupport.send(&state, ":pods")
        TestSupport.press(&state, .enter)
        XCTAssertEqual(state.stack.map(\.kind), [.fleet, .identities, .pods])
        TestSupport.press(&state, .escape)
        TestSupport.press(&state, .escape)
        XCTAssertEqual(state.stack.map(\.kind), [.fleet])
        XCTAssertEqual(cursorContext(state), "eks-payments", "back on the row it left")

        // A failed switch stays on the fleet with the reason.
        TestSupport.press(&state, .enter)
        _ = update(&state, .contextSwitched(name: "eks-payments", error: "no such context"))
        XCTAssertEqual(state.stack.map(\.kind), [.fleet])
        XCTAssertEqual(state.flash?.isError, true)
    }

    /// The open cluster's watch updates its row between relists (at most every couple of seconds).
    func testTheOpenClustersWatchKeepsItsRowLive() {
        var aks = SampleFleet.aks
        aks.context = TestSupport.header.context
        var state = SampleFleet.state(summaries: [aks, SampleFleet.eks])
        let inv = SampleInventory.inventory(now: SampleFleet.now)
        func send(at offset: TimeInterval, complete: Bool = true) {
            _ = update(&state, .inventory(InventoryUpdate(inventory: inv, loaded: complete ? 5 : 2, expected: 5,
                                                          receivedAt: SampleFleet.now.addingTimeInterval(offset))))
        }
        send(at: 0, complete: false)
        XCTAssertEqual(state.fleet.summaries[0], aks, "a partial listing does not count")
        send(at: 0)
        let live = state.fleet.summaries[0]
        let expected = ClusterSummarizer.summarize(inv, facts: aks.facts, audited: true, issuerDiscovery: aks.issuerDiscovery,
                                                   now: SampleFleet.now)
        XCTAssertEqual(live, expected, "the same counts the fleet session would give")
        XCTAssertNotEqual(live.identities, aks.identities)
        XCTAssertEqual(state.fleet.summaries[1], SampleFleet.eks, "other clusters are left alone")
        send(at: 1)
        XCTAssertEqual(state.fleet.summaries[0].refreshedAt, SampleFleet.now, "not again within the interval")
        // The change within the interval is not lost: the first tick after it sums it.
        _ = update(&state, .tick(SampleFleet.now.addingTimeInterval(1.5)))
        XCTAssertEqual(state.fleet.summaries[0].refreshedAt, SampleFleet.now, "still within the interval")
        state.lastRefresh = SampleFleet.now.addingTimeInterval(2.5)
        _ = update(&state, .tick(SampleFleet.now.addingTimeInterval(2.6)))
        XCTAssertEqual(state.fleet.summaries[0].refreshedAt, SampleFleet.now.addingTimeInterval(2.5))
        XCTAssertFalse(state.fleet.openClusterChanged)
        send(at: 5)
        XCTAssertEqual(state.fleet.summaries[0].refreshedAt, SampleFleet.now.addingTimeInterval(5))

        // While the audit is still checking a binding the row waits for its verdict.
        var checking = inv
        if let i = checking.identities.firstIndex(where: { !$0.bindings.isEmpty }) {
            checking.identities[i].bindings[0].trust = TrustVerdict(state: .checking)
        }
        _ = update(&state, .inventory(InventoryUpdate(inventory: checking, loaded: 5, expected: 5,
                                                      receivedAt: SampleFleet.now.addingTimeInterval(8))))
        XCTAssertEqual(state.fleet.summaries[0].refreshedAt, SampleFleet.now.addingTimeInterval(5), "no half-audited counts")
        _ = update(&state, .inventory(InventoryUpdate(inventory: inv, loaded: 5, expected: 5, receivedAt: SampleFleet.now.addingTimeInterval(8.5))))
        XCTAssertEqual(state.fleet.summaries[0].refreshedAt, SampleFleet.now.addingTimeInterval(8.5))

        // After a switch the inventory is the new cluster's, even before its header arrives.
        TestSupport.press(&state, .down)
        TestSupport.press(&state, .enter)
        _ = update(&state, .contextSwitched(name: "eks-payments", error: nil))
        _ = update(&state, .tick(SampleFleet.now.addingTimeInterval(9)))
        XCTAssertEqual(state.fleet.summaries[0].refreshedAt, SampleFleet.now.addingTimeInterval(8.5), "the emptied inventory is no one's")
        send(at: 10)
        XCTAssertEqual(state.fleet.summaries[0].refreshedAt, SampleFleet.now.addingTimeInterval(8.5), "the old cluster's row is left")
        XCTAssertEqual(state.fleet.summaries[1].refreshedAt, SampleFleet.now.addingTimeInterval(10), "the switched-to cluster's row follows")
    }

    func testEnterOnAnUnreachableClusterShowsTheWholeReason() {
        var state = SampleFleet.state(height: 40)
        TestSupport.send(&state, "G")
        XCTAssertEqual(cursorContext(state), "onprem-old")
        XCTAssertEqual(TestSupport.press(&state, .enter), [], "nothing to switch to")
        XCTAssertEqual(state.screen.kind, .text(title: "cluster onprem-old unreachable"))
        let text = DashboardView.render(state).lines.joined(separator: "\n")
        XCTAssertTrue(text.contains("refused"), text)
        XCTAssertTrue(text.contains("is the server running?"), "the message's second line is there:\n\(text)")
        XCTAssertTrue(text.contains("https://10.9.9.9:6443"), text)
        TestSupport.press(&state, .escape)
        XCTAssertEqual(state.stack.map(\.kind), [.fleet])
    }

    func testFleetCommand() {
        var state = TestSupport.loadedState()
        TestSupport.send(&state, ":fleet")
        XCTAssertEqual(TestSupport.press(&state, .enter), [.watchFleet(contexts: nil)])
        XCTAssertEqual(state.stack.map(\.kind), [.identities, .fleet])
        _ = update(&state, .fleet(SampleFleet.aks))
        TestSupport.press(&state, .escape)
        TestSupport.send(&state, ":fleet")
        XCTAssertEqual(TestSupport.press(&state, .enter), [], "already watching: no second watch")
        XCTAssertEqual(state.fleet.summaries.count, 1)

        TestSupport.send(&state, ":fleet ^eks")
        XCTAssertEqual(TestSupport.press(&state, .enter), [.watchFleet(contexts: "^eks")])
        XCTAssertEqual(state.fleet.contextsRegex, "^eks")
        XCTAssertTrue(state.fleet.summaries.isEmpty, "another selection starts from its own contexts")

        TestSupport.send(&state, ":fleet (")
        XCTAssertEqual(TestSupport.press(&state, .enter), [])
        XCTAssertEqual(state.flash?.isError, true)
        XCTAssertTrue(state.flash?.text.contains("not a regular expression") == true)

        // A problem (no context matches) lets `:fleet` try again.
        _ = update(&state, .fleetProblem("--contexts '^eks' matches no context"))
        TestSupport.send(&state, ":fleet")
        XCTAssertEqual(TestSupport.press(&state, .enter), [.watchFleet(contexts: "^eks")])
    }

    func testOtherClustersKeysDoNothingOnTheFleetAndRRelists() {
        var state = SampleFleet.state()
        for key in "tfyepcad" {
            XCTAssertEqual(TestSupport.send(&state, String(key)), [], "\(key)")
            XCTAssertEqual(state.stack.map(\.kind), [.fleet], "\(key)")
        }
        XCTAssertEqual(TestSupport.send(&state, "r"), [.watchFleet(contexts: nil)])
        XCTAssertEqual(state.fleet.summaries.count, 4, "the summaries stay until their replacements arrive")
        // The new watch's first word on each context is `loading`: what was read stays.
        for s in SampleFleet.all {
            _ = update(&state, .fleet(ClusterSummary(context: s.context, cluster: s.cluster, server: s.server, user: s.user)))
        }
        XCTAssertEqual(state.fleet.summaries, SampleFleet.all)
        // Moves and help still work.
        TestSupport.send(&state, "j")
        XCTAssertEqual(state.screen.cursor, 1)
        TestSupport.send(&state, "?")
        XCTAssertEqual(state.screen.kind, .help)
    }
}
