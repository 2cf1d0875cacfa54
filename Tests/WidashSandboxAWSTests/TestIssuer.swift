import Foundation
import JWTKit
import WidashHTTP
import WidashSandboxKit
@testable import WidashSandboxAWS

/// A fake service-account issuer for unit tests: an RSA key, its discovery document and JWKS
/// served by a fake transport, and a minting function for tokens.
struct TestIssuer: Sendable {
    static let issuer = "https://oidc.test.widash.local/cluster"
    static let kid = "test-kid-1"
    /// A throwaway 2048-bit key generated for these tests only; it protects nothing.
    static let privateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDl/2w26JtfhE8D
Vl36kxaPVXkKgejCqh785LC4GFPpWI91QiwK7lKsV3C7Ib6LAHwFJFXLU1X0apd6
QcP+ClxLThdmTFDiBvpHQuN2h+Xj9wFHr/CxIO/lbRpDc7Wy61wD0nzPFL+oohYJ
sPNaIWGHHVEBrFHtmidHAAbotgFX3r9cPOyRSXIuIdKW2CtlHV1Msc5ylQznlcpn
qatWe6rt7aojyYX/9muGg8CD6tTe5CSaQ3n+bohqjcsyTqBOWKh2tORzKjfqph60
gwoVY2sHiHrRtFCPXsr3I46Pye2Hp4WyiHdIMy1GlStE4/t+kX/yslboG50GfhsH
1RzRRHzxAgMBAAECggEABwo4b73S86uDF6EPI1pZOG3vVIkBbOP0Kt19I0VrXBsf
2QD7hCIjWa8bfj7cLDkJksa38Y9NdDvHAzD8JMyAYrWzNahkWWbJRmEfwUMLoFyx
J1aVUXamoSkjwqjKCP33RQ6uT1BdRXYgoo9OA5Y9+/rDvf9eSp2LUjsH+xuHEv9p
kacw0S1ulLwJQbjXT/FgwzFJ/QaNFYPj3W2KLLHSZACUqm5dT5mUb5AbJDgnYmww
REpuIpWF8pP5XiI67ZcKcd94LHSkHx+AUL3TmCEH7abhuD7T6r/Qzx6Iv2kv8SLs
6D2mr3N2SZ18+mM1W6/BXH4/b2P4WJxkGsw2B35poQKBgQD9fCjkD7AMkGe+mZZW
zHRPmpGDkO1P5zfCIpUepIujUdRw1BKyjU+0ZA8uV6gg963URSzjM0+sM7mSfMNY
wdkIggmBQwU5Lwen00unJuGPbWGpMmQlU/TXwZzEC6mPGw7yb9rHSW/C78sZPxBT
QW2DtdPOlsQCrEnd0KK0x5A51QKBgQDoR5s/VarIoDNQxBJ66LdBsNfpFiomJkXd
OOet2Hp7w4kvvRQE98UVbOok5B6CkcNe0c8Rr9qlEhXS2167tBBWlj5lfqcXQ/ZW
LcS+T6v20ziCnG+KvmIYGUeCjAwIXnKKLa2RvKOLYcsEADAVnsDSF6eqkLdZct4i
Q6nAIaPIrQKBgFl0b5nMT3yfmX0SBpQrIwDUs3WSt6zzFCJWwflGaGECh84piU+p
vu8SQKlCFftMbPP0VZr4iK1ks6CWlvnDryvpeCE93aIIjtMTJiee+Qr8tvJW7jCe
KFHb6c7lrrjp+6RjBPo/WEmbBjmqn8BB3rwUduL5IcMvugGll0XlB2jhAoGBAIXq
gr8JDOWONwehg2YJNV5SLqjbdoF4H19jp267GCKyoS08vYX/s0ie+n86ZbyxfQn1
vIRd9pikzKA8iWl+bsz84gxx8LOhIyycRonSNTqgnDvxJP3AtZ1fNbM2Otm4WiEA
JMmZEFETmJA963sLg++cY7YaqRqQ9zCaAgwbWOohAoGBAIkVA34KJeFfsPyi288j
PA9+JFX3ZwBfgKY+s/C1zBS8JrPSYyV3J8Vvxs9jp1xGnWGY0GQKEnOMbI7gHous
uEY7UWLmRunx8V3/utjx/glA1D+OD0zV0wJj6rf2kqawRJaPxxb/P0s2B97RE9zf
1gL4RAiZTlZQHbaypTiZjVAv
-----END PRIVATE KEY-----
"""

    let keys: JWTKeyCollection
    let jwksJSON: String

    init() async throws {
        let key = try Insecure.RSA.PrivateKey(pem: Self.privateKeyPEM)
        keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: Self.kid))
        let (n, e) = try key.publicKey.getKeyPrimitives()
        jwksJSON = """
        {"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"\(Self.kid)","n":"\(Self.b64url(n))","e":"\(Self.b64url(e))"}]}
        """
    }

    static func b64url(_ d: Data) -> String {
        d.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A service-account token like kube-apiserver's TokenRequest returns.
    func token(namespace: String, serviceAccount: String, audience: String, issuer: String = TestIssuer.issuer,
               expiresIn: TimeInterval = 3600, now: Date = Date()) async throws -> String {
        let claims = SATokenClaims(
            iss: issuer, sub: "system:serviceaccount:\(namespace):\(serviceAccount)", aud: [audience],
            exp: Int(now.addingTimeInterval(expiresIn).timeIntervalSince1970), iat: Int(now.timeIntervalSince1970),
            nbf: Int(now.timeIntervalSince1970),
            kube: .init(namespace: namespace, serviceaccount: .init(name: serviceAccount, uid: UUID().uuidString.lowercased()),
                        pod: .init(name: "\(serviceAccount)-7d9f8", uid: UUID().uuidString.lowercased())))
        return try await keys.sign(claims, kid: JWKIdentifier(string: Self.kid))
    }

    /// A fake transport serving this issuer's discovery and JWKS.
    func transport() -> FakeTransport {
        FakeTransport(routes: [
            Self.issuer + "/.well-known/openid-configuration": """
            {"issuer":"\(Self.issuer)","jwks_uri":"\(Self.issuer)/openid/v1/jwks","response_types_supported":["id_token"],            "subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256"]}
            """,
            Self.issuer + "/openid/v1/jwks": jwksJSON,
        ])
    }

    /// A context as the sandbox server would give the AWS services.
    func context(now: @escaping @Sendable () -> Date = { Date() }) -> SandboxContext {
        SandboxContext(clusterIssuer: Self.issuer, caPEM: Data(), transport: transport(), baseURL: "https://127.0.0.1:1",
                       now: now)
    }
}

struct SATokenClaims: JWTPayload {
    struct Kube: Codable, Sendable {
        struct Ref: Codable, Sendable { var name: String; var uid: String }
        var namespace: String
        var serviceaccount: Ref
        var pod: Ref
    }
    var iss: String
    var sub: String
    var aud: [String]
    var exp: Int
    var iat: Int
    var nbf: Int
    var kube: Kube

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf
        case kube = "kubernetes.io"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Serves fixed bodies by URL; anything else is a connection failure.
struct FakeTransport: HTTPTransport {
    var routes: [String: String]

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let body = routes[request.url] else {
            throw HTTPError.connectionRefused(url: request.url, detail: "no fake route")
        }
        return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Data(body.utf8))
    }

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        AsyncThrowingStream { $0.finish(throwing: HTTPError.connectionRefused(url: request.url, detail: "no streaming")) }
    }
}
