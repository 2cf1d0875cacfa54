import Foundation
import WidashCore
import XCTest
import WidashHTTP
@testable import WidashCloud

final class AWSResponseTests: XCTestCase {
    static let assumeRoleOK = """
<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:aws:irsa-ok</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::111122223333:assumed-role/irsa-ok/widash-trace</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:widash-trace</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2026-11-29T12:00:00Z</Expiration>
      <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::111122223333:oidc-provider/oidc.example.test/id/ABC</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
"""

    static func errorXML(_ code: String, _ message: String) -> String {
        """
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>
"""
    }

    func testAssumeRoleWithWebIdentitySuccess() throws {
        let exchange = try STSClient.parseAssumeRoleWithWebIdentity(requestLine: "POST https://sts.us-east-1.amazonaws.com/", url: "u",
                                                                    response: xml(200, Self.assumeRoleOK))
        guard case .success(let r) = exchange.result else { return XCTFail("expected credentials") }
        XCTAssertEqual(r.credentials.accessKeyID, "ASgeIAIOSFODNN7EXAMPLE")
        XCTAssertEqual(r.credentials.sessionToken, "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE")
        XCTAssertEqual(r.credentials.expiration, TokenClock.parseTimestamp("2026-11-29T12:00:00Z"))
        XCTAssertEqual(r.assumedRoleARN, "arn:aws:sts::111122223333:assumed-role/irsa-ok/widash-trace")
        XCTAssertEqual(r.subjectFromWebIdentityToken, "system:serviceaccount:aws:irsa-ok")
        XCTAssertEqual(r.audience, "sts.amazonaws.com")
        XCTAssertFalse(r.description.contains("wJalrXUtnFEMI"), "the secret never appears in descriptions")
    }

    func testQueryErrors() throws {
        for (code, status, message) in [("InvalidIdentityToken", 400, "No OpenIDConnect provider found in your account for https://oidc.example.test/id/ABC"),
                                        ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
                                        ("ExpiredTokenException", 400, "Token expired: current date/time 1700000000 must be before the expiration date/time 1690000000")] {
            let exchange = try STSClient.parseAssumeRoleWithWebIdentity(requestLine: "", url: "u", response: xml(status, Self.errorXML(code, message)))
            guard case .failure(let e) = exchange.result else { return XCTFail("expected \(code)") }
            XCTAssertEqual(e.code, code)
            XCTAssertEqual(e.message, message)
            XCTAssertEqual(e.httpStatus, status)
            XCTAssertEqual(e.type, "Sender")
            XCTAssertEqual(e.requestID, "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
        }
        XCTAssertThrowsError(try STSClient.parseAssumeRoleWithWebIdentity(requestLine: "", url: "u", response: xml(502, "<html>bad gateway")))
    }

    /// Every page of ListPodIdentityAssociations is read (the scale scenario's 3 334 associations
    /// once stopped at a 20-page cap), at the largest page size; a repeated token is an error.
    func testEveryPageOfPodIdentityAssociationsIsRead() async throws {
        let transport = ScriptedTransport { request in
            let items = URLComponents(string: request.url)?.queryItems ?? []
            XCTAssertEqual(items.first { $0.name == "maxResults" }?.value, "100")
            let page = Int(items.first { $0.name == "nextToken" }?.value ?? "0") ?? 0
            let associations = (0..<100).map { i in #"{"associationId":"a-\#(page * 100 + i)","namespace":"ns","serviceAccount":"sa-\#(page * 100 + i)"}"# }
            let next = page < 34 ? #","nextToken":"\#(page + 1)""# : ""
            return json(200, #"{"associations":[\#(associations.joined(separator: ","))]\#(next)}"#)
        }
        let eks = EKSClient(transport: transport, endpoint: AWSEndpoints.resolve(service: "eks", region: "eu-west-1", environment: [:]),
                            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s"))
        let all = try await eks.listPodIdentityAssociations(cluster: "demo", namespace: nil, serviceAccount: nil)
        XCTAssertEqual(all.count, 3500)
        XCTAssertEqual(Set(all.map(\.associationID)).count, 3500)

        let looping = ScriptedTransport { _ in json(200, #"{"associations":[],"nextToken":"same"}"#) }
        let stuck = EKSClient(transport: looping, endpoint: AWSEndpoints.resolve(service: "eks", region: "eu-west-1", environment: [:]),
                              credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s"))
        do {
            _ = try await stuck.listPodIdentityAssociations(cluster: "demo", namespace: nil, serviceAccount: nil)
            XCTFail("a repeated nextToken must end the listing")
        } catch {
            XCTAssertTrue("\(error)".contains("same nextToken"), "\(error)")
        }
        XCTAssertEqual(looping.requests.count, 2)
    }

    func testGetRoleDecodesTheTrustPolicyAndSigns() async throws {
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.example.test/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.example.test/id/ABC:sub":"system:serviceaccount:aws:old","oidc.example.test/id/ABC:aud":"sts.amazonaws.com"}}}]}"#
        let encoded = FormEncoding.escape(policy)
        let transport = ScriptedTransport { _ in
            xml(200, "<GetRoleResponse><GetRoleResult><Role><Arn>arn:aws:iam::111122223333:role/r</Arn><RoleName>r</RoleName><AssumeRolePolicyDocument>\(encoded)</AssumeRolePolicyDocument></Role></GetRoleResult></GetRoleResponse>")
        }
        let iam = IAMClient(transport: transport, endpoint: AWSEndpoints.resolve(service: "iam", region: "eu-west-1", environment: [:]),
                            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s"))
        let role = try await iam.getRole(name: "r")
        XCTAssertEqual(role.assumeRolePolicyDocument, policy)
        XCTAssertEqual(role.trustPolicy?.statements.first?.conditions.count, 2)
        let sent = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(sent.url, "https://iam.amazonaws.com/")
        XCTAssertTrue(sent.headers.contains { $0.name == "Authorization" && $0.value.contains("/us-east-1/iam/aws4_request") })
        XCTAssertEqual(IAMClient.roleName(fromARN: "arn:aws:iam::1:role/path/to/name"), "name")
    }

    func testOIDCProvidersAndRestJSONErrors() async throws {
        let transport = ScriptedTransport { r in
            let body = String(decoding: r.body ?? Data(), as: UTF8.self)
            if body.contains("ListOpenIDConnectProviders") {
                return xml(200, "<ListOpenIDConnectProvidersResponse><ListOpenIDConnectProvidersResult><OpenIDConnectProviderList><member><Arn>arn:aws:iam::1:oidc-provider/other.test</Arn></member><member><Arn>arn:aws:iam::1:oidc-provider/oidc.example.test/id/ABC</Arn></member></OpenIDConnectProviderList></ListOpenIDConnectProvidersResult></ListOpenIDConnectProvidersResponse>")
            }
            return xml(200, "<GetOpenIDConnectProviderResponse><GetOpenIDConnectProviderResult><Url>oidc.example.test/id/ABC</Url><ClientIDList><member>sts.amazonaws.com</member></ClientIDList><ThumbprintList><member>9e99a48a9960b14926bb7f3b02e22da2b0ab7280</member></ThumbprintList></GetOpenIDConnectProviderResult></GetOpenIDConnectProviderResponse>")
        }
        let iam = IAMClient(transport: transport, endpoint: AWSEndpoints.resolve(service: "iam", region: nil, environment: [:]),
                            credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s"))
        let provider = try await iam.provider(forIssuer: "https://oidc.example.test/id/ABC")
        XCTAssertEqual(provider?.arn, "arn:aws:iam::1:oidc-provider/oidc.example.test/id/ABC")
        XCTAssertEqual(provider?.clientIDs, ["sts.amazonaws.com"])

        let denied = HTTPResponse(status: 403, headers: ["x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/", "x-amzn-requestid": "r1"],
                                  body: Data(#"{"message":"not allowed"}"#.utf8))
        let e = try XCTUnwrap(AWSServiceError.parseRestJSON(service: "eks-auth", response: denied))
        XCTAssertEqual(e.code, "AccessDeniedException")
        XCTAssertEqual(e.message, "not allowed")
        let typed = try XCTUnwrap(AWSServiceError.parseRestJSON(service: "eks", response: json(404, #"{"__type":"com.amazonaws#ResourceNotFoundException","message":"no cluster"}"#)))
        XCTAssertEqual(typed.code, "ResourceNotFoundException")
    }

    func testEKSAuthSuccess() throws {
        let body = #"{"subject":{"namespace":"aws","serviceAccount":"podid-ok"},"audience":"pods.eks.amazonaws.com","podIdentityAssociation":{"associationArn":"arn:a","associationId":"a-1"},"assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/podid-ok/s","assumeRoleId":"AROA:s"},"credentials":{"sessionToken":"tok","secretAccessKey":"sec","accessKeyId":"ASIAEXAMPLE12345","expiration":1795915830}}"#
        let exchange = try EKSAuthClient.parse(requestLine: "", url: "u", response: json(200, body))
        guard case .success(let r) = exchange.result else { return XCTFail("expected credentials") }
        XCTAssertEqual(r.credentials.expiration, Date(timeIntervalSince1970: 1_795_915_830))
        XCTAssertEqual(r.subjectFromWebIdentityToken, "system:serviceaccount:aws:podid-ok")
        XCTAssertEqual(r.assumedRoleARN, "arn:aws:sts::111122223333:assumed-role/podid-ok/s")
    }
}

final class TrustPolicyTests: XCTestCase {
    let provider = "arn:aws:iam::111122223333:oidc-provider/oidc.example.test/id/ABC"

    func policy(_ condition: String) -> TrustPolicy? {
        TrustPolicy.parse(#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"\#(provider)"},"Action":["sts:AssumeRoleWithWebIdentity"],"Condition":\#(condition)}}"#)
    }

    func testSubjectConditionMismatchIsNamedAndCorrected() throws {
        let p = try XCTUnwrap(policy(#"{"StringEquals":{"oidc.example.test/id/ABC:sub":"system:serviceaccount:aws:irsa-bad-trust-old","oidc.example.test/id/ABC:aud":"sts.amazonaws.com"}}"#))
        let result = p.evaluate(providerARN: provider, claims: ["sub": ["system:serviceaccount:aws:irsa-bad-trust"], "aud": ["sts.amazonaws.com"]])
        XCTAssertFalse(result.allowed)
        XCTAssertEqual(result.failures.count, 1)
        XCTAssertEqual(result.failures.first?.key, "oidc.example.test/id/ABC:sub")
        XCTAssertEqual(result.failures.first?.expected, ["system:serviceaccount:aws:irsa-bad-trust-old"])
        XCTAssertEqual(result.failures.first?.actual, ["system:serviceaccount:aws:irsa-bad-trust"])
        let fixed = try XCTUnwrap(p.corrected(for: result.failures))
        let again = try XCTUnwrap(TrustPolicy.parse(fixed)).evaluate(providerARN: provider,
            claims: ["sub": ["system:serviceaccount:aws:irsa-bad-trust"], "aud": ["sts.amazonaws.com"]])
        XCTAssertTrue(again.allowed, "the corrected policy admits the token")
    }

    func testStringLikeAndCaseInsensitiveKeys() throws {
        let p = try XCTUnwrap(policy(#"{"StringLike":{"OIDC.example.test/id/ABC:sub":"system:serviceaccount:aws:*"}}"#))
        XCTAssertTrue(p.evaluate(providerARN: provider, claims: ["sub": ["system:serviceaccount:aws:x"]]).allowed)
        XCTAssertFalse(p.evaluate(providerARN: provider, claims: ["sub": ["system:serviceaccount:other:x"]]).allowed)
        XCTAssertFalse(p.evaluate(providerARN: provider, claims: [:]).allowed, "a missing claim does not satisfy StringLike")
    }

    func testOtherProviderOrDenyIsRefused() throws {
        let p = try XCTUnwrap(policy("{}"))
        XCTAssertTrue(p.evaluate(providerARN: provider, claims: [:]).allowed)
        let other = p.evaluate(providerARN: "arn:aws:iam::1:oidc-provider/elsewhere", claims: [:])
        XCTAssertFalse(other.allowed)
        XCTAssertNil(other.statementIndex)
        let deny = try XCTUnwrap(TrustPolicy.parse(#"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"\#(provider)"},"Action":"sts:*"},{"Effect":"Deny","Principal":"*","Action":"*"}]}"#))
        XCTAssertFalse(deny.evaluate(providerARN: provider, claims: [:]).allowed)
    }
}

final class AWSConfigurationTests: XCTestCase {
    func testEnvironmentWinsThenProfiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("widash-aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "[default]\naws_access_key_id = AKIADEFAULT0001\naws_secret_access_key = s1\n\n[dev]\naws_access_key_id=AKIADEV000000002\naws_secret_access_key=s2\naws_session_token = t2\n"
            .write(to: dir.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        try "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n[profile sso]\nsso_session = corp\n"
            .write(to: dir.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8)

        let env = AWSConfiguration(environment: ["AWS_ACCESS_KEY_ID": "AKIAENV000000003", "AWS_SECRET_ACCESS_KEY": "s3"], homeDirectory: dir.path)
        XCTAssertEqual(try env.credentials().get().accessKeyID, "AKIAENV000000003")
        let def = AWSConfiguration(environment: [:], homeDirectory: dir.path)
        XCTAssertEqual(try def.credentials().get().accessKeyID, "AKIADEFAULT0001")
        XCTAssertEqual(def.region(), "eu-west-1")
        let dev = AWSConfiguration(environment: ["AWS_PROFILE": "dev"], homeDirectory: dir.path)
        XCTAssertEqual(try dev.credentials().get().sessionToken, "t2")
        XCTAssertEqual(dev.region(), "ap-south-1")
        XCTAssertEqual(AWSConfiguration(environment: ["AWS_PROFILE": "dev", "AWS_REGION": "us-west-2"], homeDirectory: dir.path).region(), "us-west-2")
        guard case .failure(.unsupportedProfile) = AWSConfiguration(environment: ["AWS_PROFILE": "sso"], homeDirectory: dir.path).credentials() else {
            return XCTFail("an SSO profile is reported as unsupported")
        }
        guard case .failure(.none) = AWSConfiguration(environment: ["AWS_PROFILE": "missing"], homeDirectory: dir.path).credentials() else {
            return XCTFail("a missing profile means no credentials")
        }
    }

    func testEndpoints() {
        XCTAssertEqual(AWSEndpoints.resolve(service: "sts", region: "eu-west-1", environment: [:]).url, "https://sts.eu-west-1.amazonaws.com")
        XCTAssertEqual(AWSEndpoints.resolve(service: "sts", region: "eu-west-1", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "legacy"]).url, "https://sts.amazonaws.com")
        XCTAssertEqual(AWSEndpoints.resolve(service: "sts", region: "af-south-1", environment: ["AWS_STS_REGIONAL_ENDPOINTS": "legacy"]).url, "https://sts.af-south-1.amazonaws.com")
        XCTAssertEqual(AWSEndpoints.resolve(service: "sts", region: nil, environment: [:]).signingRegion, "us-east-1")
        XCTAssertEqual(AWSEndpoints.resolve(service: "eks-auth", region: "us-east-1", environment: [:]).url, "https://eks-auth.us-east-1.api.aws")
        XCTAssertEqual(AWSEndpoints.resolve(service: "eks", region: "us-east-1", environment: [:]).url, "https://eks.us-east-1.amazonaws.com")
        XCTAssertEqual(AWSEndpoints.resolve(service: "sts", region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "https://local:4566", "AWS_ENDPOINT_URL_STS": "https://sts.local"]).url, "https://sts.local")
        XCTAssertEqual(AWSEndpoints.resolve(service: "eks-auth", region: "us-east-1", environment: ["AWS_ENDPOINT_URL_EKS_AUTH": "https://ea.local"]).url, "https://ea.local")
        XCTAssertEqual(AWSEndpoints.resolve(service: "iam", region: "eu-west-1", environment: ["AWS_ENDPOINT_URL": "https://local:4566"]).signingRegion, "us-east-1")
        XCTAssertEqual(AWSEndpoints.resolve(service: "eks", region: "us-east-1", environment: ["AWS_ENDPOINT_URL": "https://x", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]).url,
                       "https://eks.us-east-1.amazonaws.com")
    }
}

/// Inputs that crash Foundation's XMLParser on Linux (found by fuzzing, kept in
/// Tests/FuzzCorpus/crashes/sts-xml) are refused before the parser sees them.
final class XMLTreeHostileInputTests: XCTestCase {
    func testFuzzerCrashInputsAreRefused() throws {
        var dir = URL(fileURLWithPath: #filePath)
        dir.deleteLastPathComponent(); dir.deleteLastPathComponent()
        dir.appendPathComponent("FuzzCorpus/crashes/sts-xml")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertFalse(files.isEmpty)
        for file in files {
            XCTAssertNil(XMLTree.parse(try Data(contentsOf: dir.appendingPathComponent(file))), file)
        }
    }

    func testDeclarationIsStillAccepted() {
        let xml = #"<?xml version="1.0" encoding="UTF-8"?><GetCallerIdentityResponse><GetCallerIdentityResult><Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"#
        XCTAssertEqual(XMLTree.parse(Data(xml.utf8))?.text("GetCallerIdentityResult/Account"), "1")
        XCTAssertNil(XMLTree.parse(Data("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>".utf8)))
    }
}
