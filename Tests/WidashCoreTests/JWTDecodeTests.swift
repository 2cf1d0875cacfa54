import XCTest
@testable import WidashCore

final class JWTDecodeTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_780_000_000)

    func testDecodesServiceAccountTokenWithTypedAccessors() async throws {
        let keys = try await TestKeys()
        let token = try await keys.sign(.serviceAccount(now: now), kid: "rsa-1")
        let jwt = try JWT.decode(token)

        XCTAssertEqual(jwt.alg, "RS256")
        XCTAssertEqual(jwt.kid, "rsa-1")
        XCTAssertEqual(jwt.iss, "https://issuer.example")
        XCTAssertEqual(jwt.sub, "system:serviceaccount:shop:front")
        XCTAssertEqual(jwt.aud, ["api://AzureADTokenExchange"])
        XCTAssertEqual(jwt.jti, "8f4f2a7e-jti")
        XCTAssertEqual(jwt.iat, now)
        XCTAssertEqual(jwt.nbf, now)
        XCTAssertEqual(jwt.exp, now.addingTimeInterval(3600))
        XCTAssertEqual(jwt.lifetimeSeconds, 3600)
        let k = try XCTUnwrap(jwt.kubernetes)
        XCTAssertEqual(k.namespace, "shop")
        XCTAssertEqual(k.serviceAccount, KubernetesObjectRef(name: "front", uid: "sa-uid-1"))
        XCTAssertEqual(k.pod, KubernetesObjectRef(name: "front-7d9c", uid: "pod-uid-1"))
        XCTAssertEqual(k.node, KubernetesObjectRef(name: "node-a", uid: "node-uid-1"))
        XCTAssertEqual(k.warnAfter, now.addingTimeInterval(600))
        XCTAssertEqual(jwt.signatureLength, 342, "RS256 with a 2048-bit key has a 256-byte signature")
    }

    func testKeepsClaimOrderAndAcceptsStringAudience() throws {
        let token = rawToken(header: #"{"typ":"JWT","alg":"ES256","kid":"k"}"#,
                             claims: #"{"sub":"s","aud":"sts.amazonaws.com","iss":"https://i","exp":2000000000}"#)
        let jwt = try JWT.decode(token + "\n")
        XCTAssertEqual(jwt.claims.objectMembers?.map(\.key), ["sub", "aud", "iss", "exp"])
        XCTAssertEqual(jwt.header.objectMembers?.map(\.key), ["typ", "alg", "kid"])
        XCTAssertEqual(jwt.aud, ["sts.amazonaws.com"])
        XCTAssertEqual(jwt.typ, "JWT")
        XCTAssertNil(jwt.kubernetes)
        XCTAssertEqual(jwt.claims.serialized(), #"{"sub":"s","aud":"sts.amazonaws.com","iss":"https://i","exp":2000000000}"#)
    }

    // MARK: Bad-input corpus (issue 8): each case with its one-line message.

    func assertDecodeFails(_ token: String, _ expected: JWTDecodeError, message: String,
                           file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try JWT.decode(token), file: file, line: line) { error in
            XCTAssertEqual(error as? JWTDecodeError, expected, file: file, line: line)
            XCTAssertEqual((error as? JWTDecodeError)?.description, message, file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), "one-line message", file: file, line: line)
        }
    }

    func testNotThreePartsIsRefused() {
        assertDecodeFails("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0", .wrongPartCount(2),
                          message: "not a JWT: expected 3 dot-separated parts (header.claims.signature), found 2; "
                              + "check that the whole token was copied")
        assertDecodeFails("a.b.c.d.e", .wrongPartCount(5),
                          message: "not a JWT: expected 3 dot-separated parts (header.claims.signature), found 5; "
                              + "check that the whole token was copied")
        assertDecodeFails("  \n", .empty, message: "not a JWT: the input is empty; pass the token itself or the file that holds it")
    }

    func testBadBase64URLIsRefused() {
        assertDecodeFails("eyJhbGc*OiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", .badBase64URL(part: "header"),
                          message: "not a JWT: the header part is not valid base64url; check that the token was not altered or wrapped")
        // Standard base64 `+` and `/` are not base64url.
        assertDecodeFails("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0+/.c2ln", .badBase64URL(part: "claims"),
                          message: "not a JWT: the claims part is not valid base64url; check that the token was not altered or wrapped")
        assertDecodeFails("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2l=n", .badBase64URL(part: "signature"),
                          message: "not a JWT: the signature part is not valid base64url; check that the token was not altered or wrapped")
    }

    func testHeaderAndClaimsMustBeJSONObjects() {
        assertDecodeFails(rawToken(header: "[1,2]", claims: "{}"), .notJSONObject(part: "header", kind: "array"),
                          message: "not a JWT: the header part is a JSON array, expected an object")
        assertDecodeFails(rawToken(header: #"{"alg":"RS256"}"#, claims: #""just a string""#),
                          .notJSONObject(part: "claims", kind: "string"),
                          message: "not a JWT: the claims part is a JSON string, expected an object")
        XCTAssertThrowsError(try JWT.decode(rawToken(header: #"{"alg":"RS256"}"#, claims: "{not json"))) { error in
            guard case .notJSON(let part, _)? = error as? JWTDecodeError else { return XCTFail("\(error)") }
            XCTAssertEqual(part, "claims")
        }
    }

    func testOneMegabyteTokenIsRefusedBeforeParsing() {
        let huge = "eyJ" + String(repeating: "A", count: 1_048_576)
        assertDecodeFails(huge, .tooLarge(bytes: 1_048_579),
                          message: "token too large: 1048579 bytes, the limit is 65536 (64 KiB); "
                              + "a service-account token is usually under 2 KiB — check that the input is a single token")
    }

    func testAlgNoneDecodesButIsMarkedUnsigned() throws {
        let jwt = try JWT.decode(rawToken(header: #"{"alg":"none"}"#, claims: #"{"sub":"x"}"#, signature: ""))
        XCTAssertTrue(jwt.isUnsigned)
        XCTAssertEqual(jwt.signatureLength, 0)
    }

    func testDeepNestingIsRefusedWithoutCrashing() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try JSONValue.parse(deep)) { error in
            XCTAssertTrue("\(error)".contains("nested deeper than 64"), "\(error)")
        }
    }

    func testJSONParserHandlesEscapesAndRejectsGarbage() throws {
        let v = try JSONValue.parse(#"{"a":"x\u00e9\ud83d\ude00\n","b":[true,false,null,-1.5e2],"c":{}}"#)
        XCTAssertEqual(v["a"]?.stringValue, "xé😀\n")
        XCTAssertEqual(v["b"], .array([.bool(true), .bool(false), .null, .number(-150)]))
        XCTAssertEqual(v.serialized(), #"{"a":"xé😀\n","b":[true,false,null,-150],"c":{}}"#)
        for bad in ["", "{", #"{"a"}"#, "[1,]", "01", "tru", #""\ud800""#, "{} x", "\"\u{01}\""] {
            XCTAssertThrowsError(try JSONValue.parse(bad), "accepted \(bad.debugDescription)")
        }
    }
}

extension JWTDecodeTests {
    /// Mutated tokens (a seeded generator, so failures reproduce) only ever throw JWTDecodeError,
    /// and the scrubber still catches those that remain well-formed.
    func testMutatedTokensNeverCrashTheDecoder() async throws {
        let keys = try await TestKeys()
        let token = Array(try await keys.sign(.serviceAccount(now: now), kid: "ec-1").utf8)
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("eyJ.=-_+/{}\"\\AZaz09 \u{0}".utf8)
        for _ in 0..<2_000 {
            var bytes = token
            for _ in 0..<Int(rng.next() % 4 + 1) {
                let i = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: i)
                default: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let scrubbed = TokenRedaction.scrub("x \(text) y")
            do {
                _ = try JWT.decode(text)
                // Still a well-formed token: the scrubber must catch it.
                if text.hasPrefix("eyJ") { XCTAssertFalse(scrubbed.contains(text), "scrub kept a whole token") }
            } catch {
                XCTAssertTrue(error is JWTDecodeError, "\(error)")
            }
        }
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
