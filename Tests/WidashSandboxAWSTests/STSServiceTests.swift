import XCTest
import WidashSandboxKit
@testable import WidashSandboxAWS

final class STSServiceTests: XCTestCase {
    var issuer: TestIssuer!
    var aws: AWSServices!

    override func setUp() async throws {
        issuer = try await TestIssuer()
        aws = AWSServices(context: issuer.context())
    }

    func assume(role: String, token: String, session: String = "widash-trace") async throws -> SandboxResponse {
        try await aws.handle(Requests.query(host: "sts.amazonaws.com", [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", role),
            ("RoleSessionName", session), ("WebIdentityToken", token),
        ]))
    }

    func testAssumeRoleWithWebIdentitySucceedsForIrsaOK() async throws {
        let token = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com")
        let response = try await assume(role: DemoDirectory.irsaOKRoleARN, token: token)
        XCTAssertEqual(response.status, 200, response.text)
        XCTAssertTrue(response.text.hasPrefix("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"))
        XCTAssertNotNil(response.xml("AssumeRoleWithWebIdentityResult"))
        XCTAssertEqual(response.xml("SubjectFromWebIdentityToken"), "system:serviceaccount:aws:irsa-ok")
        XCTAssertEqual(response.xml("Audience"), "sts.amazonaws.com")
        XCTAssertEqual(response.xml("Provider"), "arn:aws:iam::111122223333:oidc-provider/oidc.test.widash.local/cluster")
        XCTAssertEqual(response.xml("Arn"), "arn:aws:sts::111122223333:assumed-role/irsa-ok/widash-trace")
        XCTAssertTrue(response.xml("AssumedRoleId")?.hasPrefix("AROA") == true)
        XCTAssertTrue(response.xml("AssumedRoleId")?.hasSuffix(":widash-trace") == true)
        XCTAssertTrue(response.xml("AccessKeyId")?.hasPrefix("ASIA") == true)
        XCTAssertEqual(response.xml("SecretAccessKey")?.count, 40)
        XCTAssertNotNil(response.xml("SessionToken"))
        XCTAssertNotNil(response.xml("Expiration").flatMap { ISO8601DateFormatter().date(from: $0) })
        XCTAssertEqual(response.xml("RequestId")?.count, 36)
    }

    func testBadTrustIsAccessDenied() async throws {
        let token = try await issuer.token(namespace: "aws", serviceAccount: "irsa-bad-trust", audience: "sts.amazonaws.com")
        let response = try await assume(role: DemoDirectory.irsaBadTrustRoleARN, token: token)
        XCTAssertEqual(response.status, 403)
        XCTAssertTrue(response.text.hasPrefix("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"))
        XCTAssertEqual(response.xml("Type"), "Sender")
        XCTAssertEqual(response.xml("Code"), "AccessDenied")
        XCTAssertEqual(response.xml("Message"), "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        XCTAssertNotNil(response.xml("RequestId"))
    }

    func testAnotherServiceAccountCannotAssumeIrsaOK() async throws {
        let token = try await issuer.token(namespace: "aws", serviceAccount: "podid-ok", audience: "sts.amazonaws.com")
        let response = try await assume(role: DemoDirectory.irsaOKRoleARN, token: token)
        XCTAssertEqual(response.xml("Code"), "AccessDenied")
    }

    func testUnknownIssuerWrongAudienceExpiredAndForgedTokens() async throws {
        let foreign = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com",
                                             issuer: "https://elsewhere.example.com")
        var r = try await assume(role: DemoDirectory.irsaOKRoleARN, token: foreign)
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.xml("Code"), "InvalidIdentityToken")
        XCTAssertEqual(r.xml("Message"), "No OpenIDConnect provider found in your account for https://elsewhere.example.com")

        let wrongAud = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "api://AzureADTokenExchange")
        r = try await assume(role: DemoDirectory.irsaOKRoleARN, token: wrongAud)
        XCTAssertEqual(r.xml("Code"), "InvalidIdentityToken")
        XCTAssertEqual(r.xml("Message"), "Incorrect token audience")

        let expired = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com",
                                             now: Date().addingTimeInterval(-7200))
        r = try await assume(role: DemoDirectory.irsaOKRoleARN, token: expired)
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.xml("Code"), "ExpiredTokenException")

        // Same header and claims, signature from another token: must not verify.
        let good = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com")
        let other = try await issuer.token(namespace: "aws", serviceAccount: "irsa-bad-trust", audience: "sts.amazonaws.com")
        let forged = good.split(separator: ".").prefix(2).joined(separator: ".") + "." + (other.split(separator: ".").last ?? "")
        r = try await assume(role: DemoDirectory.irsaOKRoleARN, token: forged)
        XCTAssertEqual(r.xml("Code"), "InvalidIdentityToken")

        r = try await assume(role: DemoDirectory.irsaOKRoleARN, token: "not-a-jwt")
        XCTAssertEqual(r.xml("Code"), "InvalidIdentityToken")
    }

    func testUnreachableIssuerKeys() async throws {
        let context = SandboxContext(clusterIssuer: TestIssuer.issuer, caPEM: Data(), transport: FakeTransport(routes: [:]),
                                     baseURL: "https://127.0.0.1:1")
        aws = AWSServices(context: context)
        let token = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com")
        let r = try await assume(role: DemoDirectory.irsaOKRoleARN, token: token)
        XCTAssertEqual(r.xml("Code"), "InvalidIdentityToken")
        XCTAssertTrue(r.xml("Message")?.hasPrefix("Couldn't retrieve verification key from your identity provider") == true)
    }

    func testMissingParametersAreValidationErrors() async throws {
        let r = try await aws.handle(Requests.query(host: "sts.amazonaws.com", [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15")]))
        XCTAssertEqual(r.status, 400)
        XCTAssertEqual(r.xml("Code"), "ValidationError")
        XCTAssertTrue(r.xml("Message")?.hasPrefix("3 validation errors detected") == true)
        let unknown = try await aws.handle(Requests.query(host: "sts.us-east-1.amazonaws.com", [("Action", "Nope")]))
        XCTAssertEqual(unknown.xml("Code"), "InvalidAction")
    }

    func testGetCallerIdentityWithIssuedCredentialsAndTampering() async throws {
        let token = try await issuer.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com")
        let assumed = try await assume(role: DemoDirectory.irsaOKRoleARN, token: token)
        let keyID = try XCTUnwrap(assumed.xml("AccessKeyId")), secret = try XCTUnwrap(assumed.xml("SecretAccessKey"))
        let session = try XCTUnwrap(assumed.xml("SessionToken"))
        let base = Requests.query(host: "sts.amazonaws.com", [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")])
        let signed = Requests.signed(base, accessKeyID: keyID, secret: secret, sessionToken: session, service: "sts")

        let ok = try await aws.handle(signed)
        XCTAssertEqual(ok.status, 200, ok.text)
        XCTAssertEqual(ok.xml("Arn"), "arn:aws:sts::111122223333:assumed-role/irsa-ok/widash-trace")
        XCTAssertEqual(ok.xml("Account"), "111122223333")
        XCTAssertEqual(ok.xml("UserId"), assumed.xml("AssumedRoleId"))

        var tampered = signed
        let auth = try XCTUnwrap(signed.headers["authorization"])
        tampered.headers["authorization"] = String(auth.dropLast()) + (auth.last == "a" ? "b" : "a")
        let rejected = try await aws.handle(tampered)
        XCTAssertEqual(rejected.status, 403)
        XCTAssertEqual(rejected.xml("Code"), "SignatureDoesNotMatch")
        XCTAssertEqual(rejected.xml("Message"), AWSError.signatureMismatchMessage)

        let operatorCall = try await aws.handle(Requests.operatorSigned(base, service: "sts"))
        XCTAssertEqual(operatorCall.xml("Arn"), "arn:aws:iam::111122223333:user/widash-operator")
    }
}
