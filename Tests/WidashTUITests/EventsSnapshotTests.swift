import XCTest
import WidashCore
@testable import WidashTUI

/// The identity detail's Events block: a service account whose Deployment cannot create pods (the
/// webhook is unavailable and fails closed) shows the ReplicaSet's FailedCreate with the diagnosis
/// and fix even though no pod exists; exact text at a fixed size, UTF-8 and ASCII.
final class EventsSnapshotTests: XCTestCase {
    static let replicaSet = "backend-6f8b9c7d5"
    static let message = "Error creating: Internal error occurred: failed calling webhook \"mutation.azure-workload-identity.io\": "
        + "failed to call webhook: Post \"https://azure-wi-webhook-webhook-service.azure-workload-identity-system.svc:443/mutate-v1-pod?timeout=10s\": "
        + "no endpoints available for service \"azure-wi-webhook-webhook-service\""

    static func stamp(_ secondsAgo: TimeInterval) -> String { TokenClock.timestamp(TestSupport.now.addingTimeInterval(-secondsAgo)) }

    static var feed: IdentityEventsUpdate {
        let failed = KubeEvent(metadata: ObjectMeta(name: "\(replicaSet).187d4a", namespace: "shop"),
                               involvedObject: .init(kind: "ReplicaSet", namespace: "shop", name: replicaSet),
                               reason: "FailedCreate", message: message, type: "Warning", count: 20,
                               firstTimestamp: stamp(41 * 60), lastTimestamp: stamp(150))
        let scaled = KubeEvent(metadata: ObjectMeta(name: "backend.187d49", namespace: "shop"),
                               involvedObject: .init(kind: "Deployment", namespace: "shop", name: "backend"),
                               reason: "ScalingReplicaSet", message: "Scaled up replica set \(replicaSet) from 0 to 1",
                               type: "Normal", count: 1, firstTimestamp: stamp(41 * 60), lastTimestamp: stamp(41 * 60))
        return IdentityEventsUpdate(events: [failed, scaled], workloads: ["Deployment/backend", "ReplicaSet/\(replicaSet)"], listed: true)
    }

    /// shop/backend with no pod (its Deployment's pods cannot be created), the detail open, the
    /// watch's update in, scrolled to the end.
    static func state() throws -> AppState {
        var s = TestSupport.loadedState(width: 100, height: 40)
        var inventory = s.inventory
        let index = try XCTUnwrap(inventory.identities.firstIndex { $0.key == "shop/backend" })
        inventory.identities[index].pods = []
        s.inventory = inventory
        s.reindex()
        Navigation.push(&s, .detail(key: "shop/backend"))
        XCTAssertEqual(EventsFollow.reconcile(&s), [.watchEvents(key: "shop/backend", namespace: "shop", serviceAccount: "backend")])
        _ = update(&s, .events(key: "shop/backend", update: feed))
        TestSupport.send(&s, "G")
        return s
    }

    func testDetailShowsTheFailedCreateWithDiagnosisAndFixUTF8AndASCII() throws {
        let s = try Self.state()
        let utf8 = DashboardView.render(s).lines
        let ascii = DashboardView.render(s, unicode: false).lines
        if ProcessInfo.processInfo.environment["WIDASH_RECORD"] == "1" {
            print(utf8.map { "\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"," }.joined(separator: "\n"))
            print(ascii.map { "\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"," }.joined(separator: "\n"))
        }
        XCTAssertEqual(utf8, Self.utf8Screen)
        XCTAssertEqual(ascii, Self.asciiScreen)
    }

    /// The watch follows the open detail: opening it starts one, a trace opened from it keeps it,
    /// leaving the detail stops it; the block appears only once the watch has said something.
    func testTheWatchFollowsTheOpenDetail() throws {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong-subject")
        XCTAssertEqual(TestSupport.press(&s, .enter).filter { if case .watchEvents = $0 { return true } else { return false } }, [],
                       "enter in the filter only applies it")
        let open = TestSupport.press(&s, .enter)
        XCTAssertEqual(open.last, .watchEvents(key: "broken/wrong-subject", namespace: "broken", serviceAccount: "wrong-subject"))
        XCTAssertFalse(DashboardView.render(s).lines.joined().contains("Events ("), "nothing before the watch reports")
        let trace = TestSupport.send(&s, "t")
        XCTAssertFalse(trace.contains(.stopEvents), "a trace opened from the detail keeps its events: \(trace)")
        TestSupport.press(&s, .escape)
        XCTAssertEqual(TestSupport.press(&s, .escape), [.stopEvents])
        XCTAssertNil(s.eventsFollowed)
    }

    /// What cannot be read is named with its permission; an empty but readable list says so.
    func testRefusedReadsAndQuietAccountsAreSaid() {
        var s = TestSupport.loadedState(width: 100, height: 40)
        let refused = UnreadableRead(what: "replicasets.apps in shop", statusCode: 403,
                                     permission: "\"list replicasets.apps\" in namespace \"shop\"",
                                     consequence: "events of replicasets.apps running as frontend are not shown")
        let lines = { (update: IdentityEventsUpdate) -> [String] in
            s.identityEvents["shop/frontend"] = update
            return EventLines.lines(s, key: "shop/frontend", width: 98).map(\.text)
        }
        XCTAssertEqual(lines(IdentityEventsUpdate(unreadable: [refused], listed: true)), [
            "",
            " Events (0)",
            "   ⚠ not readable: replicasets.apps in shop (403, needs RBAC permission \"list replicasets.apps\" in",
            "     namespace \"shop\"); events of replicasets.apps running as frontend are not shown",
        ])
        XCTAssertEqual(lines(IdentityEventsUpdate(workloads: ["Deployment/frontend"], listed: true)).last,
                       "   no recent events for its pods and Deployment/frontend")
        XCTAssertEqual(lines(IdentityEventsUpdate()).last, "   ⋯ listing events")
        _ = s
    }

    static let utf8Screen = [
        " widash  context widash-demo  cluster widash-demo  user demo-admin",
        " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
        " <t> trace  <f> token  <j/k> scroll  <?> help  <:> cmd  <esc> back  <^c> quit",
        "┌───────────────────────────────────── Identity shop/backend ──────────────────────────────────────┐",
        "│   azure.workload.identity/client-id  b2e4d7f1-2e3c-4f60-9bac-1d2e3f4a5b62                        │",
        "│   azure.workload.identity/tenant-id  5f1c1f2e-7a8b-4c3d-9e0f-1a2b3c4d5e6f                        │",
        "│                                                                                                  │",
        "│ Bindings                                                                                         │",
        "│   ● Azure WI  b2e4d7f1-2e3c-4f60-9bac-1d2e3f4a5b62  tenant/account 5f1c1f2e-7a8b-4c3d-9e0f-1a2b3…│",
        "│     source     annotation azure.workload.identity/client-id                                      │",
        "│     audience   api://AzureADTokenExchange                                                        │",
        "│     token ttl  1h                                                                                │",
        "│     cloud side: not checked yet (r audits it, t traces a pod)                                    │",
        "│                                                                                                  │",
        "│ Pods (0)                                                                                         │",
        "│   (no pod uses this service account)                                                             │",
        "│                                                                                                  │",
        "│ Events (2)                                                                                       │",
        "│   ⚠ Warning  FailedCreate  replicaset/backend-6f8b9c7d5  2m ago (x20 over 41m)                   │",
        "│     Error creating: Internal error occurred: failed calling webhook                              │",
        "│     \"mutation.azure-workload-identity.io\": failed to call webhook: Post \"https://azure-wi-webhook│",
        "│     -webhook-service.azure-workload-identity-system.svc:443/mutate-v1-pod?timeout=10s\": no       │",
        "│     endpoints available for service \"azure-wi-webhook-webhook-service\"                           │",
        "│     ✗ webhook mutation.azure-workload-identity.io unavailable (no endpoints available for service│",
        "│       \"azure-wi-webhook-webhook-service\"), failurePolicy Fail: pods cannot be created            │",
        "│     fix: kubectl -n azure-workload-identity-system get pods,endpoints   # the webhook's pods and │",
        "│          the endpoints of service azure-wi-webhook-webhook-service                               │",
        "│     fix: kubectl -n azure-workload-identity-system describe service                              │",
        "│          azure-wi-webhook-webhook-service                                                        │",
        "│     note: failurePolicy Fail blocks every pod creation the webhook matches while it is           │",
        "│           unreachable; once its pods are ready the controller retries on its own (or at once:    │",
        "│           kubectl -n shop rollout restart deployment/backend)                                    │",
        "│   ● Normal  ScalingReplicaSet  deployment/backend  41m ago                                       │",
        "│     Scaled up replica set backend-6f8b9c7d5 from 0 to 1                                          │",
        "│                                                                                                  │",
        "│ Findings (0)                                                                                     │",
        "│   ✓ nothing to report                                                                            │",
        "└──────────────────────────────────────────────────────────────────────────────────────── 4-36/36 ─┘",
        "  identities   shop/backend",
        " 14 service accounts  ✗ 4 errors  ⚠ 3 warnings  theme default",
    ]

    static let asciiScreen = [
        " widash  context widash-demo  cluster widash-demo  user demo-admin",
        " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.local/6c3e9f70-aks    refreshed 3s ago",
        " <t> trace  <f> token  <j/k> scroll  <?> help  <:> cmd  <esc> back  <^c> quit",
        "+------------------------------------- Identity shop/backend --------------------------------------+",
        "|   azure.workload.identity/client-id  b2e4d7f1-2e3c-4f60-9bac-1d2e3f4a5b62                        |",
        "|   azure.workload.identity/tenant-id  5f1c1f2e-7a8b-4c3d-9e0f-1a2b3c4d5e6f                        |",
        "|                                                                                                  |",
        "| Bindings                                                                                         |",
        "|   * Azure WI  b2e4d7f1-2e3c-4f60-9bac-1d2e3f4a5b62  tenant/account 5f1c1f2e-7a8b-4c3d-9e0f-1a2b3~|",
        "|     source     annotation azure.workload.identity/client-id                                      |",
        "|     audience   api://AzureADTokenExchange                                                        |",
        "|     token ttl  1h                                                                                |",
        "|     cloud side: not checked yet (r audits it, t traces a pod)                                    |",
        "|                                                                                                  |",
        "| Pods (0)                                                                                         |",
        "|   (no pod uses this service account)                                                             |",
        "|                                                                                                  |",
        "| Events (2)                                                                                       |",
        "|   ! Warning  FailedCreate  replicaset/backend-6f8b9c7d5  2m ago (x20 over 41m)                   |",
        "|     Error creating: Internal error occurred: failed calling webhook                              |",
        "|     \"mutation.azure-workload-identity.io\": failed to call webhook: Post \"https://azure-wi-webhook|",
        "|     -webhook-service.azure-workload-identity-system.svc:443/mutate-v1-pod?timeout=10s\": no       |",
        "|     endpoints available for service \"azure-wi-webhook-webhook-service\"                           |",
        "|     x webhook mutation.azure-workload-identity.io unavailable (no endpoints available for service|",
        "|       \"azure-wi-webhook-webhook-service\"), failurePolicy Fail: pods cannot be created            |",
        "|     fix: kubectl -n azure-workload-identity-system get pods,endpoints   # the webhook's pods and |",
        "|          the endpoints of service azure-wi-webhook-webhook-service                               |",
        "|     fix: kubectl -n azure-workload-identity-system describe service                              |",
        "|          azure-wi-webhook-webhook-service                                                        |",
        "|     note: failurePolicy Fail blocks every pod creation the webhook matches while it is           |",
        "|           unreachable; once its pods are ready the controller retries on its own (or at once:    |",
        "|           kubectl -n shop rollout restart deployment/backend)                                    |",
        "|   * Normal  ScalingReplicaSet  deployment/backend  41m ago                                       |",
        "|     Scaled up replica set backend-6f8b9c7d5 from 0 to 1                                          |",
        "|                                                                                                  |",
        "| Findings (0)                                                                                     |",
        "|   v nothing to report                                                                            |",
        "+---------------------------------------------------------------------------------------- 4-36/36 -+",
        "  identities   shop/backend",
        " 14 service accounts  x 4 errors  ! 3 warnings  theme default",
    ]
}
