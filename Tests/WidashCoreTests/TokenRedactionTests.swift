import XCTest
@testable import WidashCore

final class TokenRedactionTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_780_000_000)

    func testRedactShowsPrefixesAndSignatureLengthOnly() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        let signature = String(token.split(separator: ".")[2])
        let redacted = TokenRedaction.redact(token)

        XCTAssertTrue(redacted.hasPrefix("eyJ"), redacted)
        XCTAssertTrue(redacted.hasSuffix("….<sig 342 chars>"), redacted)
        XCTAssertEqual(redacted.split(separator: ".").count, 3)
        XCTAssertFalse(redacted.contains(signature))
        XCTAssertFalse(redacted.contains(signature.prefix(12)))
        XCTAssertLessThan(redacted.count, 50)
    }

    func testSummaryShowsHeaderAndClaimsButNeverTheSignature() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "ec-1")
        let signature = String(token.split(separator: ".")[2])
        let summary = TokenRedaction.summary(token)
        XCTAssertTrue(summary.hasPrefix(#"{"#), summary)
        XCTAssertTrue(summary.contains(#""kid":"ec-1""#), summary)
        XCTAssertTrue(summary.contains(#""sub":"system:serviceaccount:shop:front""#), summary)
        XCTAssertTrue(summary.hasSuffix("}.…"), summary)
        XCTAssertFalse(summary.contains(signature))
        XCTAssertFalse(summary.contains(token))
    }

    func testOpaqueSecretsShowOnlyEdgesOrLength() {
        XCTAssertEqual(TokenRedaction.redact("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "wJal…EKEY (40 chars)")
        XCTAssertEqual(TokenRedaction.redact("short-secret"), "<12 chars>")
        XCTAssertEqual(TokenRedaction.redact("not.a.jwt"), "<9 chars>")
    }

    func testScrubReplacesJWTsInFreeText() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        let signature = String(token.split(separator: ".")[2])
        let log = """
        POST /tenant/oauth2/v2.0/token client_assertion=\(token)&scope=x
        Authorization: Bearer \(token)
        {"access_token":"\(token)","token_type":"Bearer"}
        """
        let scrubbed = TokenRedaction.scrub(log)
        XCTAssertFalse(scrubbed.contains(token))
        XCTAssertFalse(scrubbed.contains(signature))
        XCTAssertEqual(scrubbed.components(separatedBy: "<sig 342 chars>").count, 4, scrubbed)
        XCTAssertTrue(scrubbed.contains("client_assertion=eyJ"), scrubbed)
        XCTAssertTrue(scrubbed.contains("&scope=x"), scrubbed)
        XCTAssertTrue(scrubbed.contains(#"","token_type":"Bearer"}"#), scrubbed)
    }

    func testScrubReplacesUnsignedJWTs() {
        let token = rawToken(header: #"{"alg":"none"}"#, claims: #"{"sub":"x","aud":"y"}"#, signature: "")
        let scrubbed = TokenRedaction.scrub("token=\(token) end")
        XCTAssertFalse(scrubbed.contains(token))
        XCTAssertTrue(scrubbed.contains("<sig 0 chars> end"), scrubbed)
    }

    func testScrubReplacesAWSSecrets() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let session = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample+session/token=="
        let text = """
        <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>\(secret)</SecretAccessKey><SessionToken>\(session)</SessionToken></Credentials>
        {"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"\(secret)","Token":"\(session)"}
        AWS_SECRET_ACCESS_KEY=\(secret)
        aws_session_token = \(session)
        bare: \(secret) and commit 0123456789abcdef0123456789abcdef01234567
        """
        let scrubbed = TokenRedaction.scrub(text)
        XCTAssertFalse(scrubbed.contains(secret), scrubbed)
        XCTAssertFalse(scrubbed.contains(session), scrubbed)
        XCTAssertFalse(scrubbed.contains("K7MDENG"), scrubbed)
        XCTAssertTrue(scrubbed.contains("ASIAEXAMPLE"), "access key ids are not secret")
        XCTAssertTrue(scrubbed.contains("0123456789abcdef0123456789abcdef01234567"), "hex hashes are left alone")
        XCTAssertTrue(scrubbed.contains("<SecretAccessKey>wJal…EKEY (40 chars)</SecretAccessKey>"), scrubbed)
    }

    func testScrubLeavesOrdinaryTextAlone() {
        let text = "pod shop/front uses service account front (client id 11111111-2222-3333-4444-555555555555)"
        XCTAssertEqual(TokenRedaction.scrub(text), text)
    }
}

final class TokenRedactionBearerTests: XCTestCase {
    func testScrubReplacesOpaqueBearerTokens() {
        let opaque = "sha256~AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
        let scrubbed = TokenRedaction.scrub("Authorization: Bearer \(opaque)\n\"token_type\":\"Bearer\"")
        XCTAssertFalse(scrubbed.contains(opaque), scrubbed)
        XCTAssertTrue(scrubbed.contains("Authorization: Bearer sha2…6789 (\(opaque.count) chars)"), scrubbed)
        XCTAssertTrue(scrubbed.hasSuffix("\"token_type\":\"Bearer\""), scrubbed)
    }
}
