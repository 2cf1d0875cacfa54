import Foundation
@testable import WidashSandbox
import WidashCore
import WidashKubeJSON
import WidashKubeProtobuf
import XCTest

/// Issue #17: the sandbox serves pod and service-account lists in Kubernetes' protobuf encoding
/// when the Accept header prefers it, over real HTTPS; what the client's protobuf decoder makes of
/// them must be exactly what its JSON decoder makes of the JSON answer to the same request.
/// What the paging test needs of a listed object.
private protocol KubeObjectNaming { var qualifiedName: String { get } }
extension WidashCore.Pod: KubeObjectNaming { var qualifiedName: String { "\(metadata.namespace ?? "")/\(metadata.name)" } }
extension WidashCore.ServiceAccount: KubeObjectNaming { var qualifiedName: String { "\(metadata.namespace ?? "")/\(metadata.name)" } }

final class ProtobufListServingTests: XCTestCase {
    static let protobufFirst = "application/vnd.kubernetes.protobuf, application/json"

    private func start(_ scenario: SandboxOptions.Scenario) async throws -> SandboxFixture {
        let sandbox = try await SandboxFixture.start(scenario: scenario)
        addTeardownBlock { await sandbox.stop() }
        return sandbox
    }

    /// Fetches `path` as JSON and as protobuf and checks both decode to the same page.
    private func assertSameList<Item: KubeJSONDecodable & KubeProtobufDecodable & Equatable>(
        _ sandbox: SandboxFixture, _ path: String, as type: Item.Type, file: StaticString = #filePath, line: UInt = #line
    ) throws -> KubeListPage<Item> {
        let json = try sandbox.get(path, accept: "application/json")
        let protobuf = try sandbox.get(path, accept: Self.protobufFirst)
        XCTAssertEqual(json.status, 200, path, file: file, line: line)
        XCTAssertEqual(protobuf.status, 200, path, file: file, line: line)
        XCTAssertEqual(protobuf.contentType, "application/vnd.kubernetes.protobuf", path, file: file, line: line)
        XCTAssertTrue(protobuf.body.starts(with: [0x6B, 0x38, 0x73, 0x00]), path, file: file, line: line)
        let fromJSON = try KubeListDecoder.decodeList(json.body, as: Item.self)
        let fromProtobuf = try KubeProtobufDecoder.decodeList(protobuf.body, as: Item.self)
        XCTAssertEqual(fromProtobuf.items.count, fromJSON.items.count, path, file: file, line: line)
        XCTAssertEqual(fromProtobuf, fromJSON, path, file: file, line: line)
        return fromProtobuf
    }

    func testDemoListsInProtobufDecodeAsTheirJSON() async throws {
        let sandbox = try await start(.demo)
        let pods = try assertSameList(sandbox, "/api/v1/pods", as: WidashCore.Pod.self)
        XCTAssertGreaterThan(pods.items.count, 5)
        let accounts = try assertSameList(sandbox, "/api/v1/serviceaccounts", as: WidashCore.ServiceAccount.self)
        XCTAssertGreaterThan(accounts.items.count, 5)
        // Namespaced, and with selectors, exactly as the JSON path filters.
        let shop = try assertSameList(sandbox, "/api/v1/namespaces/shop/pods", as: WidashCore.Pod.self)
        XCTAssertFalse(shop.items.isEmpty)
        XCTAssertTrue(shop.items.allSatisfy { $0.metadata.namespace == "shop" })
        _ = try assertSameList(sandbox, "/api/v1/namespaces/shop/serviceaccounts", as: WidashCore.ServiceAccount.self)
        let labelled = try assertSameList(sandbox, "/api/v1/pods?labelSelector=azure.workload.identity%2Fuse%3Dtrue", as: WidashCore.Pod.self)
        XCTAssertFalse(labelled.items.isEmpty)
        XCTAssertLessThan(labelled.items.count, pods.items.count)
        let running = try assertSameList(sandbox, "/api/v1/pods?fieldSelector=status.phase%3DRunning", as: WidashCore.Pod.self)
        XCTAssertFalse(running.items.isEmpty)
    }

    func testScaleListsInProtobufDecodeAsTheirJSON() async throws {
        let sandbox = try await start(.scale(namespaces: 8, serviceAccounts: 40, pods: 300))
        let pods = try assertSameList(sandbox, "/api/v1/pods", as: WidashCore.Pod.self)
        XCTAssertEqual(pods.items.count, 300)
        let accounts = try assertSameList(sandbox, "/api/v1/serviceaccounts", as: WidashCore.ServiceAccount.self)
        XCTAssertGreaterThanOrEqual(accounts.items.count, 40)
        // A second protobuf list is served from the per-object cache and must be byte-identical.
        let first = try sandbox.get("/api/v1/pods", accept: Self.protobufFirst)
        let second = try sandbox.get("/api/v1/pods", accept: Self.protobufFirst)
        XCTAssertEqual(first.body, second.body)
    }

    /// One page's names (`namespace/name`), continue token and remaining count, from either encoding.
    private struct PageSummary: Equatable {
        var names: [String]
        var continueToken: String?
        var remainingItemCount: Int?
        /// What the token says (its JSON's key order differs from one encoding of it to the next).
        var continuesAt: (resourceVersion: Int, start: String)? {
            continueToken.flatMap(ContinueToken.init(encoded:)).map { ($0.resourceVersion, $0.start) }
        }

        init<Item: KubeObjectNaming>(_ page: KubeListPage<Item>) {
            names = page.items.map(\.qualifiedName)
            continueToken = page.continueToken.flatMap { $0.isEmpty ? nil : $0 }
            remainingItemCount = page.remainingItemCount
        }

        func sameAs(_ other: PageSummary) -> Bool {
            names == other.names && remainingItemCount == other.remainingItemCount
                && continuesAt?.resourceVersion == other.continuesAt?.resourceVersion && continuesAt?.start == other.continuesAt?.start
        }
    }

    private func summary(_ body: Data, protobuf: Bool, accounts: Bool) throws -> PageSummary {
        switch (protobuf, accounts) {
        case (true, true): return PageSummary(try KubeProtobufDecoder.decodeServiceAccountList(body))
        case (true, false): return PageSummary(try KubeProtobufDecoder.decodePodList(body))
        case (false, true): return PageSummary(try KubeListDecoder.decodeServiceAccountList(body))
        case (false, false): return PageSummary(try KubeListDecoder.decodePodList(body))
        }
    }

    func testPagingInProtobufGivesTheSameItemsInTheSameOrder() async throws {
        let sandbox = try await start(.scale(namespaces: 5, serviceAccounts: 20, pods: 120))
        for base in ["/api/v1/pods", "/api/v1/namespaces/team-0001/pods", "/api/v1/serviceaccounts",
                     "/api/v1/pods?fieldSelector=status.phase%3DRunning"] {
            let accounts = base.hasSuffix("serviceaccounts")
            let separator = base.contains("?") ? "&" : "?"
            var protobufNames: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let path = base + separator + "limit=17" + (token.map { "&continue=\($0)" } ?? "")
                let protobuf = try sandbox.get(path, accept: Self.protobufFirst)
                let json = try sandbox.get(path, accept: "application/json")
                XCTAssertEqual(protobuf.contentType, "application/vnd.kubernetes.protobuf", path)
                let protobufPage = try summary(protobuf.body, protobuf: true, accounts: accounts)
                // The same request in JSON: the same items, token and remaining count.
                let jsonPage = try summary(json.body, protobuf: false, accounts: accounts)
                XCTAssertTrue(protobufPage.sameAs(jsonPage), "\(path): \(protobufPage) ≠ \(jsonPage)")
                XCTAssertLessThanOrEqual(protobufPage.names.count, 17, path)
                protobufNames += protobufPage.names
                token = protobufPage.continueToken
                pages += 1
            } while token != nil && pages < 100
            XCTAssertGreaterThan(pages, 1, base)
            let whole = try summary(try sandbox.get(base, accept: Self.protobufFirst).body, protobuf: true, accounts: accounts)
            XCTAssertEqual(protobufNames, whole.names, base)
            XCTAssertEqual(Set(protobufNames).count, protobufNames.count, base)
        }
    }

    func testErrorsOfAProtobufListAreProtobufStatuses() async throws {
        let sandbox = try await start(.scale(namespaces: 3, serviceAccounts: 10, pods: 40))
        // A malformed continue token: 400 BadRequest, the JSON Status's words.
        let malformed = try sandbox.get("/api/v1/pods?limit=5&continue=not-a-token", accept: Self.protobufFirst)
        let malformedJSON = try sandbox.get("/api/v1/pods?limit=5&continue=not-a-token", accept: "application/json")
        XCTAssertEqual(malformed.status, 400)
        XCTAssertEqual(malformed.contentType, "application/vnd.kubernetes.protobuf")
        let badRequest = try ProtobufStatusReading(malformed.body)
        XCTAssertEqual(badRequest.kind, "Status")
        XCTAssertEqual(badRequest.status, "Failure")
        XCTAssertEqual(badRequest.code, 400)
        XCTAssertEqual(badRequest.reason, "BadRequest")
        let jsonStatus = try XCTUnwrap(try JSONSerialization.jsonObject(with: malformedJSON.body) as? [String: Any])
        XCTAssertEqual(badRequest.message, jsonStatus["message"] as? String)

        // A continue token from before the event history was forgotten: 410 Expired.
        let first = try sandbox.get("/api/v1/pods?limit=5", accept: Self.protobufFirst)
        let token = try XCTUnwrap(try KubeProtobufDecoder.peekListMetadata(first.body).continueToken)
        await sandbox.server.simulateRestart()
        let expired = try sandbox.get("/api/v1/pods?limit=5&continue=\(token)", accept: Self.protobufFirst)
        XCTAssertEqual(expired.status, 410)
        let gone = try ProtobufStatusReading(expired.body)
        XCTAssertEqual(gone.code, 410)
        XCTAssertEqual(gone.reason, "Expired")
        XCTAssertEqual(gone.message, KubeStatus.continueExpired.message)

        // The client's decoder reports a Status where it expected a list.
        XCTAssertThrowsError(try KubeProtobufDecoder.decodePodList(expired.body))

        // No token: 401; a token without the right: 403 Forbidden with the RBAC wording.
        let unauthorized = try sandbox.get("/api/v1/serviceaccounts", accept: Self.protobufFirst, token: "nope")
        XCTAssertEqual(unauthorized.status, 401)
        XCTAssertEqual(try ProtobufStatusReading(unauthorized.body).reason, "Unauthorized")
    }

    func testForbiddenListIsAProtobufStatus() async throws {
        let sandbox = try await start(.demo)
        let developer = try XCTUnwrap(sandbox.token(prefixed: "widash-shop-dev-"))
        let denied = try sandbox.get("/api/v1/namespaces/kube-system/pods", accept: Self.protobufFirst, token: developer)
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(denied.contentType, "application/vnd.kubernetes.protobuf")
        let status = try ProtobufStatusReading(denied.body)
        XCTAssertEqual(status.code, 403)
        XCTAssertEqual(status.reason, "Forbidden")
        XCTAssertEqual(status.detailsKind, "pods")
        XCTAssertEqual(status.message,
                       "pods is forbidden: User \"dev@shop.example\" cannot list resource \"pods\" in API group \"\" in the namespace \"kube-system\"")
        // Allowed in its own namespace, in protobuf.
        let allowed = try sandbox.get("/api/v1/namespaces/shop/serviceaccounts", accept: Self.protobufFirst, token: developer)
        XCTAssertEqual(allowed.status, 200)
        XCTAssertFalse(try KubeProtobufDecoder.decodeServiceAccountList(allowed.body).items.isEmpty)
    }

    func testJSONFirstTablesAndWatchesKeepJSON() async throws {
        let sandbox = try await start(.scale(namespaces: 2, serviceAccounts: 4, pods: 10))
        for accept in ["application/json, application/vnd.kubernetes.protobuf", "application/json", "*/*",
                       "application/vnd.kubernetes.protobuf;q=0.5, application/json",
                       "application/vnd.kubernetes.protobuf;q=0, application/json"] {
            let response = try sandbox.get("/api/v1/pods", accept: accept)
            XCTAssertEqual(response.status, 200, accept)
            XCTAssertTrue(response.contentType.hasPrefix("application/json"), "\(accept): \(response.contentType)")
            XCTAssertEqual(try KubeListDecoder.decodePodList(response.body).items.count, 10, accept)
        }
        // Preferred by q-value even when listed second.
        let byQuality = try sandbox.get("/api/v1/pods", accept: "application/json;q=0.9, application/vnd.kubernetes.protobuf")
        XCTAssertEqual(byQuality.contentType, "application/vnd.kubernetes.protobuf")
        // Other resources keep JSON.
        let namespaces = try sandbox.get("/api/v1/namespaces", accept: Self.protobufFirst)
        XCTAssertTrue(namespaces.contentType.hasPrefix("application/json"), namespaces.contentType)
        // A watch asked with a protobuf-first Accept stays JSON (a short one: it ends after 1 s).
        let watch = try sandbox.get("/api/v1/pods?watch=true&timeoutSeconds=1", accept: Self.protobufFirst)
        XCTAssertTrue(watch.contentType.hasPrefix("application/json"), watch.contentType)
        XCTAssertTrue(String(decoding: watch.body, as: UTF8.self).contains("\"type\":\"ADDED\""))
    }

    func testAcceptNegotiationFollowsQualityThenOrder() {
        let protobuf = KubeProtobufEncoding.contentType
        XCTAssertEqual(KubeNegotiation.negotiatedPlainMediaType(accept: Self.protobufFirst), protobuf)
        XCTAssertEqual(KubeNegotiation.negotiatedPlainMediaType(accept: "application/json, \(protobuf)"), "application/json")
        XCTAssertEqual(KubeNegotiation.negotiatedPlainMediaType(accept: nil), "application/json")
        XCTAssertEqual(KubeNegotiation.negotiatedPlainMediaType(accept: "*/*"), "application/json")
        XCTAssertEqual(KubeNegotiation.negotiatedPlainMediaType(accept: "text/html, \(protobuf)"), protobuf)
        XCTAssertEqual(KubeNegotiation.negotiatedPlainMediaType(accept: "*/*;q=0.8, \(protobuf)"), protobuf)
        XCTAssertNil(KubeNegotiation.negotiatedPlainMediaType(accept: "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"))
        XCTAssertNil(KubeNegotiation.negotiatedPlainMediaType(accept: "\(protobuf);as=Table;v=v1;g=meta.k8s.io, \(protobuf)"))
    }
}
