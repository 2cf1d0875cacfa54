import Foundation
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAWS

/// The limited IAM user `widash-limited` authenticates (SigV4) but no policy allows it IAM or EKS
/// reads: IAM's AccessDenied and EKS's AccessDeniedException, worded as AWS words an implicit deny.
final class LimitedOperatorAWSTests: XCTestCase {
    var issuer: TestIssuer!
    var aws: AWSServices!
    let limitedUser = "arn:aws:iam::111122223333:user/widash-limited"

    override func setUp() async throws {
        issuer = try await TestIssuer()
        aws = AWSServices(context: issuer.context())
    }

    func limited(_ request: SandboxRequest, service: String) -> SandboxRequest {
        Requests.signed(request, accessKeyID: AWSCredentialStore.limitedAccessKeyID, secret: AWSCredentialStore.limitedSecretAccessKey,
                        service: service)
    }

    func iam(_ fields: [(String, String)]) async throws -> SandboxResponse {
        try await aws.handle(limited(Requests.query(host: "iam.amazonaws.com", [("Version", "2010-05-08")] + fields), service: "iam"))
    }

    func testIAMReadsAreDeniedWithIAMsWording() async throws {
        let role = try await iam([("Action", "GetRole"), ("RoleName", "irsa-ok")])
        XCTAssertEqual(role.status, 403)
        XCTAssertEqual(role.xml("Type"), "Sender")
        XCTAssertEqual(role.xml("Code"), "AccessDenied")
        XCTAssertEqual(role.xml("Message"),
                       "User: \(limitedUser) is not authorized to perform: iam:GetRole on resource: role irsa-ok because no identity-based policy allows the iam:GetRole action")
        XCTAssertTrue(role.text.hasPrefix("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"))
        XCTAssertNotNil(role.header("x-amzn-RequestId"))

        // Denied before the lookup: a role that does not exist is denied the same way.
        let missing = try await iam([("Action", "GetRole"), ("RoleName", "nope")])
        XCTAssertEqual(missing.xml("Code"), "AccessDenied")

        let list = try await iam([("Action", "ListOpenIDConnectProviders")])
        XCTAssertEqual(list.status, 403)
        XCTAssertEqual(list.xml("Message"),
                       "User: \(limitedUser) is not authorized to perform: iam:ListOpenIDConnectProviders on resource: arn:aws:iam::111122223333:oidc-provider/* because no identity-based policy allows the iam:ListOpenIDConnectProviders action")

        let arn = "arn:aws:iam::111122223333:oidc-provider/oidc.test.widash.local/cluster"
        let provider = try await iam([("Action", "GetOpenIDConnectProvider"), ("OpenIDConnectProviderArn", arn)])
        XCTAssertEqual(provider.status, 403)
        XCTAssertEqual(provider.xml("Message"),
                       "User: \(limitedUser) is not authorized to perform: iam:GetOpenIDConnectProvider on resource: \(arn) because no identity-based policy allows the iam:GetOpenIDConnectProvider action")
    }

    func testEKSReadsAreDeniedInRestJSON() async throws {
        let host = "eks.us-east-1.amazonaws.com"
        let list = try await aws.handle(limited(SandboxRequest(method: "GET", host: host, path: "/clusters/widash-demo/pod-identity-associations",
                                                               headers: ["host": host]), service: "eks"))
        XCTAssertEqual(list.status, 403)
        XCTAssertEqual(list.header("x-amzn-ErrorType"), "AccessDeniedException")
        XCTAssertEqual(try list.jsonObject()["message"] as? String,
                       "User: \(limitedUser) is not authorized to perform: eks:ListPodIdentityAssociations on resource: arn:aws:eks:us-east-1:111122223333:cluster/widash-demo because no identity-based policy allows the eks:ListPodIdentityAssociations action")

        let describe = try await aws.handle(limited(SandboxRequest(method: "GET", host: host, path: "/clusters/widash-demo/pod-identity-associations/a-123",
                                                                   headers: ["host": host]), service: "eks"))
        XCTAssertEqual(describe.status, 403)
        XCTAssertEqual(describe.header("x-amzn-ErrorType"), "AccessDeniedException")
        let message = try XCTUnwrap(try describe.jsonObject()["message"] as? String)
        XCTAssertTrue(message.contains("eks:DescribePodIdentityAssociation on resource: arn:aws:eks:us-east-1:111122223333:podidentityassociation/widash-demo/a-123"), message)
    }

    func testTheLimitedUserIsStillAuthenticated() async throws {
        let call = limited(Requests.query(host: "sts.amazonaws.com", [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]), service: "sts")
        let identity = try await aws.handle(call)
        XCTAssertEqual(identity.status, 200, identity.text)
        XCTAssertEqual(identity.xml("Arn"), limitedUser)

        let wrongSecret = Requests.signed(Requests.query(host: "iam.amazonaws.com", [("Action", "GetRole"), ("RoleName", "irsa-ok")]),
                                          accessKeyID: AWSCredentialStore.limitedAccessKeyID, secret: "nope", service: "iam")
        let mismatch = try await aws.handle(wrongSecret)
        XCTAssertEqual(mismatch.xml("Code"), "SignatureDoesNotMatch", "authentication comes before authorization")
    }
}
