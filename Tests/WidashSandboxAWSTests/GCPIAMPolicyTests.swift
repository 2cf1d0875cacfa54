import Foundation
import XCTest
import WidashSandboxKit
@testable import WidashSandboxGCP

/// IAM `serviceAccounts.getIamPolicy` as a trust audit calls it with the operator's Google token.
final class GCPIAMPolicyTests: XCTestCase {
    var aws: AWSServices!
    let gkeOK = DemoDirectory.gkeServiceAccount

    override func setUp() async throws {
        let issuer = try await TestIssuer()
        aws = AWSServices(context: issuer.context())
    }

    func getIamPolicy(_ bearer: String?, project: String = "-", email: String? = nil, body: String = "", query: String = "",
                      host: String = "iam.googleapis.com") async throws -> SandboxResponse {
        var headers = ["content-type": "application/json"]
        if let bearer { headers["authorization"] = "Bearer \(bearer)" }
        return try await aws.handle(SandboxRequest(method: "POST", host: host,
                                                   path: "/v1/projects/\(project)/serviceAccounts/\(email ?? gkeOK):getIamPolicy",
                                                   rawQuery: query, headers: headers, body: Data(body.utf8)))
    }

    func error(_ response: SandboxResponse) throws -> [String: Any] {
        try XCTUnwrap(try response.jsonObject()["error"] as? [String: Any], response.text)
    }

    func testOperatorReadsTheWorkloadIdentityUsersOfGkeOK() async throws {
        let pool = DemoDirectory.gcpWorkloadPool
        let expected = [
            "principal://iam.googleapis.com/projects/\(DemoDirectory.gcpProjectNumber)/locations/global/workloadIdentityPools/widash-demo-pool/subject/system:serviceaccount:gcp:gke-ok",
            "serviceAccount:\(pool)[gcp/gke-ok]",
        ]
        var etags: Set<String> = []
        for (project, body, query) in [("-", "", ""), (DemoDirectory.gcpProject, #"{"options":{"requestedPolicyVersion":3}}"#, ""),
                                       ("-", "", "options.requestedPolicyVersion=3"), (DemoDirectory.gcpProjectNumber, "{}", "")] {
            let response = try await getIamPolicy(DemoDirectory.gcpOperatorAccessToken, project: project, body: body, query: query)
            XCTAssertEqual(response.status, 200, response.text)
            let policy = try response.jsonObject()
            XCTAssertEqual(policy["version"] as? Int, 1)
            let bindings = try XCTUnwrap(policy["bindings"] as? [[String: Any]])
            XCTAssertEqual(bindings.count, 1)
            XCTAssertEqual(bindings.first?["role"] as? String, "roles/iam.workloadIdentityUser")
            XCTAssertEqual(bindings.first?["members"] as? [String], expected)
            etags.insert(try XCTUnwrap(policy["etag"] as? String))
        }
        XCTAssertEqual(etags.count, 1, "the same policy has the same etag")
    }

    func testLimitedTokenIsDeniedWithIAMsErrorInfo() async throws {
        let response = try await getIamPolicy(DemoDirectory.gcpLimitedOperatorAccessToken)
        XCTAssertEqual(response.status, 403)
        let body = try error(response)
        XCTAssertEqual(body["code"] as? Int, 403)
        XCTAssertEqual(body["status"] as? String, "PERMISSION_DENIED")
        XCTAssertEqual(body["message"] as? String, "Permission 'iam.serviceAccounts.getIamPolicy' denied on resource (or it may not exist).")
        let info = try XCTUnwrap((body["details"] as? [[String: Any]])?.first)
        XCTAssertEqual(info["@type"] as? String, "type.googleapis.com/google.rpc.ErrorInfo")
        XCTAssertEqual(info["reason"] as? String, "IAM_PERMISSION_DENIED")
        XCTAssertEqual(info["domain"] as? String, "iam.googleapis.com")
        XCTAssertEqual(info["metadata"] as? [String: String], ["permission": "iam.serviceAccounts.getIamPolicy"])
    }

    func testUnauthenticatedAndUnknownAccounts() async throws {
        let missing = try await getIamPolicy(nil)
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(try error(missing)["status"] as? String, "UNAUTHENTICATED")
        let bogus = try await getIamPolicy("ya29.not-issued-here")
        XCTAssertEqual(bogus.status, 401)
        XCTAssertEqual(try error(bogus)["status"] as? String, "UNAUTHENTICATED")

        // An account that does not exist is refused like one the caller may not read.
        let unknown = try await getIamPolicy(DemoDirectory.gcpOperatorAccessToken, email: "nobody@widash-demo.iam.gserviceaccount.com")
        XCTAssertEqual(unknown.status, 403)
        XCTAssertEqual(try error(unknown)["message"] as? String, "Permission 'iam.serviceAccounts.getIamPolicy' denied on resource (or it may not exist).")

        let badVersion = try await getIamPolicy(DemoDirectory.gcpOperatorAccessToken, body: #"{"options":{"requestedPolicyVersion":2}}"#)
        XCTAssertEqual(badVersion.status, 400)
    }

    func testAnsweredOnTheLoopbackAddress() async throws {
        let request = SandboxRequest(method: "POST", host: "127.0.0.1", path: "/v1/projects/-/serviceAccounts/\(gkeOK):getIamPolicy",
                                     headers: ["authorization": "Bearer \(DemoDirectory.gcpOperatorAccessToken)"])
        let service = try XCTUnwrap(aws.services.first { $0.answersLoopback(request) })
        let response = await service.handle(request)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertTrue(GCPSandbox.hostNames.contains("iam.googleapis.com"))
    }

    func testOperatorTokensOpenNothingElse() async throws {
        // The operator may read policies, but is no workload identity user of gke-ok.
        let generate = try await aws.handle(SandboxRequest(
            method: "POST", host: "iamcredentials.googleapis.com", path: "/v1/projects/-/serviceAccounts/\(gkeOK):generateAccessToken",
            headers: ["authorization": "Bearer \(DemoDirectory.gcpOperatorAccessToken)", "content-type": "application/json"],
            body: Data(#"{"scope":["https://www.googleapis.com/auth/cloud-platform"]}"#.utf8)))
        XCTAssertEqual(generate.status, 403)
    }
}
