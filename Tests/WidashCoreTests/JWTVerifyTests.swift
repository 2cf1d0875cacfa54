import XCTest
@testable import WidashCore

final class JWTVerifyTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_780_000_000)
    let issuer = "https://issuer.example"
    let audience = "api://AzureADTokenExchange"

    func verify(_ token: String, _ keys: TestKeys, at time: Date? = nil, issuer: String? = nil,
                audience: String? = nil) async throws -> JWTVerification {
        try await JWTVerifier.verify(token, jwksJSON: try keys.jwks(), expectedIssuer: issuer ?? self.issuer,
                                     expectedAudience: audience ?? self.audience, now: time ?? now, leeway: 60)
    }

    func testRS256TokenVerifiesAgainstJWKS() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        let result = try await verify(token, keys, at: now.addingTimeInterval(120))
        XCTAssertTrue(result.isValid, "\(result.failures)")
        XCTAssertEqual(result.checks.map(\.kind), [.signature, .expiry, .notBefore, .issuer, .audience])
        XCTAssertEqual(result.check(.signature)?.message, "signature verified with RS256 key `rsa-1` from the JWKS")
    }

    func testES256TokenVerifiesAgainstJWKS() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "ec-1")
        XCTAssertEqual(try JWT.decode(token).alg, "ES256")
        let result = try await verify(token, keys)
        XCTAssertTrue(result.isValid, "\(result.failures)")
    }

    // MARK: Bad-input corpus (issue 8)

    func testAlgNoneIsRejected() async throws {
        let keys = try await TestKeys()
        let claims = #"{"iss":"https://issuer.example","aud":["api://AzureADTokenExchange"],"exp":1780003600,"iat":1780000000}"#
        let result = try await verify(rawToken(header: #"{"alg":"none","kid":"rsa-1"}"#, claims: claims, signature: ""), keys)
        XCTAssertFalse(result.isValid)
        let sig = try XCTUnwrap(result.check(.signature))
        XCTAssertEqual(sig.failureCode, "alg-none")
        XCTAssertEqual(sig.message, "the token says `alg: none` (unsigned); an unsigned token proves nothing and is refused — "
                       + "accepted algorithms: RS256, ES256, RS384, RS512, ES384, ES512, PS256, PS384, PS512")
        // The time and claim checks still run and pass: only the signature is at fault.
        XCTAssertEqual(result.failures.count, 1)
    }

    func testHMACAlgorithmIsRejected() async throws {
        let keys = try await TestKeys()
        let result = try await verify(rawToken(header: #"{"alg":"HS256","kid":"rsa-1"}"#, claims: #"{"exp":1780003600}"#), keys)
        XCTAssertEqual(result.check(.signature)?.failureCode, "alg-unsupported")
        XCTAssertTrue(result.check(.signature)?.message.contains("`HS256` is not accepted") ?? false)
    }

    func testUnknownKidNamesBothKids() async throws {
        let keys = try await TestKeys()
        let other = try await TestKeys()
        await other.signers.add(rsa: other.rsa, digestAlgorithm: .sha256, kid: "rotated-7")
        let token = try await other.sign(.serviceAccount(now: now), kid: "rotated-7")
        let result = try await verify(token, keys)
        let sig = try XCTUnwrap(result.check(.signature))
        XCTAssertFalse(sig.passed)
        XCTAssertEqual(sig.failureCode, "unknown-kid")
        XCTAssertEqual(sig.message, "the token's key id `rotated-7` is not in the JWKS (its key ids: `rsa-1`, `ec-1`); the issuer "
                       + "may have rotated its keys or the token comes from another issuer — refetch the JWKS and compare issuers")
    }

    func testWrongSignatureIsRejected() async throws {
        let keys = try await TestKeys()
        let impostor = try await TestKeys()
        // Same kid, different key: the JWKS key does not match.
        let token = try await impostor.sign(.serviceAccount(now: now), kid: "rsa-1")
        let result = try await verify(token, keys)
        let sig = try XCTUnwrap(result.check(.signature))
        XCTAssertEqual(sig.failureCode, "bad-signature")
        XCTAssertEqual(sig.message, "the signature does not verify (kid `rsa-1`, RS256): the signature does not match key "
                       + "`rsa-1` — the token was altered or signed by another key with the same kid")

        // Claims altered after signing.
        let genuine = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        let parts = genuine.split(separator: ".")
        let forgedClaims = Base64URL.encode(Data(#"{"sub":"system:serviceaccount:kube-system:admin"}"#.utf8))
        let forged = "\(parts[0]).\(forgedClaims).\(parts[2])"
        let forgedResult = try await verify(forged, keys)
        XCTAssertEqual(forgedResult.check(.signature)?.failureCode, "bad-signature")
    }

    func testKeyTypeConfusionIsRejected() async throws {
        let keys = try await TestKeys()
        // Header claims RS256 but names the EC key.
        let genuine = try await keys.sign(.serviceAccount(now: now), kid: "ec-1")
        let parts = genuine.split(separator: ".")
        let header = Base64URL.encode(Data(#"{"alg":"RS256","kid":"ec-1"}"#.utf8))
        let result = try await verify("\(header).\(parts[1]).\(parts[2])", keys)
        let sig = try XCTUnwrap(result.check(.signature))
        XCTAssertEqual(sig.failureCode, "key-mismatch")
        XCTAssertTrue(sig.message.contains("key `ec-1` is a EC key but the token says RS256"), sig.message)
    }

    func testExpiredTokenNamesBothTimes() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        let later = now.addingTimeInterval(3600 + 240)
        let result = try await verify(token, keys, at: later)
        let exp = try XCTUnwrap(result.check(.expiry))
        XCTAssertEqual(exp.failureCode, "expired")
        XCTAssertEqual(exp.message, "token expired at 2026-05-28T21:26:40Z (expired 4m ago), now is 2026-05-28T21:30:40Z, "
                       + "leeway 60s — request a new token")
        XCTAssertTrue(result.check(.signature)?.passed ?? false)

        // Within the leeway it still passes.
        let withinLeeway = try await verify(token, keys, at: now.addingTimeInterval(3630))
        XCTAssertTrue(withinLeeway.check(.expiry)?.passed ?? false)
    }

    func testNotYetValidToken() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        let result = try await verify(token, keys, at: now.addingTimeInterval(-300))
        let nbf = try XCTUnwrap(result.check(.notBefore))
        XCTAssertEqual(nbf.failureCode, "not-yet-valid")
        XCTAssertEqual(nbf.message, "token not valid before 2026-05-28T20:26:40Z (in 5m), now is 2026-05-28T20:21:40Z, "
                       + "leeway 60s — check this machine's clock and the issuer's")
    }

    func testIssuerAndAudienceMismatchNameBothValues() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        let result = try await verify(token, keys, issuer: "https://issuer.example/", audience: "sts.amazonaws.com")
        XCTAssertEqual(result.check(.issuer)?.message,
                       "the token's issuer is `https://issuer.example`, expected `https://issuer.example/` "
                       + "(they differ only by a trailing slash, which matters)")
        XCTAssertEqual(result.check(.audience)?.message,
                       "the token's audience is `api://AzureADTokenExchange`, expected `sts.amazonaws.com`")
        XCTAssertEqual(result.failures.map(\.failureCode), ["issuer-mismatch", "audience-mismatch"])
    }

    func testUnusableInputsThrowWithClearMessages() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        do {
            _ = try await JWTVerifier.verify(token, jwksJSON: Data("<html>".utf8), now: now)
            XCTFail("accepted HTML as a JWKS")
        } catch let error as JWTVerifierError {
            XCTAssertTrue(error.description.hasPrefix("the JWKS is not a JSON key set"), error.description)
        }
        do {
            _ = try await JWTVerifier.verify(String(repeating: "A", count: 1 << 20), jwksJSON: try keys.jwks(), now: now)
            XCTFail("accepted a 1 MB token")
        } catch let error as JWTVerifierError {
            XCTAssertEqual(error, .token(.tooLarge(bytes: 1 << 20)))
            XCTAssertTrue(error.description.hasPrefix("token too large"))
        }
    }

    func testUnknownKeyTypesInJWKSDoNotHideOthers() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        var jwks = try XCTUnwrap(JSONSerialization.jsonObject(with: try keys.jwks()) as? [String: [[String: String]]])
        jwks["keys"]?.insert(["kty": "oct", "kid": "weird", "k": "c2VjcmV0"], at: 0)
        let result = try await JWTVerifier.verify(token, jwksJSON: try JSONSerialization.data(withJSONObject: jwks), now: now)
        XCTAssertTrue(result.isValid, "\(result.failures)")
    }
}
