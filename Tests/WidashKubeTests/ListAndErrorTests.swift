import Foundation
import Synchronization
import WidashCore
import WidashHTTP
import XCTest
@testable import WidashKube

func podJSON(_ name: String, namespace: String = "shop", rv: String = "1", sa: String = "default") -> String {
    #"{"metadata":{"name":"\#(name)","namespace":"\#(namespace)","resourceVersion":"\#(rv)","uid":"uid-\#(name)","managedFields":[{"x":1}]},"spec":{"serviceAccountName":"\#(sa)","containers":[{"name":"app","image":"nginx","unknownField":true}]},"status":{"phase":"Running"}}"#
}

func listJSON(_ items: [String], rv: String = "100", continueToken: String? = nil) -> String {
    let cont = continueToken.map { #","continue":"\#($0)""# } ?? ""
    return #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"\#(rv)"\#(cont)},"items":[\#(items.joined(separator: ","))]}"#
}

final class ListAndErrorTests: XCTestCase {
    /// The first page is small (rows show at once), the following ones larger (fewer requests).
    func testPaginationFollowsContinueTokens() async throws {
        let transport = FakeTransport { request, _ in
            let path = pathOf(request)
            if path == "/api/v1/pods?limit=2" { return json(listJSON([podJSON("a"), podJSON("b")], rv: "100", continueToken: "tok+1/=")) }
            if path == "/api/v1/pods?limit=3&continue=tok%2B1%2F%3D" { return json(listJSON([podJSON("c"), podJSON("d")], rv: "100", continueToken: "tok2")) }
            if path == "/api/v1/pods?limit=3&continue=tok2" { return json(listJSON([podJSON("e")], rv: "100")) }
            return json(statusJSON(code: 404, reason: "NotFound", message: "unexpected \(path)"), status: 404)
        }
        let client = makeClient(transport, pageSize: 2, followingPageSize: 3)
        let list = try await client.pods(namespace: nil)
        XCTAssertEqual(list.items.map(\.metadata.name), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(list.resourceVersion, "100")
        XCTAssertEqual(list.items.first?.spec.containers.first?.image, "nginx")
        XCTAssertEqual(transport.requests.count, 3)
    }

    func testPagesAreHandedOverAsTheyArriveWithProgress() async throws {
        let transport = FakeTransport { request, _ in
            let path = pathOf(request)
            if path == "/api/v1/pods?limit=2" {
                return json(#"{"metadata":{"resourceVersion":"100","continue":"t1","remainingItemCount":3},"items":[\#(podJSON("a")),\#(podJSON("b"))]}"#)
            }
            if path == "/api/v1/pods?limit=2&continue=t1" { return json(listJSON([podJSON("c"), podJSON("d")], rv: "100", continueToken: "t2")) }
            if path == "/api/v1/pods?limit=2&continue=t2" { return json(listJSON([podJSON("e")], rv: "100")) }
            return json(statusJSON(code: 404, reason: "NotFound", message: "unexpected \(path)"), status: 404)
        }
        let pages = Mutex<[String]>([])
        let version = try await makeClient(transport, pageSize: 2).listPages(.pods, as: Pod.self) { items, progress in
            pages.withLock {
                $0.append("\(progress.pageIndex):\(items.map(\.metadata.name).joined()) \(progress.received)/\(progress.expectedTotal.map(String.init) ?? "?")")
            }
        }
        XCTAssertEqual(pages.withLock { $0 }, ["0:ab 2/5", "1:cd 4/?", "2:e 5/5"],
                       "remainingItemCount gives the total early; the last page settles it")
        XCTAssertEqual(version, "100")
    }

    func testExpiredContinueTokenRelistsFromScratch() async throws {
        let firstPages = Mutex(0)
        let transport = FakeTransport { request, _ in
            let path = pathOf(request)
            if path == "/api/v1/namespaces/shop/pods?limit=1" {
                let n = firstPages.withLock { $0 += 1; return $0 }
                return json(listJSON([podJSON(n == 1 ? "old" : "a")], rv: n == 1 ? "5" : "9", continueToken: n == 1 ? "stale" : "fresh"))
            }
            if path.hasSuffix("continue=stale") {
                return json(statusJSON(code: 410, reason: "Expired", message: "The provided continue parameter is too old"), status: 410)
            }
            if path.hasSuffix("continue=fresh") { return json(listJSON([podJSON("b")], rv: "9")) }
            return json("{}", status: 404)
        }
        let list = try await makeClient(transport, pageSize: 1).pods(namespace: "shop")
        XCTAssertEqual(list.items.map(\.metadata.name), ["a", "b"], "the stale first page is discarded")
        XCTAssertEqual(list.resourceVersion, "9")
        XCTAssertEqual(firstPages.withLock { $0 }, 2)
    }

    func testReadsRetry503And429HonouringRetryAfter() async throws {
        let sleeps = SleepRecorder()
        let transport = FakeTransport { _, index in
            switch index {
            case 0: return json(statusJSON(code: 503, reason: "ServiceUnavailable", message: "etcd leader changed"), status: 503)
            case 1: return json(statusJSON(code: 429, reason: "TooManyRequests", message: "slow down"), status: 429, headers: ["retry-after": "7"])
            default: return json(listJSON([]))
            }
        }
        let list = try await makeClient(transport, sleeps: sleeps).serviceAccounts(namespace: "shop")
        XCTAssertEqual(list.items.count, 0)
        XCTAssertEqual(transport.requests.count, 3)
        XCTAssertEqual(sleeps.recorded, [.milliseconds(500), .seconds(7)])
    }

    func testReadsGiveUpAfterMaxAttempts() async throws {
        let transport = FakeTransport { _, _ in json(statusJSON(code: 500, reason: "InternalError", message: "boom"), status: 500) }
        do {
            _ = try await makeClient(transport).namespaces()
            XCTFail("expected an error")
        } catch let error as KubeAPIError {
            XCTAssertEqual(transport.requests.count, KubeClientOptions().maxAttempts)
            XCTAssertEqual(error.description, "server error (500) on GET /api/v1/namespaces (server: boom)")
        }
    }

    func testForbiddenNamesTheRBACPermission() async throws {
        let transport = FakeTransport { _, _ in
            json(statusJSON(code: 403, reason: "Forbidden",
                            message: #"serviceaccounts \"front\" is forbidden: User \"alice\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"shop\""#),
                 status: 403)
        }
        do {
            _ = try await makeClient(transport).requestToken(namespace: "shop", serviceAccount: "front", audiences: ["api://AzureADTokenExchange"])
            XCTFail("expected an error")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.statusCode, 403)
            XCTAssertEqual(error.status?.reason, "Forbidden")
            XCTAssertEqual(error.status?.code, 403)
            XCTAssertEqual(error.missingPermission, RBACPermission(verb: "create", resource: "serviceaccounts/token", namespace: "shop", isNonResourceURL: false))
            XCTAssertTrue(error.description.hasPrefix(#"forbidden (403) on POST /api/v1/namespaces/shop/serviceaccounts/front/token: user "alice" needs RBAC permission "create serviceaccounts/token" in namespace "shop": ask a cluster admin to grant it (server: serviceaccounts "front" is forbidden"#), error.description)
            XCTAssertEqual(transport.requests.count, 1)
        }
    }

    func testRBACPermissionDerivation() {
        func permission(_ method: String, _ path: String) -> String { RBACPermission.required(method: method, path: path).description }
        XCTAssertEqual(permission("GET", "/api/v1/pods?limit=500"), #""list pods" cluster-wide"#)
        XCTAssertEqual(permission("GET", "/api/v1/namespaces/shop/pods?watch=1&resourceVersion=5"), #""watch pods" in namespace "shop""#)
        XCTAssertEqual(permission("GET", "/api/v1/namespaces/shop"), #""get namespaces" cluster-wide"#)
        XCTAssertEqual(permission("GET", "/api/v1/namespaces"), #""list namespaces" cluster-wide"#)
        XCTAssertEqual(permission("GET", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations"),
                       #""list mutatingwebhookconfigurations.admissionregistration.k8s.io" cluster-wide"#)
        XCTAssertEqual(permission("GET", "/apis/aadpodidentity.k8s.io/v1/namespaces/a/azureidentities/x"),
                       #""get azureidentities.aadpodidentity.k8s.io" in namespace "a""#)
        XCTAssertEqual(permission("GET", "/.well-known/openid-configuration"), #""get" on non-resource URL "/.well-known/openid-configuration""#)
    }

    func testStatusDecodingWithDetails() throws {
        let body = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods","causes":[{"reason":"FieldValueNotFound","field":"metadata.name"}],"retryAfterSeconds":2},"code":404,"extra":1}"#
        let status = try XCTUnwrap(KubeStatus.decode(Data(body.utf8)))
        XCTAssertEqual(status.code, 404)
        XCTAssertEqual(status.reason, "NotFound")
        XCTAssertEqual(status.details?.name, "x")
        XCTAssertEqual(status.details?.kind, "pods")
        XCTAssertEqual(status.details?.causes?.first?.field, "metadata.name")
        XCTAssertEqual(status.details?.retryAfterSeconds, 2)
        XCTAssertNil(KubeStatus.decode(Data("<html>502 Bad Gateway</html>".utf8)))
    }

    func testHTMLErrorPageIsExplained() async throws {
        let transport = FakeTransport { _, _ in
            HTTPResponse(status: 502, headers: ["content-type": "text/html"], body: Data("<html><body>Bad gateway</body></html>".utf8))
        }
        do {
            _ = try await makeClient(transport).serverVersion()
            XCTFail("expected an error")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.description, "server error (502) on GET /version (the server answered with an HTML page, not a Kubernetes Status: is the server URL behind a proxy or wrong?)")
        }
    }

    func testTruncatedAndMistypedJSON() async throws {
        let truncated = FakeTransport { _, _ in json(#"{"kind":"PodList","items":[{"metadata":{"na"#) }
        do {
            _ = try await makeClient(truncated).pods(namespace: nil)
            XCTFail("expected an error")
        } catch let error as KubeClientError {
            XCTAssertEqual(error.description, "the API server's answer to /api/v1/pods could not be read (Kubernetes JSON ended early at byte 43 ($.items[0].metadata.na): the response was cut off; retry the request): is the server a Kubernetes API server of a supported version?")
        }
        let mistyped = FakeTransport { _, _ in json(listJSON([#"{"metadata":{"name":5},"spec":{"containers":[]}}"#])) }
        do {
            _ = try await makeClient(mistyped).pods(namespace: nil)
            XCTFail("expected an error")
        } catch let error as KubeClientError {
            XCTAssertEqual(error.description, "the API server's answer to /api/v1/pods could not be read (Kubernetes JSON has a number where a string belongs at byte 102 ($.items[0].metadata.name); the API server's response is not the Kubernetes JSON widash expects — check the server, proxy or file it came from): is the server a Kubernetes API server of a supported version?")
        }
    }

    func testTransportErrorsPassThrough() async throws {
        let transport = FakeTransport { request, _ in throw HTTPError.connectionRefused(url: request.url, detail: "Connection refused") }
        do {
            _ = try await makeClient(transport).serverVersion()
            XCTFail("expected an error")
        } catch let error as HTTPError {
            XCTAssertEqual(error, .connectionRefused(url: testServer + "/version", detail: "Connection refused"))
        }
    }

    func testAbsentAADPodIdentityGroupIsEmpty() async throws {
        let transport = FakeTransport { _, _ in json(statusJSON(code: 404, reason: "NotFound", message: "the server could not find the requested resource"), status: 404) }
        let client = makeClient(transport)
        let identities = try await client.azureIdentities(namespace: nil)
        let bindings = try await client.azureIdentityBindings(namespace: "shop")
        XCTAssertTrue(identities.items.isEmpty)
        XCTAssertTrue(bindings.items.isEmpty)
        XCTAssertEqual(transport.requests.map(pathOf), [
            "/apis/aadpodidentity.k8s.io/v1/azureidentities?limit=500",
            "/apis/aadpodidentity.k8s.io/v1/namespaces/shop/azureidentitybindings?limit=500",
        ])
    }

    func testLoadSnapshotForOneNamespace() async throws {
        let transport = FakeTransport { request, _ in
            switch pathOf(request).split(separator: "?").first.map(String.init) ?? "" {
            case "/api/v1/namespaces/shop":
                return json(statusJSON(code: 403, reason: "Forbidden", message: "no"), status: 403)
            case "/api/v1/namespaces/shop/serviceaccounts":
                return json(listJSON([#"{"metadata":{"name":"front","namespace":"shop","annotations":{"azure.workload.identity/client-id":"cid"}}}"#]))
            case "/api/v1/namespaces/shop/pods":
                return json(listJSON([podJSON("web-1", sa: "front")]))
            case "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations":
                return json(listJSON([#"{"metadata":{"name":"azure-wi-webhook-mutating-webhook-configuration"},"webhooks":[{"name":"mutation.azure-workload-identity.io","failurePolicy":"Fail"}]}"#]))
            case "/apis/aadpodidentity.k8s.io/v1/namespaces/shop/azureidentities":
                return json(listJSON([#"{"metadata":{"name":"legacy","namespace":"shop"},"spec":{"type":0,"resourceID":"/subscriptions/x","clientID":"c"}}"#]))
            case "/apis/aadpodidentity.k8s.io/v1/namespaces/shop/azureidentitybindings":
                return json(listJSON([#"{"metadata":{"name":"legacy-binding","namespace":"shop"},"spec":{"azureIdentity":"legacy","selector":"legacy"}}"#]))
            case "/.well-known/openid-configuration":
                return json(#"{"issuer":"https://issuer.example/","jwks_uri":"https://10.0.0.1/openid/v1/jwks","response_types_supported":["id_token"]}"#)
            case "/openid/v1/jwks":
                return json(#"{"keys":[]}"#)
            default:
                return json("{}", status: 404)
            }
        }
        let snapshot = try await makeClient(transport).loadSnapshot(namespace: "shop")
        XCTAssertEqual(snapshot.namespaces.map(\.metadata.name), ["shop"])
        XCTAssertEqual(snapshot.serviceAccounts.first?.metadata.annotations?["azure.workload.identity/client-id"], "cid")
        XCTAssertEqual(snapshot.pods.map(\.metadata.name), ["web-1"])
        XCTAssertEqual(snapshot.webhooks.first?.webhooks?.first?.failurePolicy, "Fail")
        XCTAssertEqual(snapshot.azureIdentities.first?.spec.clientID, "c")
        XCTAssertEqual(snapshot.azureIdentityBindings.first?.spec.selector, "legacy")
        XCTAssertEqual(snapshot.issuer, "https://issuer.example/")
        XCTAssertEqual(snapshot.issuerDiscoveryReachable, true)
    }

    func testDiscoveryJWKSAndVersion() async throws {
        let transport = FakeTransport { request, _ in
            switch pathOf(request) {
            case "/.well-known/openid-configuration": return json(#"{"issuer":"https://kubernetes.default.svc.cluster.local","jwks_uri":"https://x/openid/v1/jwks"}"#)
            case "/openid/v1/jwks": return json(#"{"keys":[{"kty":"RSA","kid":"k1"}]}"#)
            case "/version": return json(#"{"major":"1","minor":"32","gitVersion":"v1.32.1","platform":"linux/amd64","goVersion":"go1.23"}"#)
            default: return json("{}", status: 404)
            }
        }
        let client = makeClient(transport)
        let discovery = try await client.issuerDiscovery()
        XCTAssertEqual(discovery.issuer, "https://kubernetes.default.svc.cluster.local")
        let jwks = try await client.issuerJWKS()
        XCTAssertEqual(String(decoding: jwks, as: UTF8.self), #"{"keys":[{"kty":"RSA","kid":"k1"}]}"#)
        let version = try await client.serverVersion()
        XCTAssertEqual(version, KubeVersion(major: "1", minor: "32", gitVersion: "v1.32.1", platform: "linux/amd64"))
    }
}
