import XCTest
import WidashCore
@testable import WidashTUI

/// The token timeline (`:timeline`, `e`/`E` in the pods view) at fixed sizes, UTF-8 and ASCII.
final class TokenTimelineSnapshotTests: XCTestCase {
    static let now = TestSupport.now

    /// An unsigned JWT with these claims: what `ProjectedTokenFile.judge` reads from a pod.
    private func jwt(_ claims: [String: Any]) throws -> String {
        let header = Base64URL.encode(Data(#"{"alg":"RS256","kid":"demo-key-1"}"#.utf8))
        let body = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        return "\(header).\(body).c2ln"
    }

    private func podsView(filter: String) -> AppState {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, ":pods")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "/\(filter)")
        TestSupport.press(&s, .enter)
        return s
    }

    /// `e` on a pod: its identity's pods, and after a test fetch the test and cloud tokens.
    func testTimelineOfAnIdentityWithATestFetch() {
        var s = podsView(filter: "frontend")
        var tok = TokenInspection(namespace: "shop", serviceAccount: "frontend", pod: "frontend-7d9c5b8f4-x2x4k", headerLines: [],
                                  claimLines: [], issuedAt: Self.now.addingTimeInterval(-300), expiresAt: Self.now.addingTimeInterval(3300),
                                  signature: .verified(keyID: "demo-key-1"), cloudTokenSummary: "cloud token for https://vault.azure.net")
        tok.cloudExpiresAt = Self.now.addingTimeInterval(4800)
        _ = update(&s, .token(tok))
        TestSupport.send(&s, "e")
        XCTAssertEqual(s.screen.kind, .timeline)
        XCTAssertEqual(s.timelineSelection.picks.map(\.pod), ["frontend-7d9c5b8f4-x2x4k", "frontend-7d9c5b8f4-pq8wz"])
        PictureSnapshot.assertLines(DashboardView.render(s), Self.identityUTF8, "timeline-identity-100x30")
        PictureSnapshot.assertLines(DashboardView.render(s, unicode: false), Self.identityASCII, "timeline-identity-100x30-ascii")
    }

    /// `E`: every pod of the filtered table; a stopped pod and a token file the kubelet stopped
    /// refreshing stand out with their reason.
    func testTimelineOfThePodsTableWithStaleAndStoppedPods() throws {
        var s = TestSupport.loadedState()
        var inv = SampleInventory.inventory(now: Self.now)
        let i = try XCTUnwrap(inv.identities.firstIndex { $0.key == "broken/no-role" })
        inv.identities[i].pods[0].phase = "Failed"
        _ = update(&s, .inventory(InventoryUpdate(inventory: inv, loaded: inv.identities.count, expected: inv.identities.count,
                                                  receivedAt: Self.now)))
        // The stale pod's own file: issued 57 min ago with a 1 h life, refresh due 9 min ago.
        let token = try jwt(["iss": SampleInventory.issuer, "sub": "system:serviceaccount:broken:stale-token",
                             "aud": [SampleInventory.azureAudience], "iat": Int(Self.now.timeIntervalSince1970) - 3420,
                             "exp": Int(Self.now.timeIntervalSince1970) + 180, "kubernetes.io": ["node": ["name": "aks-node-2"]]])
        s.podTokenFiles["broken/stale-token-4a3b2c1d0-u7i8o"] = ProjectedTokenFile.judge(
            token: token, path: SampleInventory.azureTokenPath, container: "app", expectedAudience: SampleInventory.azureAudience,
            expectedIssuer: SampleInventory.issuer, now: Self.now)
        TestSupport.send(&s, ":pods")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "/broken/")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "E")
        XCTAssertEqual(s.screen.kind, .timeline)
        let buf = DashboardView.render(s)
        PictureSnapshot.assertLines(buf, Self.tableUTF8, "timeline-table-100x30")
        PictureSnapshot.assertLines(DashboardView.render(s, unicode: false), Self.tableASCII, "timeline-table-100x30-ascii")
        let lines = buf.lines
        XCTAssertTrue(lines.contains { $0.contains("⚠ pod Failed: the kubelet no longer refreshes its token") })
        XCTAssertTrue(lines.contains { $0.contains("⚠ token file: refresh was due 9m") })
    }

    /// A 5 000-pod deployment: the timeline draws the first `maxPods` and counts the rest.
    func testTimelineIsBoundedForLargeIdentities() throws {
        var s = TestSupport.loadedState()
        var inv = SampleInventory.inventory(now: Self.now)
        let i = try XCTUnwrap(inv.identities.firstIndex { $0.key == "shop/backend" })
        let template = inv.identities[i].pods[0]
        inv.identities[i].pods = (0..<5_000).map { n in
            var p = template
            p.name = "backend-\(n)"
            return p
        }
        _ = update(&s, .inventory(InventoryUpdate(inventory: inv, loaded: inv.identities.count, expected: inv.identities.count,
                                                  receivedAt: Self.now)))
        TestSupport.send(&s, "/backend")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, ":timeline")
        TestSupport.press(&s, .enter)
        XCTAssertEqual(s.timelineSelection.picks.count, TimelineSelection.maxPods)
        let lines = Documents.lines(for: .timeline, state: s, width: 98).map(\.text)
        XCTAssertTrue(lines[0].contains("40 pods (+4960 not shown)"), lines[0])
        XCTAssertEqual(lines.filter { $0.hasPrefix("  backend-") }.count, TimelineSelection.maxPods)
    }

    /// Picks follow their pods when the inventory reorders, and leave when the pods go.
    func testPicksSurviveReorderingAndDroppedPods() throws {
        var s = podsView(filter: "frontend")
        TestSupport.send(&s, "e")
        var inv = s.inventory
        inv.identities.reverse()
        let i = try XCTUnwrap(inv.identities.firstIndex { $0.key == "shop/frontend" })
        inv.identities[i].pods.removeFirst()
        _ = update(&s, .inventory(InventoryUpdate(inventory: inv, loaded: inv.identities.count, expected: inv.identities.count,
                                                  receivedAt: Self.now)))
        let rows = s.timelineSelection.resolve(in: s.inventory)
        XCTAssertEqual(rows.map(\.pod.name), ["frontend-7d9c5b8f4-pq8wz"])
    }

    func testNothingSelectedSaysWhatToDo() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/no-such-thing")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, ":timeline")
        TestSupport.press(&s, .enter)
        XCTAssertEqual(s.flash?.isError, true)
        XCTAssertNotEqual(s.screen.kind, .timeline)
    }

    func testCloudTokenExpiryFromStep4Evidence() {
        XCTAssertEqual(CloudTokenExpiry.from(step4: Evidence([("expiresOn", "2025-06-15T16:06:40Z")])),
                       Date(timeIntervalSince1970: 1_750_003_600))
        XCTAssertEqual(CloudTokenExpiry.from(step4: Evidence([("expiration", "2025-06-15T16:06:40Z (in 3600 s)")])),
                       Date(timeIntervalSince1970: 1_750_003_600))
        XCTAssertNil(CloudTokenExpiry.from(step4: Evidence([("expiresIn", "3599 s")])))
    }

    static let identityUTF8: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
            " <f> test fetch  <j/k> scroll  <?> help  <:> cmd  <esc> back  <^c> quit",
            "┌───────────────────────────────────────── Token timeline ─────────────────────────────────────────┐",
            "│ Tokens of shop/frontend · 2 pods · now 15:06:40 UTC                                              │",
            "│ ├ issued  R kubelet refresh (80 %)  ┤ expiry  │ now  ═ cloud token                               │",
            "│                                                                                                  │",
            "│ time (UTC)                        15:00     15:15     15:30      15:45     16:00     16:15       │",
            "│                            ───────┬───▼─────┬─────────┬──────────┬─────────┬─────────┬────────── │",
            "│ shop/frontend                                                                                    │",
            "│  frontend-7d9c5b8f4-x2x4k     ├───────●────────────────────────R───────┤                         │",
            "│  frontend-7d9c5b8f4-pq8wz    ├────────●───────────────────────R───────┤                          │",
            "│  test token                        ├──●─────────────────────────────────────┤                    │",
            "│  cloud token                       ├══●══════════════════════════════════════════════════════┤   │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "└──────────────────────────────────────────────────────────────────────────────────────────────────┘",
            "  identities   pods   timeline",
            " 14 service accounts  ✗ 4 errors  ⚠ 3 warnings  theme default",
    ]
    static let identityASCII: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
            " <f> test fetch  <j/k> scroll  <?> help  <:> cmd  <esc> back  <^c> quit",
            "+----------------------------------------- Token timeline -----------------------------------------+",
            "| Tokens of shop/frontend . 2 pods . now 15:06:40 UTC                                              |",
            "| + issued  R kubelet refresh (80 %)  + expiry  | now  = cloud token                               |",
            "|                                                                                                  |",
            "| time (UTC)                        15:00     15:15     15:30      15:45     16:00     16:15       |",
            "|                            -------+---v-----+---------+----------+---------+---------+---------- |",
            "| shop/frontend                                                                                    |",
            "|  frontend-7d9c5b8f4-x2x4k     +-------*------------------------R-------+                         |",
            "|  frontend-7d9c5b8f4-pq8wz    +--------*-----------------------R-------+                          |",
            "|  test token                        +--*-------------------------------------+                    |",
            "|  cloud token                       +==*======================================================+   |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "+--------------------------------------------------------------------------------------------------+",
            "  identities   pods   timeline",
            " 14 service accounts  x 4 errors  ! 3 warnings  theme default",
    ]
    static let tableUTF8: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 0s ago",
            " <f> test fetch  <j/k> scroll  <?> help  <:> cmd  <esc> back  <^c> quit",
            "┌───────────────────────────────────────── Token timeline ─────────────────────────────────────────┐",
            "│ Tokens of the pods table filtered by broken/ · 6 pods · now 15:06:40 UTC                         │",
            "│ ├ issued  R kubelet refresh (80 %)  ┤ expiry  │ now  ═ cloud token                               │",
            "│                                                                                                  │",
            "│ time (UTC)                           14:15      14:30     14:45     15:00     15:15      15:30   │",
            "│                                 ─────┬──────────┬─────────┬─────────┬────▼────┬──────────┬────── │",
            "│ broken/wrong-subject                                                                             │",
            "│  wrong-subject-5c9d8b7f6-h2x7q               ├───────────────────────────●────R───────┤          │",
            "│ broken/wrong-issuer                                                                              │",
            "│  wrong-issuer-7b6c5d4e3-k9l8m          ├───────────────────────────────R─●──────┤                │",
            "│ broken/wrong-audience                                                                            │",
            "│  wrong-audience-6d5e4f3a2-q1w2e    ├────────────────────────────────R────●──┤                    │",
            "│ broken/no-label                                                                                  │",
            "│  no-label-5f4e3d2c1-z9x8c       (no projected token: not injected)                               │",
            "│ broken/no-role                                                                                   │",
            "│  no-role-8e7d6c5b4-r5t6y                            ├────────────────────●───────────R───────┤   │",
            "│   ⚠ pod Failed: the kubelet no longer refreshes its token, it expires in 30m00s                  │",
            "│ broken/stale-token                                                                               │",
            "│  stale-token-4a3b2c1d0-u7i8o      ├────────────────────────────────R─────●─┤                     │",
            "│   ⚠ token file: refresh was due 9m ago and has not happened: the kubelet on node aks-node-2 is … │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "│                                                                                                  │",
            "└──────────────────────────────────────────────────────────────────────────────────────────────────┘",
            "  identities   pods   timeline",
            " 14 service accounts  ✗ 4 errors  ⚠ 3 warnings  theme default",
    ]
    static let tableASCII: [String] = [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 0s ago",
            " <f> test fetch  <j/k> scroll  <?> help  <:> cmd  <esc> back  <^c> quit",
            "+----------------------------------------- Token timeline -----------------------------------------+",
            "| Tokens of the pods table filtered by broken/ . 6 pods . now 15:06:40 UTC                         |",
            "| + issued  R kubelet refresh (80 %)  + expiry  | now  = cloud token                               |",
            "|                                                                                                  |",
            "| time (UTC)                           14:15      14:30     14:45     15:00     15:15      15:30   |",
            "|                                 -----+----------+---------+---------+----v----+----------+------ |",
            "| broken/wrong-subject                                                                             |",
            "|  wrong-subject-5c9d8b7f6-h2x7q               +---------------------------*----R-------+          |",
            "| broken/wrong-issuer                                                                              |",
            "|  wrong-issuer-7b6c5d4e3-k9l8m          +-------------------------------R-*------+                |",
            "| broken/wrong-audience                                                                            |",
            "|  wrong-audience-6d5e4f3a2-q1w2e    +--------------------------------R----*--+                    |",
            "| broken/no-label                                                                                  |",
            "|  no-label-5f4e3d2c1-z9x8c       (no projected token: not injected)                               |",
            "| broken/no-role                                                                                   |",
            "|  no-role-8e7d6c5b4-r5t6y                            +--------------------*-----------R-------+   |",
            "|   ! pod Failed: the kubelet no longer refreshes its token, it expires in 30m00s                  |",
            "| broken/stale-token                                                                               |",
            "|  stale-token-4a3b2c1d0-u7i8o      +--------------------------------R-----*-+                     |",
            "|   ! token file: refresh was due 9m ago and has not happened: the kubelet on node aks-node-2 is ~ |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "|                                                                                                  |",
            "+--------------------------------------------------------------------------------------------------+",
            "  identities   pods   timeline",
            " 14 service accounts  x 4 errors  ! 3 warnings  theme default",
    ]
}
