import Foundation
import WidashCore
import WidashHTTP
import XCTest
@testable import WidashKube

/// core/v1 events and pod-template workloads as the API server sends them (list pages and watch
/// lines), through the client's real list and watch paths.
final class EventsDecodingTests: XCTestCase {
    static let failedCreate = #"{"metadata":{"name":"checkout-7b1e2c.187d4a","namespace":"shop","uid":"u1","resourceVersion":"41","creationTimestamp":"2026-12-02T10:00:00Z"},"involvedObject":{"kind":"ReplicaSet","namespace":"shop","name":"checkout-7b1e2c","uid":"rs-uid","apiVersion":"apps/v1"},"reason":"FailedCreate","message":"Error creating: Internal error occurred: failed calling webhook \"mutation.azure-workload-identity.io\": failed to call webhook: Post \"https://s.ns.svc:443/mutate-v1-pod?timeout=10s\": no endpoints available for service \"s\"","source":{"component":"replicaset-controller"},"firstTimestamp":"2026-12-02T10:00:00Z","lastTimestamp":"2026-12-02T10:38:30Z","count":\#(20),"type":"Warning","eventTime":null,"reportingComponent":"replicaset-controller","reportingInstance":""}"#

    static func event(count: Int, rv: String) -> String {
        failedCreate.replacingOccurrences(of: #""count":20"#, with: #""count":\#(count)"#)
            .replacingOccurrences(of: #""resourceVersion":"41""#, with: #""resourceVersion":"\#(rv)""#)
    }

    func testEventListAndWatchDecode() async throws {
        let transport = FakeTransport(handler: { request, _ in
            if pathOf(request).hasPrefix("/api/v1/namespaces/shop/events?") {
                return json(listJSON([Self.failedCreate], rv: "41"))
            }
            return json(statusJSON(code: 404, reason: "NotFound", message: "unexpected"), status: 404)
        }, stream: { _, _ in
            [.head(), .body(watchLine("MODIFIED", Self.event(count: 21, rv: "42")))]
        })
        let client = makeClient(transport)
        let list = try await client.list(.events, namespace: "shop", as: KubeEvent.self)
        let event = try XCTUnwrap(list.items.first)
        XCTAssertEqual(event.reason, "FailedCreate")
        XCTAssertEqual(event.type, "Warning")
        XCTAssertEqual(event.occurrences, 20)
        XCTAssertEqual(event.involvedObject.kind, "ReplicaSet")
        XCTAssertEqual(event.involvedObject.name, "checkout-7b1e2c")
        XCTAssertEqual(event.source?.component, "replicaset-controller")
        XCTAssertNil(event.eventTime, "null eventTime")
        XCTAssertEqual(event.lastSeen, TokenClock.parseTimestamp("2026-12-02T10:38:30Z"))

        var seen: [String] = []
        for try await change in client.watch(.events, namespace: "shop", resourceVersion: list.resourceVersion, as: KubeEvent.self) {
            if case .modified(let e) = change { seen.append("\(e.reason ?? "") \(e.occurrences) rv \(e.metadata.resourceVersion ?? "")") }
        }
        XCTAssertEqual(seen, ["FailedCreate 21 rv 42"])
        XCTAssertEqual(pathOf(try XCTUnwrap(transport.streamRequests.first)),
                       "/api/v1/namespaces/shop/events?watch=1&allowWatchBookmarks=true&resourceVersion=41&timeoutSeconds=300")
    }

    func testWorkloadsAreFilteredByTheirTemplatesServiceAccountAndUnservedKindsAreNone() async throws {
        @Sendable func rs(_ name: String, _ sa: String?) -> String {
            let account = sa.map { #","serviceAccountName":"\#($0)""# } ?? ""
            return #"{"metadata":{"name":"\#(name)","namespace":"shop","resourceVersion":"3"},"spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"a","image":"i"}]\#(account)}}},"status":{"replicas":0}}"#
        }
        let transport = FakeTransport { request, _ in
            let path = pathOf(request)
            if path.hasPrefix("/apis/apps/v1/namespaces/shop/replicasets") {
                return json(listJSON([rs("checkout-1", "checkout"), rs("checkout-2", "checkout"), rs("frontend-1", "frontend"), rs("bare-1", nil)]))
            }
            return json(statusJSON(code: 404, reason: "NotFound", message: "the server could not find the requested resource"), status: 404)
        }
        let client = makeClient(transport)
        let checkout = try await client.workloads(.replicaSets, namespace: "shop", serviceAccount: "checkout")
        XCTAssertEqual(checkout.map(\.metadata.name), ["checkout-1", "checkout-2"])
        let defaults = try await client.workloads(.replicaSets, namespace: "shop", serviceAccount: "default")
        XCTAssertEqual(defaults.map(\.metadata.name), ["bare-1"])
        let jobs = try await client.workloads(.jobs, namespace: "shop", serviceAccount: "checkout")
        XCTAssertEqual(jobs, [])
        XCTAssertEqual(KubeResource.jobs.path(namespace: "shop"), "/apis/batch/v1/namespaces/shop/jobs")
    }
}
