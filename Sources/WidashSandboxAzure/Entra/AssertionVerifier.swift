import Foundation
import JWTKit

/// Verifies a client assertion's signature against its issuer's published keys and its lifetime,
/// in Entra's order: keys, signature, then time.
struct AssertionVerifier: Sendable {
    let metadata: IssuerMetadataCache

    /// Throws the Entra error for the first check that fails.
    func verify(_ token: String, assertion: UnverifiedJWT, issuer: String, now: Date) async throws(EntraError) {
        let keySet: JWKS
        do { keySet = try await metadata.keys(for: issuer) } catch { throw error.entraError }

        let keyID = assertion.keyID ?? ""
        guard let jwk = keySet.keys.first(where: { $0.keyIdentifier?.string == keyID }) else {
            throw .signingKeyNotFound(keyID: keyID, issuer: issuer)
        }
        guard assertion.algorithm == "RS256" else { throw .invalidSignature }
        // A collection holding only the named key: jwt-kit would otherwise fall back to a default key.
        let collection = JWTKeyCollection()
        do {
            try await collection.add(jwk: jwk)
            _ = try await collection.verify(token, as: OpaqueClaims.self)
        } catch {
            throw .invalidSignature
        }

        let skew = EntraTokenAuthority.clockSkew
        let expired = assertion.expiresAt.map { now.timeIntervalSince($0) > skew } ?? true
        let early = assertion.notBefore.map { $0.timeIntervalSince(now) > skew } ?? false
        if expired || early {
            throw .assertionOutsideValidTime(now: now, notBefore: assertion.notBefore ?? assertion.issuedAt,
                                             expiry: assertion.expiresAt)
        }
    }
}

/// A payload that accepts any claims: the signature is what is checked here.
private struct OpaqueClaims: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
