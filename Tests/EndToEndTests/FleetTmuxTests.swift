import Foundation
import XCTest

/// Issue #15 ("Fleet view"), dashboard acceptance: `widash --demo --fleet` under tmux shows every
/// demo context with its counts and the unreachable one with its reason without delaying the
/// others; enter opens a cluster's identities, esc comes back to the fleet, `:q` exits 0.
///
/// The demo cluster's own API is slowed with `--faults latency=…` (the other demo clusters take no
/// faults), so that the order of events says something: the other clusters' rows must turn ready
/// while the slow one still loads. The test asserts that order, never a duration.
final class FleetTmuxTests: XCTestCase {
    private var harness: TmuxHarness?

    override func setUpWithError() throws { harness = try TmuxHarness(testName: "FleetTmuxTests") }

    override func tearDown() { harness?.close() }

    /// What one context should show, read from the non-interactive CLI (the single-cluster path
    /// for the counts: a reading independent of the fleet's).
    struct Expected {
        var context: String
        var server: String
        var unreachable: (kind: String, message: String)?
        var providers = ""
        var identities = 0
        var pods = 0
        var errors = 0
        var warnings = 0
    }

    func testDemoFleetShowsEveryClusterTheUnreachableOneDoesNotDelayTheOthersEnterAndEsc() async throws {
        let t = try XCTUnwrap(harness)
        let expected = try await Self.expectedClusters()
        let names = expected.map(\.context)
        XCTAssertGreaterThanOrEqual(names.count, 2, "the demo kubeconfig holds several contexts: \(names)")
        let main = try XCTUnwrap(expected.first { $0.context == "widash-sandbox" }, "the demo's own context: \(names)")
        let unreachable = expected.filter { $0.unreachable != nil }
        XCTAssertFalse(unreachable.isEmpty, "the demo has an unreachable context: \(names)")
        // Served by the slowed demo API server, and the others (which must not wait for them).
        let slow = Set(expected.filter { $0.server == main.server }.map(\.context))
        let fast = expected.filter { !slow.contains($0.context) && $0.unreachable == nil }.map(\.context)

        let binary = try WidashBinaryLocator.path()
        let dir = t.directory.path
        try t.start("HOME=\(WidashCLI.home) TERM=xterm-256color \(binary) --demo --fleet --faults latency=2s,for=20s; "
                    + "echo $? > \(dir)/code; sleep 60", width: 230, height: 40)

        // Poll the screen and note, per context, the first poll that showed it settled.
        var settledAt: [String: Int] = [:]
        var poll = 0
        var screen = ""
        let deadline = Date().addingTimeInterval(90)
        while settledAt.count < names.count && Date() < deadline {
            screen = try t.capture()
            for name in names where settledAt[name] == nil {
                guard let status = FleetScreen.cell(screen, context: name, column: "STATUS") else { continue }
                if status.hasPrefix("✓ ready") || status.hasPrefix("✗") { settledAt[name] = poll }
            }
            poll += 1
            try await Task.sleep(for: .milliseconds(200))
        }
        XCTAssertEqual(Set(settledAt.keys), Set(names), "every context settles; last screen:\n\(screen)")
        for f in fast {
            for s in slow {
                XCTAssertLessThan(settledAt[f] ?? .max, settledAt[s] ?? .max, "\(f) turned ready before the slowed \(s) did")
            }
        }
        for u in unreachable {
            for s in slow {
                XCTAssertLessThan(settledAt[u.context] ?? .max, settledAt[s] ?? .max, "\(u.context)'s failure did not wait for \(s)")
            }
        }

        // Every row with the CLI's counts (waiting out a relist if the slowed read saw less), the
        // unreachable ones with their reason, and the header summing the fleet.
        screen = try t.waitFor("every cluster's counts", timeout: 60) { screen in
            expected.allSatisfy { FleetScreen.matches(screen, $0) }
        }
        for e in expected { XCTAssertTrue(FleetScreen.matches(screen, e), "\(e.context):\n\(screen)") }
        let ready = expected.count - unreachable.count
        XCTAssertTrue(screen.contains("fleet \(expected.count) clusters (\(ready) ready · \(unreachable.count) unreachable)"), screen)
        XCTAssertTrue(screen.contains("identities \(expected.map(\.identities).reduce(0, +))  pods \(expected.map(\.pods).reduce(0, +))"), screen)

        // enter on the unreachable row: the whole reason.
        let gone = try XCTUnwrap(unreachable.first)
        try t.keys("/\(gone.context)", "Enter", "Enter")
        screen = try t.waitFor("the unreachable cluster's whole reason") {
            $0.contains("cluster \(gone.context) unreachable") && $0.contains(String(gone.unreachable?.message.prefix(50) ?? "?"))
        }
        try t.keys("Escape", "Escape")
        screen = try t.waitFor("back on the whole fleet") { $0.contains("Fleet(all)[\(expected.count)]") }

        // enter on a ready cluster opens its identities; esc comes back to the fleet.
        let opened = try XCTUnwrap(fast.first ?? expected.first { $0.unreachable == nil }?.context)
        try t.keys("/\(opened)", "Enter")
        screen = try t.waitFor("the filter narrows to \(opened)") { $0.contains("Fleet(all)[1] </\(opened)>") }
        try t.keys("Enter")
        screen = try t.waitFor("\(opened)'s identities") {
            $0.contains("context \(opened) ") && $0.contains("Identities(all)") && $0.contains(" fleet   identities")
        }
        try t.keys("Escape")
        screen = try t.waitFor("back on the fleet, still filtered") { $0.contains("Fleet(all)[1] </\(opened)>") }
        XCTAssertTrue(FleetScreen.cell(screen, context: opened, column: "STATUS")?.hasPrefix("✓ ready") == true, screen)
        try t.keys("Escape")
        // (The opened cluster's row follows its own watch, whose trust audit may still be running.)
        screen = try t.waitFor("every cluster is still there", timeout: 60) { screen in
            screen.contains("Fleet(all)[\(expected.count)]") && expected.allSatisfy { FleetScreen.matches(screen, $0) }
        }

        try t.keys(":q", "Enter")
        XCTAssertEqual(try t.waitForFile("\(dir)/code").trimmingCharacters(in: .whitespacesAndNewlines), "0")
    }

    /// `--contexts` without `--fleet`, or with a pattern that is not a regular expression, is a
    /// usage error that says what to do (before any terminal is touched).
    func testContextsFlagIsCheckedBeforeStart() async throws {
        let alone = try await WidashCLI.run(["dashboard", "--demo", "--contexts", "^eks"])
        XCTAssertEqual(alone.exitCode, 2, alone.summary)
        XCTAssertTrue(alone.stderr.contains("--contexts picks the fleet's contexts: add --fleet"), alone.summary)
        let bad = try await WidashCLI.run(["dashboard", "--demo", "--fleet", "--contexts", "(eks"])
        XCTAssertEqual(bad.exitCode, 2, bad.summary)
        XCTAssertTrue(bad.stderr.contains("not a regular expression"), bad.summary)
    }

    // MARK: - The expected rows

    /// The contexts and their reachability from `widash identities --demo --all-contexts -o json`,
    /// the counts of each reachable one from `widash identities --demo --context C -o json`.
    static func expectedClusters() async throws -> [Expected] {
        let fleet = try await WidashCLI.run(["identities", "--demo", "--all-contexts", "-o", "json"], timeout: 120)
        XCTAssertEqual(fleet.exitCode, 0, fleet.summary)
        let clusters = try XCTUnwrap(try decodeJSONObject(fleet.stdout)["clusters"] as? [[String: Any]], fleet.stdout)
        var out: [Expected] = []
        for cluster in clusters {
            let summary = cluster["summary"] as? [String: Any] ?? cluster
            let context = try XCTUnwrap(summary["context"] as? String)
            var e = Expected(context: context, server: summary["server"] as? String ?? "")
            if summary["status"] as? String == "unreachable" {
                let failure = summary["failure"] as? [String: Any] ?? [:]
                e.unreachable = (failure["kind"] as? String ?? "?", failure["message"] as? String ?? "?")
            } else {
                let one = try await WidashCLI.run(["identities", "--demo", "--context", context, "-o", "json"])
                XCTAssertEqual(one.exitCode, 0, one.summary)
                let doc = try InventoryDocument(json: one.stdout)
                let bound = doc.identities.filter { !InventoryDocument.bindings($0).isEmpty }
                var providers: [String: Int] = [:]
                for identity in bound {
                    for p in Set(InventoryDocument.bindings(identity).compactMap { $0["provider"] as? String }) { providers[p, default: 0] += 1 }
                }
                let labels = [("azure", "AZ"), ("aws-irsa", "IRSA"), ("aws-pod-identity", "PodId"), ("gcp", "GKE"), ("azure-pod-identity", "legacy")]
                e.providers = labels.compactMap { key, label in providers[key].map { "\(label) \($0)" } }.joined(separator: " · ")
                if e.providers.isEmpty { e.providers = "none" }
                e.identities = bound.count
                e.pods = bound.map { InventoryDocument.pods($0).count }.reduce(0, +)
                let findings = doc.root["clusterFindings"] as? [[String: Any]] ?? []
                e.errors = doc.identities.filter { $0["status"] as? String == "error" }.count
                    + findings.filter { $0["severity"] as? String == "error" }.count
                e.warnings = doc.identities.filter { $0["status"] as? String == "warning" }.count
                    + findings.filter { $0["severity"] as? String == "warning" }.count
            }
            out.append(e)
        }
        return out
    }
}

/// Reads the fleet table off a captured screen: a row is the line whose first cell is the context,
/// its cells are cut at the header's title positions.
enum FleetScreen {
    static let titles = ["CONTEXT", "STATUS", "PROVIDERS", "IDENTITIES", "PODS", "ERRORS", "WARNINGS", "TRUST", "ISSUER",
                         "WEBHOOKS", "SOONEST EXPIRY", "AGE"]

    static func cell(_ screen: String, context: String, column: String) -> String? {
        let lines = screen.split(separator: "\n").map { Array(String($0)) }
        guard let header = lines.first(where: { String($0).contains("│ CONTEXT") }),
              let row = lines.first(where: { String($0).hasPrefix("│ \(context) ") }) else { return nil }
        let headerText = String(header)
        let starts = titles.compactMap { title -> Int? in
            guard let r = headerText.range(of: title) else { return nil }
            return headerText.distance(from: headerText.startIndex, to: r.lowerBound)
        }
        guard starts.count == titles.count, let i = titles.firstIndex(of: column) else { return nil }
        let from = starts[i]
        let to = i + 1 < starts.count ? starts[i + 1] : row.count - 1
        guard from < row.count, to <= row.count, from < to else { return nil }
        return String(row[from..<to]).trimmingCharacters(in: .whitespaces)
    }

    /// A cell that shows `text`, or its start cut with `…`.
    static func shows(_ cell: String?, _ text: String) -> Bool {
        guard let cell else { return false }
        if cell.hasSuffix("…") { return text.hasPrefix(String(cell.dropLast())) }
        return cell == text
    }

    static func matches(_ screen: String, _ e: FleetTmuxTests.Expected) -> Bool {
        func c(_ column: String) -> String? { cell(screen, context: e.context, column: column) }
        if let (kind, _) = e.unreachable {
            return c("STATUS")?.hasPrefix("✗ \(kind)") == true && c("IDENTITIES") == "-"
        }
        return c("STATUS") == "✓ ready" && shows(c("PROVIDERS"), e.providers) && c("IDENTITIES") == "\(e.identities)"
            && c("PODS") == "\(e.pods)" && c("ERRORS") == "\(e.errors)" && c("WARNINGS") == "\(e.warnings)"
    }
}
