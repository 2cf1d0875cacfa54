import _CryptoExtras
import Crypto
import Foundation
import JWTKit

/// The claims of a bound service-account token, named and nested as kube-apiserver writes them.
struct ServiceAccountTokenClaims: JWTPayload {
    struct Reference: Codable, Sendable { var name: String; var uid: String }
    struct KubernetesClaims: Codable, Sendable {
        var namespace: String
        var serviceaccount: Reference
        var pod: Reference?
        var node: Reference?
        var warnafter: Int?
    }

    var aud: [String]
    var exp: Int
    var iat: Int
    var iss: String
    var jti: String
    var kubernetes: KubernetesClaims
    var nbf: Int
    var sub: String

    enum CodingKeys: String, CodingKey {
        case aud, exp, iat, iss, jti, nbf, sub
        case kubernetes = "kubernetes.io"
    }

    // Verification is the relying party's job (Entra, STS); the issuer only signs.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The cluster's service-account signing key: signs TokenRequest tokens (RS256) and publishes the
/// matching JWKS, with the key id computed as kube-apiserver computes it (base64url SHA-256 of the
/// public key's DER), so an independent verifier finds the key by `kid`.
struct ServiceAccountTokenIssuer: Sendable {
    let issuer: String
    let keyID: String
    let jwksJSON: Data
    private let keys: JWTKeyCollection

    init(issuer: String) async throws {
        let backing = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let privateKey = try Insecure.RSA.PrivateKey(backing: backing)
        let publicDER = backing.publicKey.derRepresentation
        let keyID = Self.base64URL(Data(SHA256.hash(data: publicDER)))
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        let jwks: [String: Any] = ["keys": [[
            "use": "sig", "kty": "RSA", "kid": keyID, "alg": "RS256",
            "n": Self.base64URL(primitives.modulus), "e": Self.base64URL(primitives.publicExponent),
        ]]]
        // Filled before `self` is: an async call on a stored property during init would overlap
        // with the initialization's exclusive access to `self`.
        let keys = JWTKeyCollection()
        await keys.add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: keyID))
        self.issuer = issuer
        self.keyID = keyID
        self.jwksJSON = try JSONSerialization.data(withJSONObject: jwks, options: [.sortedKeys, .withoutEscapingSlashes])
        self.keys = keys
    }

    /// The issuer's OpenID discovery document, as kube-apiserver serves it.
    var discoveryJSON: Data {
        let document: [String: Any] = [
            "issuer": issuer,
            "jwks_uri": issuer + "/openid/v1/jwks",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    func sign(_ claims: ServiceAccountTokenClaims) async throws -> String {
        var header = JWTHeader()
        header.alg = "RS256"
        header.kid = keyID
        return try await keys.sign(claims, kid: JWKIdentifier(string: keyID), header: header)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
