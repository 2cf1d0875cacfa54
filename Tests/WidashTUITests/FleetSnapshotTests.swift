import XCTest
import WidashCore
@testable import WidashTUI

/// The fleet table (issue #15, "Dashboard") rendered at a fixed size, compared line by line.
/// To re-record after an intended change: WIDASH_RECORD=1, then review the printed screens.
final class FleetSnapshotTests: XCTestCase {
    private func assertScreen(_ buf: ScreenBuffer, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        if ProcessInfo.processInfo.environment["WIDASH_RECORD"] == "1" {
            print(buf.lines.map { "            \"\($0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"," }
                .joined(separator: "\n"))
            return
        }
        XCTAssertEqual(buf.lines.count, expected.count, "line count", file: file, line: line)
        for (i, (a, e)) in zip(buf.lines, expected).enumerated() where a != e {
            XCTFail("line \(i):\n  expected: \(e)\n  actual:   \(a)", file: file, line: line)
        }
    }

    func testFleetTableWithReadyLoadingAndUnreachableRows() {
        let buf = DashboardView.render(SampleFleet.state(width: 160))
        assertScreen(buf, [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " fleet 4 clusters (2 ready · 1 loading · 1 unreachable)  identities 18  pods 26  errors 2  warnings 1                                          refreshed 5s ago",
            " <enter> open  </> filter  <s> sort  <r> relist  <?> help  <:> cmd  <esc> back  <^c> quit",
            "┌─────────────────────────────────────────────────────────────────────── Fleet(all)[4] ────────────────────────────────────────────────────────────────────────┐",
            "│ CONTEXT↑     STATUS                 PROVIDERS          IDENTITIES PODS  ERRORS  WARNINGS  TRUST        ISSUER            WEBHOOKS        SOONEST EXPIRY AGE  │",
            "│ aks-prod     ✓ ready                AZ 12 · IRSA 3 · … 15         22    2       1         ✓ 12 ✗ 2 ? 1 ✓ https://westeu… azure-wi-webho… 20m50s         42s  │",
            "│ eks-payments ✓ ready                PodId 2 · GKE 1    3          4     0       0         ✓ 3 ✗ 0 ? 0  ✗ https://oidc.e… none            3m20s          6m   │",
            "│ gke-staging  ⋯ loading              -                  -          -     -       -         -            -                 -               -              -    │",
            "│ onprem-old   ✗ refused: connection… -                  -          -     -       -         -            -                 -               -              5s   │",
            "│                                                                                                                                                              │",
            "│                                                                                                                                                              │",
            "└──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘",
            "  fleet",
            " 4 clusters  ✗ 1 unreachable  ⋯ 1 loading  theme default",
        ])
        // The unreachable row's reason is one line (the message's line break is folded).
        XCTAssertTrue(buf.lines.contains { $0.contains("onprem-old") && $0.contains("✗ refused: connection") })
        XCTAssertEqual(buf[3, 5].role, .tableCursor, "the first row carries the cursor")
    }

    func testFleetTableInASCII() {
        let buf = DashboardView.render(SampleFleet.state(width: 160), unicode: false)
        assertScreen(buf, [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " fleet 4 clusters (2 ready . 1 loading . 1 unreachable)  identities 18  pods 26  errors 2  warnings 1                                          refreshed 5s ago",
            " <enter> open  </> filter  <s> sort  <r> relist  <?> help  <:> cmd  <esc> back  <^c> quit",
            "+----------------------------------------------------------------------- Fleet(all)[4] ------------------------------------------------------------------------+",
            "| CONTEXT^     STATUS                 PROVIDERS          IDENTITIES PODS  ERRORS  WARNINGS  TRUST        ISSUER            WEBHOOKS        SOONEST EXPIRY AGE  |",
            "| aks-prod     v ready                AZ 12 . IRSA 3 . ~ 15         22    2       1         v 12 x 2 ? 1 v https://westeu~ azure-wi-webho~ 20m50s         42s  |",
            "| eks-payments v ready                PodId 2 . GKE 1    3          4     0       0         v 3 x 0 ? 0  x https://oidc.e~ none            3m20s          6m   |",
            "| gke-staging  . loading              -                  -          -     -       -         -            -                 -               -              -    |",
            "| onprem-old   x refused: connection~ -                  -          -     -       -         -            -                 -               -              5s   |",
            "|                                                                                                                                                              |",
            "|                                                                                                                                                              |",
            "+--------------------------------------------------------------------------------------------------------------------------------------------------------------+",
            "  fleet",
            " 4 clusters  x 1 unreachable  . 1 loading  theme default",
        ])
        XCTAssertTrue(buf.lines.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
    }

    func testNarrowTerminalKeepsTheStatusVerdicts() {
        let buf = DashboardView.render(SampleFleet.state(width: 100, height: 12))
        assertScreen(buf, [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " fleet 4 clusters (2 ready · 1 loading · 1 unreachable)  identities 18  pods 26  … refreshed 5s ago",
            " <enter> open  </> filter  <s> sort  <r> relist  <?> help  <:> cmd  <esc> back  <^c> quit",
            "┌───────────────────────────────────────── Fleet(all)[4] ──────────────────────────────────────────┐",
            "│ CONTEXT↑   STATUS      PROVID… IDEN… PODS  ERRORS WARNI… TRUST    ISSUER   WEBHOO… SOONEST… AGE  │",
            "│ aks-prod   ✓ ready     AZ 12 … 15    22    2      1      ✓ 12 ✗ … ✓ https… azure-… 20m50s   42s  │",
            "│ eks-payme… ✓ ready     PodId … 3     4     0      0      ✓ 3 ✗ 0… ✗ https… none    3m20s    6m   │",
            "│ gke-stagi… ⋯ loading   -       -     -     -      -      -        -        -       -        -    │",
            "│ onprem-old ✗ refused:… -       -     -     -      -      -        -        -       -        5s   │",
            "└──────────────────────────────────────────────────────────────────────────────────────────────────┘",
            "  fleet",
            " 4 clusters  ✗ 1 unreachable  ⋯ 1 loading  theme default",
        ])
    }

    func testEmptyFleetSaysItIsReadingAndAProblemIsShown() {
        var state = SampleFleet.state(summaries: [])
        XCTAssertTrue(DashboardView.render(state).lines.contains { $0.contains("reading the kubeconfig's contexts") })
        _ = update(&state, .fleetProblem("--contexts '^prod' matches no context; the kubeconfig has: aks, eks"))
        let lines = DashboardView.render(state).lines
        XCTAssertTrue(lines.contains { $0.contains("matches no context; the kubeconfig has: aks, eks") }, lines.joined(separator: "\n"))
        XCTAssertFalse(state.fleet.watching, ":fleet may start the watch again")
    }

    func testCellTexts() {
        let now = SampleFleet.now
        XCTAssertEqual(FleetCells.text(SampleFleet.aks, .providers, now: now), "AZ 12 · IRSA 3 · legacy 1")
        XCTAssertEqual(FleetCells.text(SampleFleet.eks, .providers, now: now), "PodId 2 · GKE 1")
        XCTAssertEqual(FleetCells.text(SampleFleet.aks, .trust, now: now), "✓ 12 ✗ 2 ? 1")
        XCTAssertEqual(FleetCells.text(SampleFleet.aks, .issuer, now: now), "✓ https://westeurope.oic.prod-aks.azure.com/t/1/")
        XCTAssertEqual(FleetCells.text(SampleFleet.eks, .issuer, now: now), "✗ https://oidc.eks.us-east-1.amazonaws.com/id/ABC")
        XCTAssertEqual(FleetCells.text(SampleFleet.aks, .webhooks, now: now), "azure-wi-webhook:Fail")
        XCTAssertEqual(FleetCells.text(SampleFleet.eks, .webhooks, now: now), "none")
        XCTAssertEqual(FleetCells.text(SampleFleet.aks, .expiry, now: now), "20m50s")
        XCTAssertEqual(FleetCells.text(SampleFleet.eks, .age, now: now), "6m")
        // A cluster not listed has unknown counts, not zero ones.
        for column in [FleetColumn.identities, .pods, .errors, .warnings, .trust, .providers, .webhooks] {
            XCTAssertEqual(FleetCells.text(SampleFleet.staging, column, now: now), "-", "\(column)")
            XCTAssertEqual(FleetCells.text(SampleFleet.old, column, now: now), "-", "\(column)")
        }
        var notAudited = SampleFleet.eks
        notAudited.trust = nil
        XCTAssertEqual(FleetCells.text(notAudited, .trust, now: now), "not audited")
        var noIssuer = SampleFleet.eks
        noIssuer.issuer = nil
        noIssuer.issuerDiscovery = IssuerDiscovery(state: .unknown, reason: "the issuer is not known")
        XCTAssertEqual(FleetCells.text(noIssuer, .issuer, now: now), "? the issuer is not known")
    }

    func testHeaderSumsTheFleet() {
        let t = SampleFleet.state().fleet.totals
        XCTAssertEqual(t, FleetTotals(ready: 2, loading: 1, unreachable: 1, identities: 18, pods: 26, errors: 2, warnings: 1))
    }
}
