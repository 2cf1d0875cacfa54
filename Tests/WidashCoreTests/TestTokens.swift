import Foundation
import JWTKit
import _CryptoExtras
@testable import WidashCore

/// Claims of a Kubernetes service-account token, signed by jwt-kit in tests.
struct TestClaims: JWTPayload {
    struct KubeRef: Codable { var name: String; var uid: String }
    struct Kube: Codable {
        var namespace: String
        var serviceaccount: KubeRef
        var pod: KubeRef?
        var node: KubeRef?
        var warnafter: Int?
    }
    var aud: [String]
    var exp: Int
    var iat: Int
    var iss: String
    var jti: String?
    var nbf: Int?
    var sub: String
    var kube: Kube?

    enum CodingKeys: String, CodingKey {
        case aud, exp, iat, iss, jti, nbf, sub
        case kube = "kubernetes.io"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    static func serviceAccount(now: Date, ttl: Int = 3600, issuer: String = "https://issuer.example",
                               audience: String = "api://AzureADTokenExchange") -> TestClaims {
        let iat = Int(now.timeIntervalSince1970)
        return TestClaims(aud: [audience], exp: iat + ttl, iat: iat, iss: issuer, jti: "8f4f2a7e-jti", nbf: iat,
                          sub: "system:serviceaccount:shop:front",
                          kube: Kube(namespace: "shop", serviceaccount: KubeRef(name: "front", uid: "sa-uid-1"),
                                     pod: KubeRef(name: "front-7d9c", uid: "pod-uid-1"),
                                     node: KubeRef(name: "node-a", uid: "node-uid-1"), warnafter: iat + 600))
    }
}

/// Keys generated per test run, with the JWKS that publishes their public halves.
struct TestKeys {
    let rsa: JWTKit.Insecure.RSA.PrivateKey
    let ec: ES256PrivateKey
    let signers = JWTKeyCollection()

    init() async throws {
        rsa = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        ec = ES256PrivateKey()
        await signers.add(rsa: rsa, digestAlgorithm: .sha256, kid: "rsa-1")
        await signers.add(ecdsa: ec, kid: "ec-1")
    }

    func sign(_ claims: TestClaims, kid: String) async throws -> String {
        try await signers.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// The JWKS a Kubernetes issuer would publish: both keys, with `use` and `alg`.
    func jwks(includeEC: Bool = true) throws -> Data {
        let (n, e) = try rsa.publicKey.getKeyPrimitives()
        var keys: [[String: String]] = [[
            "kty": "RSA", "kid": "rsa-1", "use": "sig", "alg": "RS256",
            "n": Base64URL.encode(n), "e": Base64URL.encode(e),
        ]]
        if includeEC, let p = ec.parameters {
            keys.append(["kty": "EC", "kid": "ec-1", "use": "sig", "alg": "ES256", "crv": "P-256", "x": p.x, "y": p.y])
        }
        return try JSONSerialization.data(withJSONObject: ["keys": keys])
    }
}

/// Builds a compact token from raw JSON, for headers and claims jwt-kit would not produce.
func rawToken(header: String, claims: String, signature: String = "c2lnbmF0dXJl") -> String {
    "\(Base64URL.encode(Data(header.utf8))).\(Base64URL.encode(Data(claims.utf8))).\(signature)"
}
