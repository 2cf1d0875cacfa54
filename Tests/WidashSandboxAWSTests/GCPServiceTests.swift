import XCTest
import WidashSandboxKit
@testable import WidashSandboxAWS
@testable import WidashSandboxGCP

final class GCPServiceTests: XCTestCase {
    var issuer: TestIssuer!
    var aws: AWSServices!
    let gkeAudience = "identitynamespace:\(DemoDirectory.gcpWorkloadPool):\(TestIssuer.issuer)"

    override func setUp() async throws {
        issuer = try await TestIssuer()
        aws = AWSServices(context: issuer.context())
    }

    func exchange(_ token: String, audience: String) async throws -> SandboxResponse {
        try await aws.handle(Requests.query(host: "sts.googleapis.com", [
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("audience", audience),
            ("scope", "https://www.googleapis.com/auth/cloud-platform"),
            ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"), ("subject_token", token),
        ]).with(path: "/v1/token"))
    }

    func generate(_ bearer: String, email: String = DemoDirectory.gkeServiceAccount) async throws -> SandboxResponse {
        try await aws.handle(SandboxRequest(
            method: "POST", host: "iamcredentials.googleapis.com",
            path: "/v1/projects/-/serviceAccounts/\(email):generateAccessToken",
            headers: ["authorization": "Bearer \(bearer)", "content-type": "application/json"],
            body: Data(#"{"scope":["https://www.googleapis.com/auth/cloud-platform"],"lifetime":"3600s"}"#.utf8)))
    }

    func testGKEExchangeThenGenerateAccessToken() async throws {
        let token = try await issuer.token(namespace: "gcp", serviceAccount: "gke-ok", audience: DemoDirectory.gcpWorkloadPool)
        let sts = try await exchange(token, audience: gkeAudience)
        XCTAssertEqual(sts.status, 200, sts.text)
        let body = try sts.jsonObject()
        XCTAssertEqual(body["token_type"] as? String, "Bearer")
        XCTAssertEqual(body["issued_token_type"] as? String, "urn:ietf:params:oauth:token-type:access_token")
        XCTAssertEqual(body["expires_in"] as? Int, 3600)
        let federated = try XCTUnwrap(body["access_token"] as? String)

        let sa = try await generate(federated)
        XCTAssertEqual(sa.status, 200, sa.text)
        XCTAssertTrue((try sa.jsonObject()["accessToken"] as? String)?.hasPrefix("ya29.") == true)
        XCTAssertNotNil(try sa.jsonObject()["expireTime"] as? String)
    }

    func testOtherServiceAccountIsDeniedAndBadBearerIsUnauthenticated() async throws {
        let token = try await issuer.token(namespace: "gcp", serviceAccount: "other", audience: DemoDirectory.gcpWorkloadPool)
        let exchanged = try await exchange(token, audience: gkeAudience)
        let federated = try XCTUnwrap(try exchanged.jsonObject()["access_token"] as? String)
        let denied = try await generate(federated)
        XCTAssertEqual(denied.status, 403)
        let error = try XCTUnwrap(try denied.jsonObject()["error"] as? [String: Any])
        XCTAssertEqual(error["status"] as? String, "PERMISSION_DENIED")
        XCTAssertEqual(error["message"] as? String, "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).")

        let unauthenticated = try await generate("ya29.bogus")
        XCTAssertEqual(unauthenticated.status, 401)
        XCTAssertEqual((try unauthenticated.jsonObject()["error"] as? [String: Any])?["status"] as? String, "UNAUTHENTICATED")
    }

    func testWorkloadIdentityFederationProviderAndErrors() async throws {
        let provider = "//iam.googleapis.com/projects/\(DemoDirectory.gcpProjectNumber)/locations/global/workloadIdentityPools/widash-demo-pool/providers/widash-demo-cluster"
        let good = try await issuer.token(namespace: "gcp", serviceAccount: "gke-ok", audience: "https:" + provider)
        let ok = try await exchange(good, audience: provider)
        XCTAssertEqual(ok.status, 200, ok.text)
        let federated = try XCTUnwrap(try ok.jsonObject()["access_token"] as? String)
        let generated = try await generate(federated)
        XCTAssertEqual(generated.status, 200, generated.text)

        let wrongAud = try await issuer.token(namespace: "gcp", serviceAccount: "gke-ok", audience: "sts.amazonaws.com")
        let rejected = try await exchange(wrongAud, audience: provider)
        XCTAssertEqual(rejected.status, 400)
        XCTAssertEqual(try rejected.jsonObject()["error"] as? String, "invalid_grant")

        let unknownPool = try await exchange(good, audience: provider + "x")
        XCTAssertEqual(try unknownPool.jsonObject()["error"] as? String, "invalid_target")
    }
}

extension SandboxRequest {
    func with(path: String) -> SandboxRequest {
        var copy = self
        copy.path = path
        return copy
    }
}
