import Foundation
import JWTKit

/// One check made while verifying a token, with a message that names both the token's value and
/// the expected one.
public struct JWTCheck: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case signature, expiry, notBefore = "not-before", issuer, audience
    }

    public var kind: Kind
    public var passed: Bool
    /// Stable code for a failure (`alg-none`, `unknown-kid`, `bad-signature`, `expired`, …); nil when passed.
    public var failureCode: String?
    public var message: String

    public init(kind: Kind, passed: Bool, failureCode: String? = nil, message: String) {
        self.kind = kind
        self.passed = passed
        self.failureCode = failureCode
        self.message = message
    }

    static func pass(_ kind: Kind, _ message: String) -> JWTCheck { JWTCheck(kind: kind, passed: true, message: message) }
    static func fail(_ kind: Kind, _ code: String, _ message: String) -> JWTCheck {
        JWTCheck(kind: kind, passed: false, failureCode: code, message: message)
    }
}

/// The outcome of ``JWTVerifier/verify(_:jwksJSON:expectedIssuer:expectedAudience:now:leeway:)``.
public struct JWTVerification: Sendable, Hashable {
    public var token: DecodedJWT
    /// In order: signature, expiry, not-before, then issuer and audience when expected values were given.
    public var checks: [JWTCheck]

    public init(token: DecodedJWT, checks: [JWTCheck]) { self.token = token; self.checks = checks }

    /// True when every check passed.
    public var isValid: Bool { checks.allSatisfy(\.passed) }
    public var failures: [JWTCheck] { checks.filter { !$0.passed } }
    public func check(_ kind: JWTCheck.Kind) -> JWTCheck? { checks.first { $0.kind == kind } }
}

/// Why verification could not even start (the token or the JWKS is unusable).
public enum JWTVerifierError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    case token(JWTDecodeError)
    case jwksNotJSON(String)
    case jwksWithoutKeys

    public var description: String {
        switch self {
        case .token(let e): return e.description
        case .jwksNotJSON(let reason):
            return "the JWKS is not a JSON key set (\(reason)); fetch it from the issuer's discovery document `jwks_uri`"
        case .jwksWithoutKeys:
            return "the JWKS has no `keys` array; fetch it from the issuer's discovery document `jwks_uri`"
        }
    }

    public var errorDescription: String? { description }
}

/// Verifies a JWT against a JWKS: the signature (through jwt-kit), the time window and,
/// when given, the issuer and audience. Every check is reported, not just the first failure.
public enum JWTVerifier {
    /// Signature algorithms accepted. `none` and the HMAC family are refused: a JWKS publishes
    /// public keys, and a public key must never be used as an HMAC secret.
    public static let acceptedAlgorithms: [String] = ["RS256", "ES256", "RS384", "RS512", "ES384", "ES512", "PS256", "PS384", "PS512"]

    /// - Parameters:
    ///   - leeway: clock skew tolerated on `exp` and `nbf`, in seconds.
    /// - Throws: ``JWTVerifierError`` when the token cannot be decoded or the JWKS is not a key set.
    public static func verify(_ token: String, jwksJSON: Data, expectedIssuer: String? = nil,
                              expectedAudience: String? = nil, now: Date = Date(),
                              leeway: TimeInterval = 60) async throws -> JWTVerification {
        let decoded: DecodedJWT
        do { decoded = try JWT.decode(token) } catch let e as JWTDecodeError { throw JWTVerifierError.token(e) }
        let keys = try parseJWKS(jwksJSON)

        var checks = [await signatureCheck(token.trimmingCharacters(in: .whitespacesAndNewlines), decoded, keys)]
        checks.append(expiryCheck(decoded, now: now, leeway: leeway))
        checks.append(notBeforeCheck(decoded, now: now, leeway: leeway))
        if let expectedIssuer { checks.append(issuerCheck(decoded, expected: expectedIssuer)) }
        if let expectedAudience { checks.append(audienceCheck(decoded, expected: expectedAudience)) }
        return JWTVerification(token: decoded, checks: checks)
    }

    // MARK: JWKS

    /// One key of the set: jwt-kit's JWK when it could read it, plus the raw fields for messages.
    struct KeyEntry {
        var kid: String?
        var kty: String
        var alg: String?
        var jwk: JWK?
    }

    /// Reads each key on its own, so that one key of an unknown type does not hide the others.
    static func parseJWKS(_ data: Data) throws -> [KeyEntry] {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch let e as JSONParseError { throw JWTVerifierError.jwksNotJSON(e.description) }
        guard let keys = root["keys"]?.arrayValue else { throw JWTVerifierError.jwksWithoutKeys }
        return keys.map { key in
            KeyEntry(kid: key["kid"]?.stringValue, kty: key["kty"]?.stringValue ?? "?", alg: key["alg"]?.stringValue,
                     jwk: try? JWK(json: key.serialized()))
        }
    }

    // MARK: Signature

    static func signatureCheck(_ token: String, _ decoded: DecodedJWT, _ keys: [KeyEntry]) async -> JWTCheck {
        guard let alg = decoded.alg else {
            return .fail(.signature, "missing-alg", "the token header has no `alg`; it cannot be verified")
        }
        if decoded.isUnsigned {
            return .fail(.signature, "alg-none",
                         "the token says `alg: \(alg)` (unsigned); an unsigned token proves nothing and is refused — "
                         + "accepted algorithms: \(acceptedAlgorithms.joined(separator: ", "))")
        }
        guard acceptedAlgorithms.contains(alg) else {
            return .fail(.signature, "alg-unsupported",
                         "the token's algorithm `\(alg)` is not accepted; expected one of \(acceptedAlgorithms.joined(separator: ", "))")
        }
        let knownKids = keys.compactMap(\.kid)
        let candidates: [KeyEntry]
        if let kid = decoded.kid {
            candidates = keys.filter { $0.kid == kid }
            if candidates.isEmpty {
                let list = knownKids.isEmpty ? "none" : knownKids.map { "`\($0)`" }.joined(separator: ", ")
                return .fail(.signature, "unknown-kid",
                             "the token's key id `\(kid)` is not in the JWKS (its key ids: \(list)); the issuer may have "
                             + "rotated its keys or the token comes from another issuer — refetch the JWKS and compare issuers")
            }
        } else {
            candidates = keys
            if candidates.isEmpty { return .fail(.signature, "unknown-kid", "the token has no `kid` and the JWKS has no keys") }
        }

        let wantedType = alg.hasPrefix("ES") ? "EC" : "RSA"
        var reasons: [String] = []
        for key in candidates {
            let name = key.kid.map { "`\($0)`" } ?? "without kid"
            guard key.kty == wantedType else {
                reasons.append("key \(name) is a \(key.kty) key but the token says \(alg)")
                continue
            }
            if let keyAlg = key.alg, keyAlg != alg {
                reasons.append("key \(name) is for \(keyAlg) but the token says \(alg)")
                continue
            }
            guard var jwk = key.jwk else {
                reasons.append("key \(name) could not be read (kty \(key.kty))")
                continue
            }
            // A collection of this one key, so jwt-kit cannot fall back to another (default) key.
            let kid = key.kid ?? "widash-candidate"
            jwk.keyIdentifier = JWKIdentifier(string: kid)
            let collection = JWTKeyCollection()
            do {
                try await collection.add(jwk: jwk)
                _ = try await collection.verify(token, as: SignatureOnlyPayload.self)
                return .pass(.signature, "signature verified with \(alg) key `\(kid)` from the JWKS")
            } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
                reasons.append("the signature does not match key \(name)")
            } catch {
                reasons.append("key \(name) could not be used for \(alg): \(error)")
            }
        }
        let allMismatch = reasons.allSatisfy { $0.hasPrefix("the signature does not match") }
        let header = "the signature does not verify" + (decoded.kid.map { " (kid `\($0)`, \(alg))" } ?? " (\(alg))")
        return .fail(.signature, allMismatch ? "bad-signature" : "key-mismatch",
                     header + ": " + reasons.joined(separator: "; ")
                     + (allMismatch ? " — the token was altered or signed by another key with the same kid" : ""))
    }

    /// Claims are checked by widash itself (with leeway and messages); jwt-kit only checks the signature.
    struct SignatureOnlyPayload: JWTPayload {
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    // MARK: Time and claims

    static func expiryCheck(_ t: DecodedJWT, now: Date, leeway: TimeInterval) -> JWTCheck {
        guard let exp = t.exp else { return .fail(.expiry, "missing-exp", "the token has no `exp` claim; it must expire") }
        let stamp = TokenClock.timestamp(exp)
        if now.timeIntervalSince(exp) > leeway {
            return .fail(.expiry, "expired",
                         "token expired at \(stamp) (\(TokenClock.describeExpiry(exp, now: now))), now is "
                         + "\(TokenClock.timestamp(now)), leeway \(Int(leeway))s — request a new token")
        }
        return .pass(.expiry, "token valid until \(stamp) (\(TokenClock.describeExpiry(exp, now: now)))")
    }

    static func notBeforeCheck(_ t: DecodedJWT, now: Date, leeway: TimeInterval) -> JWTCheck {
        guard let nbf = t.nbf else { return .pass(.notBefore, "the token has no `nbf` claim") }
        let wait = nbf.timeIntervalSince(now)
        if wait > leeway {
            return .fail(.notBefore, "not-yet-valid",
                         "token not valid before \(TokenClock.timestamp(nbf)) (in \(TokenClock.formatDuration(wait))), "
                         + "now is \(TokenClock.timestamp(now)), leeway \(Int(leeway))s — check this machine's clock and the issuer's")
        }
        return .pass(.notBefore, "token valid since \(TokenClock.timestamp(nbf))")
    }

    static func issuerCheck(_ t: DecodedJWT, expected: String) -> JWTCheck {
        guard let iss = t.iss else { return .fail(.issuer, "missing-iss", "the token has no `iss` claim, expected `\(expected)`") }
        if iss == expected { return .pass(.issuer, "issuer is `\(iss)` as expected") }
        var hint = ""
        if iss.trimmingSlash == expected.trimmingSlash { hint = " (they differ only by a trailing slash, which matters)" }
        else if iss.lowercased() == expected.lowercased() { hint = " (they differ only in case, which matters)" }
        return .fail(.issuer, "issuer-mismatch", "the token's issuer is `\(iss)`, expected `\(expected)`\(hint)")
    }

    static func audienceCheck(_ t: DecodedJWT, expected: String) -> JWTCheck {
        let aud = t.aud
        if aud.contains(expected) { return .pass(.audience, "audience includes `\(expected)`") }
        let list = aud.isEmpty ? "none" : aud.map { "`\($0)`" }.joined(separator: ", ")
        return .fail(.audience, "audience-mismatch", "the token's audience is \(list), expected `\(expected)`")
    }
}

fileprivate extension String {
    var trimmingSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
