import XCTest
import WidashSandboxKit
@testable import WidashSandboxAWS

/// Requests sent to `https://127.0.0.1:PORT` (AWS_ENDPOINT_URL = the sandbox) reach the right service.
final class LoopbackDispatchTests: XCTestCase {
    func testDispatchBySigV4ScopeActionAndPath() async throws {
        let issuer = try await TestIssuer()
        let aws = AWSServices(context: issuer.context())
        func onLoopback(_ r: SandboxRequest) -> SandboxRequest {
            var copy = r
            copy.host = "127.0.0.1"
            copy.headers["host"] = "127.0.0.1:8443"
            return copy
        }
        let token = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com")
        let assumed = try await aws.handle(onLoopback(Requests.query(host: "127.0.0.1", [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", DemoDirectory.irsaOKRoleARN),
            ("RoleSessionName", "loopback"), ("WebIdentityToken", token)])))
        XCTAssertEqual(assumed.status, 200, assumed.text)

        let getRole = Requests.operatorSigned(onLoopback(Requests.query(host: "127.0.0.1", [
            ("Action", "GetRole"), ("Version", "2010-05-08"), ("RoleName", "irsa-ok")])), service: "iam")
        let role = try await aws.handle(getRole)
        XCTAssertEqual(role.xml("RoleName"), "irsa-ok", role.text)

        let unsignedIAM = try await aws.handle(onLoopback(Requests.query(host: "127.0.0.1", [("Action", "GetRole"), ("RoleName", "x")])))
        XCTAssertTrue(unsignedIAM.text.contains("https://iam.amazonaws.com/doc/2010-05-08/"))

        let eks = Requests.operatorSigned(onLoopback(SandboxRequest(method: "GET", host: "127.0.0.1",
                                                                     path: "/clusters/widash-demo/pod-identity-associations")), service: "eks")
        let associations = try await aws.handle(eks)
        XCTAssertEqual(associations.status, 200, associations.text)

        let nothing = try await aws.handle(SandboxRequest(method: "GET", host: "127.0.0.1", path: "/nothing"))
        XCTAssertEqual(nothing.status, 404)
    }

    func testCloudLoopbackPredicateLeavesEntraRequestsAlone() {
        let entra = SandboxRequest(method: "POST", host: "127.0.0.1", path: "/\(DemoDirectory.tenantID)/oauth2/v2.0/token",
                                   headers: Requests.form, body: Data("grant_type=client_credentials&client_id=x".utf8))
        XCTAssertFalse(AWSSandbox.isCloudLoopbackRequest(entra))
        XCTAssertTrue(AWSSandbox.isCloudLoopbackRequest(Requests.query(host: "127.0.0.1", [("Action", "GetCallerIdentity")])))
        // Google STS's path on the loopback address is Google's own service's (GCPSandbox), not AWS's.
        XCTAssertFalse(AWSSandbox.isCloudLoopbackRequest(SandboxRequest(method: "POST", host: "127.0.0.1", path: "/v1/token")))
    }
}
