import XCTest
import WidashSandboxKit
@testable import WidashSandboxAWS

final class IAMAndEKSServiceTests: XCTestCase {
    var issuer: TestIssuer!
    var aws: AWSServices!
    let providerURL = "oidc.test.widash.local/cluster"

    override func setUp() async throws {
        issuer = try await TestIssuer()
        aws = AWSServices(context: issuer.context())
    }

    func iam(_ fields: [(String, String)]) async throws -> SandboxResponse {
        try await aws.handle(Requests.operatorSigned(
            Requests.query(host: "iam.amazonaws.com", [("Version", "2010-05-08")] + fields), service: "iam"))
    }

    func testGetRoleReturnsTheURLEncodedTrustPolicy() async throws {
        let r = try await iam([("Action", "GetRole"), ("RoleName", "irsa-bad-trust")])
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertTrue(r.text.hasPrefix("<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"))
        XCTAssertEqual(r.xml("Arn"), DemoDirectory.irsaBadTrustRoleARN)
        let encoded = try XCTUnwrap(r.xml("AssumeRolePolicyDocument"))
        XCTAssertTrue(encoded.hasPrefix("%7B%22Version%22"), encoded)
        let document = try XCTUnwrap(encoded.removingPercentEncoding)
        let policy = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let statement = try XCTUnwrap((policy["Statement"] as? [[String: Any]])?.first)
        let condition = try XCTUnwrap((statement["Condition"] as? [String: Any])?["StringEquals"] as? [String: String])
        XCTAssertEqual(condition["\(providerURL):sub"], DemoDirectory.irsaBadTrustPolicySubject)
        XCTAssertEqual(condition["\(providerURL):aud"], "sts.amazonaws.com")
        XCTAssertEqual((statement["Principal"] as? [String: String])?["Federated"],
                       "arn:aws:iam::111122223333:oidc-provider/\(providerURL)")

        let missing = try await iam([("Action", "GetRole"), ("RoleName", "nope")])
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.xml("Code"), "NoSuchEntity")
        XCTAssertEqual(missing.xml("Message"), "The role with name nope cannot be found.")
    }

    func testOIDCProviders() async throws {
        let list = try await iam([("Action", "ListOpenIDConnectProviders")])
        let arn = "arn:aws:iam::111122223333:oidc-provider/\(providerURL)"
        XCTAssertEqual(list.xml("Arn"), arn)
        XCTAssertNotNil(list.xml("OpenIDConnectProviderList"))
        let one = try await iam([("Action", "GetOpenIDConnectProvider"), ("OpenIDConnectProviderArn", arn)])
        XCTAssertEqual(one.status, 200, one.text)
        XCTAssertEqual(one.xml("Url"), providerURL)
        XCTAssertEqual(one.xml("ClientIDList"), "<member>sts.amazonaws.com</member>")
        XCTAssertEqual(one.xml("ThumbprintList")?.count, "<member></member>".count + 40)
        let none = try await iam([("Action", "GetOpenIDConnectProvider"), ("OpenIDConnectProviderArn", arn + "x")])
        XCTAssertEqual(none.xml("Code"), "NoSuchEntity")
    }

    func testIAMRequiresASignature() async throws {
        let r = try await aws.handle(Requests.query(host: "iam.amazonaws.com", [("Action", "GetRole"), ("RoleName", "irsa-ok")]))
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.xml("Code"), "MissingAuthenticationToken")
    }

    func eks(_ path: String, query: String = "") -> SandboxRequest {
        Requests.operatorSigned(SandboxRequest(method: "GET", host: "eks.us-east-1.amazonaws.com", path: path, rawQuery: query,
                                               headers: ["host": "eks.us-east-1.amazonaws.com"]), service: "eks")
    }

    func testListAndDescribePodIdentityAssociations() async throws {
        let list = try await aws.handle(eks("/clusters/widash-demo/pod-identity-associations", query: "namespace=aws&serviceAccount=podid-ok"))
        XCTAssertEqual(list.status, 200, list.text)
        let associations = try XCTUnwrap(try list.jsonObject()["associations"] as? [[String: Any]])
        XCTAssertEqual(associations.count, 1)
        let id = try XCTUnwrap(associations.first?["associationId"] as? String)
        XCTAssertTrue(id.hasPrefix("a-"))

        let filtered = try await aws.handle(eks("/clusters/widash-demo/pod-identity-associations", query: "namespace=shop"))
        XCTAssertEqual((try filtered.jsonObject()["associations"] as? [Any])?.count, 0)

        let described = try await aws.handle(eks("/clusters/widash-demo/pod-identity-associations/\(id)"))
        let association = try XCTUnwrap(try described.jsonObject()["association"] as? [String: Any])
        XCTAssertEqual(association["roleArn"] as? String, DemoDirectory.podIdentityRoleARN)
        XCTAssertEqual(association["serviceAccount"] as? String, "podid-ok")

        let noCluster = try await aws.handle(eks("/clusters/other/pod-identity-associations"))
        XCTAssertEqual(noCluster.status, 404)
        XCTAssertEqual(noCluster.header("x-amzn-ErrorType"), "ResourceNotFoundException")
    }

    func podIdentity(token: String) -> SandboxRequest {
        let body = Data(#"{"token":"\#(token)"}"#.utf8)
        return Requests.operatorSigned(SandboxRequest(
            method: "POST", host: "eks-auth.us-east-1.api.aws", path: "/clusters/widash-demo/assume-role-for-pod-identity",
            headers: ["host": "eks-auth.us-east-1.api.aws", "content-type": "application/json"], body: body), service: "eks-auth")
    }

    func testAssumeRoleForPodIdentity() async throws {
        let token = try await issuer.token(namespace: "aws", serviceAccount: "podid-ok", audience: "pods.eks.amazonaws.com")
        let r = try await aws.handle(podIdentity(token: token))
        XCTAssertEqual(r.status, 200, r.text)
        let json = try r.jsonObject()
        XCTAssertEqual(json["audience"] as? String, "pods.eks.amazonaws.com")
        XCTAssertEqual((json["subject"] as? [String: String])?["serviceAccount"], "podid-ok")
        XCTAssertEqual((json["subject"] as? [String: String])?["namespace"], "aws")
        XCTAssertTrue(((json["assumedRoleUser"] as? [String: String])?["arn"])?.hasPrefix("arn:aws:sts::111122223333:assumed-role/podid-ok/eks-widash-demo-") == true)
        let creds = try XCTUnwrap(json["credentials"] as? [String: Any])
        XCTAssertTrue((creds["accessKeyId"] as? String)?.hasPrefix("ASIA") == true)
        XCTAssertNotNil(creds["expiration"] as? Double)
        XCTAssertNotNil((json["podIdentityAssociation"] as? [String: String])?["associationArn"])

        // The issued credentials then work for GetCallerIdentity.
        let call = Requests.signed(Requests.query(host: "sts.amazonaws.com", [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]),
                                   accessKeyID: try XCTUnwrap(creds["accessKeyId"] as? String),
                                   secret: try XCTUnwrap(creds["secretAccessKey"] as? String),
                                   sessionToken: creds["sessionToken"] as? String, service: "sts")
        let identity = try await aws.handle(call)
        XCTAssertEqual(identity.status, 200, identity.text)
        XCTAssertTrue(identity.xml("Arn")?.contains("assumed-role/podid-ok/") == true)
    }

    func testAssumeRoleForPodIdentityRejectsWrongAudienceAndUnassociatedAccounts() async throws {
        let sts = try await issuer.token(namespace: "aws", serviceAccount: "podid-ok", audience: "sts.amazonaws.com")
        let wrongAud = try await aws.handle(podIdentity(token: sts))
        XCTAssertEqual(wrongAud.status, 400)
        XCTAssertEqual(wrongAud.header("x-amzn-ErrorType"), "InvalidTokenException")

        let other = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "pods.eks.amazonaws.com")
        let unassociated = try await aws.handle(podIdentity(token: other))
        XCTAssertEqual(unassociated.status, 404)
        XCTAssertEqual(unassociated.header("x-amzn-ErrorType"), "ResourceNotFoundException")

        var unsigned = podIdentity(token: other)
        unsigned.headers["authorization"] = nil
        let missing = try await aws.handle(unsigned)
        XCTAssertEqual(missing.status, 403)
        XCTAssertEqual(missing.header("x-amzn-ErrorType"), "MissingAuthenticationTokenException")
    }
}
