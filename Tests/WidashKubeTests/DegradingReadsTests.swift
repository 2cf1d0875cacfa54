import Foundation
import WidashCore
import WidashHTTP
import XCTest
@testable import WidashKube

/// Issue "Real-world fidelity", 1: an optional read refused (401/403) or not served (404) is an
/// answer, reported as not readable with the RBAC permission; only other failures (a 5xx) count as
/// a failure, and a user who may not list all namespaces gets the context's namespace.
final class DegradingReadsTests: XCTestCase {
    private static func forbidden(_ resource: String, group: String, namespace: String?) -> HTTPResponse {
        let scope = namespace.map { #" in the namespace \"\#($0)\""# } ?? " at the cluster scope"
        let message = #"\#(resource) is forbidden: User \"dev@shop.example\" cannot list resource \"\#(resource)\" in API group \"\#(group)\"\#(scope)"#
        return json(statusJSON(code: 403, reason: "Forbidden", message: message), status: 403)
    }

    private static let notFound = json(statusJSON(code: 404, reason: "NotFound", message: "the server could not find the requested resource"),
                                       status: 404)

    func testRefusedAndUnservedReadsAreReportedNotFailed() async throws {
        let transport = FakeTransport { request, _ in
            let path = pathOf(request)
            if path.contains("mutatingwebhookconfigurations") { return Self.notFound }
            if path.contains("aadpodidentity") { return Self.forbidden("azureidentities", group: "aadpodidentity.k8s.io", namespace: "shop") }
            if path.hasPrefix("/api/v1/namespaces/shop") && !path.contains("/pods") {
                return Self.forbidden("namespaces", group: "", namespace: nil)
            }
            if path.hasPrefix("/.well-known") || path.hasPrefix("/openid") {
                return json(statusJSON(code: 403, reason: "Forbidden", message: #"forbidden: User \"dev@shop.example\" cannot get path \"/.well-known/openid-configuration\""#),
                            status: 403)
            }
            return json("{}", status: 500)
        }
        let extras = await makeClient(transport).loadExtras(namespace: "shop")

        XCTAssertNil(extras.failure, "refusals and 404s are answers, not failures")
        XCTAssertNil(extras.webhooks)
        XCTAssertNil(extras.azureIdentities)
        XCTAssertNil(extras.issuer)
        // A namespace-scoped user may not read its Namespace object: the name is all the inventory needs.
        XCTAssertEqual(extras.namespaces?.map(\.metadata.name), ["shop"])

        let byWhat = Dictionary(extras.unreadable.map { ($0.what, $0) }) { first, _ in first }
        let webhooks = try XCTUnwrap(byWhat["mutating webhook configurations"], "\(extras.unreadable)")
        XCTAssertEqual(webhooks.statusCode, 404)
        XCTAssertTrue(webhooks.summary.contains("404, not served by this cluster"), webhooks.summary)
        let identities = try XCTUnwrap(byWhat["aad-pod-identity AzureIdentities"], "\(extras.unreadable)")
        XCTAssertEqual(identities.statusCode, 403)
        XCTAssertEqual(identities.permission, #""list azureidentities.aadpodidentity.k8s.io" in namespace "shop""#)
        let issuer = try XCTUnwrap(byWhat["the service-account issuer's discovery document and JWKS"], "\(extras.unreadable)")
        XCTAssertEqual(issuer.statusCode, 403)
        XCTAssertTrue(issuer.summary.contains("system:service-account-issuer-discovery"), issuer.summary)
    }

    func testAServerErrorIsAFailureNotAnUnreadableRead() async throws {
        let transport = FakeTransport { request, _ in
            pathOf(request).contains("mutatingwebhookconfigurations")
                ? json(statusJSON(code: 500, reason: "InternalError", message: "etcd is gone"), status: 500)
                : Self.notFound
        }
        let extras = await makeClient(transport) { $0.maxAttempts = 1 }.loadExtras(namespace: nil)
        XCTAssertNotNil(extras.failure)
        XCTAssertFalse(extras.unreadable.contains { $0.what == "mutating webhook configurations" }, "\(extras.unreadable)")
        XCTAssertEqual(extras.issuerReachable, false, "a 404 on discovery: the cluster does not serve it")
    }

    func testAUserWhoMayNotListAllNamespacesGetsTheContextsNamespace() async throws {
        let transport = FakeTransport { request, _ in
            pathOf(request).hasPrefix("/api/v1/serviceaccounts") || pathOf(request).hasPrefix("/api/v1/pods")
                ? Self.forbidden("serviceaccounts", group: "", namespace: nil)
                : json(listJSON([]))
        }
        let client = makeClient(transport)
        let scope = try await client.listScope(nil)
        XCTAssertEqual(scope.namespace, client.config.namespace)
        let narrowed = try XCTUnwrap(scope.narrowed)
        XCTAssertEqual(narrowed.permission, #""list serviceaccounts" cluster-wide"#)
        XCTAssertTrue(narrowed.summary.contains("showing namespace \(client.config.namespace) only"), narrowed.summary)

        let named = try await client.listScope("shop")
        XCTAssertEqual(named.namespace, "shop")
        XCTAssertNil(named.narrowed, "a namespace given is read as asked, nothing cluster-wide first")
    }
}
