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
    /// The `jwks_uri` the discovery document names: kube-apiserver's `--service-account-jwks-uri`
    /// when set (a managed cluster's issuer publishes its keys elsewhere, e.g. EKS's `…/id/ID/keys`),
    /// otherwise `{issuer}/openid/v1/jwks` (kubernetes/kubernetes pkg/serviceaccount/openidmetadata.go).
    let jwksURI: String
    /// False for a cluster whose API server does not serve the discovery endpoints (see
    /// `KubeAPI.handle`): the fleet's misconfigured cluster.
    let publishesDiscovery: Bool
    /// The signing key, generated once. An RSA-2048 key takes tens of milliseconds: a fleet's extra
    /// clusters generate theirs in the background (`eager: false`), so the demo does not wait for them.
    private let signingKey: Task<SigningKey, any Error>

    struct SigningKey: Sendable {
        let keyID: String
        let jwksJSON: Data
        let keys: JWTKeyCollection
    }

    /// - Parameter eager: true waits for the key (and fails here if it cannot be made); false lets
    ///   it be generated in the background and awaited at its first use.
    init(issuer: String, jwksURI: String? = nil, publishesDiscovery: Bool = true, eager: Bool = true) async throws {
        self.issuer = issuer
        self.jwksURI = jwksURI ?? issuer + "/openid/v1/jwks"
        self.publishesDiscovery = publishesDiscovery
        let signingKey = Task(priority: eager ? nil : .utility) { try await Self.generateKey() }
        self.signingKey = signingKey
        if eager { _ = try await signingKey.value }
    }

    private static func generateKey() async throws -> SigningKey {
        let backing = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let privateKey = try Insecure.RSA.PrivateKey(backing: backing)
        let publicDER = backing.publicKey.derRepresentation
        let keyID = base64URL(Data(SHA256.hash(data: publicDER)))
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        let jwks: [String: Any] = ["keys": [[
            "use": "sig", "kty": "RSA", "kid": keyID, "alg": "RS256",
            "n": base64URL(primitives.modulus), "e": base64URL(primitives.publicExponent),
        ]]]
        let keys = JWTKeyCollection()
        await keys.add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: keyID))
        return SigningKey(keyID: keyID, jwksJSON: try JSONSerialization.data(withJSONObject: jwks, options: [.sortedKeys, .withoutEscapingSlashes]),
                          keys: keys)
    }

    /// The JWKS with the signing key's public half.
    func jwksJSON() async throws -> Data {
        try await signingKey.value.jwksJSON
    }

    /// The issuer's OpenID discovery document, as kube-apiserver serves it.
    var discoveryJSON: Data {
        let document: [String: Any] = [
            "issuer": issuer,
            "jwks_uri": jwksURI,
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    func sign(_ claims: ServiceAccountTokenClaims) async throws -> String {
        let key = try await signingKey.value
        var header = JWTHeader()
        header.alg = "RS256"
        header.kid = key.keyID
        return try await key.keys.sign(claims, kid: JWKIdentifier(string: key.keyID), header: header)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
