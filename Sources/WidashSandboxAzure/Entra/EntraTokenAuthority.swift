import Foundation
import JWTKit
import Synchronization
import WidashSandboxKit
import _CryptoExtras

/// The claims of an access token the emulated Entra issues: the v1.0 app-only token that Entra
/// gives for Azure resources (Key Vault, Storage, ARM, Graph, …), signed RS256 with the sandbox's
/// Entra key.
struct EntraAccessTokenClaims: JWTPayload, Equatable {
    var aud: String
    var iss: String
    var iat: Int
    var nbf: Int
    var exp: Int
    var aio: String
    var appid: String
    /// "1": the client authenticated with a secret; "2": with an assertion (certificate or federated credential).
    var appidacr: String
    var idp: String
    var idtyp: String
    var oid: String
    var rh: String
    var sub: String
    var tid: String
    var uti: String
    var ver: String
    /// The ARM id of a user-assigned managed identity (absent for applications).
    var xms_mirid: String?

    // Claims are checked by `EntraTokenAuthority.validate`, which says *which* check failed.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Why a resource rejects a bearer token.
enum AccessTokenRejection: Error, Equatable, Sendable {
    case malformed
    /// Not signed by the sandbox's Entra key (unknown `kid` or a bad signature).
    case invalidSignature
    case wrongIssuer(String)
    case expired(Date)
    case notYetValid(Date)
}

/// The sandbox's Entra signing key: issues access tokens and verifies them for the resources.
struct EntraTokenAuthority: Sendable {
    static let accessTokenLifetime = 3599
    /// Clock skew Entra and Azure resources tolerate.
    static let clockSkew: TimeInterval = 300

    let tenantID: String
    let keyID: String
    private let keys: LazyKeyCollection
    /// Tokens whose signature was verified already: an audit sends the same operator token thousands
    /// of times, and RSA verification dominated each call. Lifetime checks still run every time.
    private let verified = VerifiedTokens()
    private let modulus: String
    private let exponent: String

    var issuer: String { "https://sts.windows.net/\(tenantID)/" }

    /// Generates a fresh RSA-2048 key (a new one each time the sandbox starts, as key rotation would).
    init(tenantID: String) throws {
        let privateKey = try RSAKeyFactory.generate()
        let (modulus, exponent) = try RSAKeyFactory.publicComponents(of: privateKey)
        self.tenantID = tenantID
        self.modulus = modulus
        self.exponent = exponent
        // Entra's kid (and x5t) is a base64url SHA-1-sized thumbprint; derive it from the modulus.
        self.keyID = String(Base64URL.encode(Data(AzureWire.stableID(modulus).utf8)).prefix(27))
        self.keys = LazyKeyCollection(privateKey: privateKey, keyID: keyID)
    }

    /// The JWKS Entra publishes at `/{tenant}/discovery/v2.0/keys`.
    func jwks(issuerHost: String) -> [String: Any] {
        ["keys": [[
            "kty": "RSA", "use": "sig", "kid": keyID, "x5t": keyID, "n": modulus, "e": exponent,
            "issuer": "https://\(issuerHost)/\(tenantID)/v2.0",
        ]]]
    }

    /// The claims of an access token for `identity` and `resource` at `now` (it authenticated with a
    /// federated assertion).
    func claims(for identity: DemoDirectory.AzureIdentitySpec, resource: String, now: Date) -> EntraAccessTokenClaims {
        var mirid: String?
        if identity.kind == .userAssignedIdentity {
            mirid = "/subscriptions/\(DemoDirectory.subscriptionID)/resourcegroups/\(DemoDirectory.resourceGroup)"
                + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/\(identity.displayName)"
        }
        return claims(appID: identity.clientID, objectID: identity.objectID, authentication: .assertion,
                      managedIdentityResourceID: mirid, resource: resource, now: now)
    }

    /// How the client authenticated, as the v1.0 `appidacr` claim says it.
    enum ClientAuthentication: String {
        case secret = "1"
        case assertion = "2"
    }

    /// The claims of an app-only access token for a service principal (`appID`, `objectID`).
    func claims(appID: String, objectID: String, authentication: ClientAuthentication, managedIdentityResourceID: String?,
                resource: String, now: Date) -> EntraAccessTokenClaims {
        let issued = Int(now.timeIntervalSince1970)
        return EntraAccessTokenClaims(
            aud: resource, iss: issuer, iat: issued, nbf: issued, exp: issued + Self.accessTokenLifetime,
            aio: Base64URL.encode(Data(AzureWire.newID().utf8)).prefix(40).description,
            appid: appID, appidacr: authentication.rawValue, idp: issuer, idtyp: "app", oid: objectID,
            rh: "0.A" + Base64URL.encode(Data(appID.utf8)).prefix(30) + ".",
            sub: objectID, tid: tenantID,
            uti: Base64URL.encode(Data(AzureWire.newID().utf8)).prefix(22).description,
            ver: "1.0", xms_mirid: managedIdentityResourceID)
    }

    func sign(_ claims: EntraAccessTokenClaims) async throws -> String {
        var header = JWTHeader()
        header.x5t = keyID
        return try await keys.collection().sign(claims, kid: JWKIdentifier(string: keyID), header: header)
    }

    /// Verifies signature, issuer and lifetime (with Entra's 5-minute skew). The audience is the
    /// resource's own check, because each resource words that failure differently.
    func validate(_ token: String, now: Date) async -> Result<EntraAccessTokenClaims, AccessTokenRejection> {
        let claims: EntraAccessTokenClaims
        if let known = verified.claims(of: token) {
            claims = known
        } else {
            guard let unverified = UnverifiedJWT(token) else { return .failure(.malformed) }
            guard unverified.keyID == keyID, unverified.algorithm == "RS256" else { return .failure(.invalidSignature) }
            do {
                claims = try await keys.collection().verify(token, as: EntraAccessTokenClaims.self)
            } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
                return .failure(.invalidSignature)
            } catch {
                return .failure(.malformed)
            }
            verified.remember(token, claims)
        }
        guard claims.iss == issuer else { return .failure(.wrongIssuer(claims.iss)) }
        let expiry = Date(timeIntervalSince1970: TimeInterval(claims.exp))
        if now.timeIntervalSince(expiry) > Self.clockSkew { return .failure(.expired(expiry)) }
        let notBefore = Date(timeIntervalSince1970: TimeInterval(claims.nbf))
        if notBefore.timeIntervalSince(now) > Self.clockSkew { return .failure(.notYetValid(notBefore)) }
        return .success(claims)
    }
}

/// A bounded memory of tokens whose signature verified (token text → its claims).
private final class VerifiedTokens: Sendable {
    private static let capacity = 4096
    private let entries = Mutex<[String: EntraAccessTokenClaims]>([:])

    func claims(of token: String) -> EntraAccessTokenClaims? { entries.withLock { $0[token] } }

    func remember(_ token: String, _ claims: EntraAccessTokenClaims) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}

/// Builds the jwt-kit key collection on first use (its `add` is actor-isolated, the sandbox's
/// service list is built synchronously).
private actor LazyKeyCollection {
    private let privateKey: JWTKit.Insecure.RSA.PrivateKey
    private let keyID: String
    private var built: JWTKeyCollection?

    init(privateKey: JWTKit.Insecure.RSA.PrivateKey, keyID: String) {
        self.privateKey = privateKey
        self.keyID = keyID
    }

    func collection() async -> JWTKeyCollection {
        if let built { return built }
        let keys = JWTKeyCollection()
        await keys.add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: keyID))
        built = keys
        return keys
    }
}

/// RSA signing keys for the sandbox (and for tests that play a cluster issuer).
enum RSAKeyFactory {
    static func generate() throws -> JWTKit.Insecure.RSA.PrivateKey {
        try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    /// The JWK `n` and `e` members (base64url).
    static func publicComponents(of key: JWTKit.Insecure.RSA.PrivateKey) throws -> (modulus: String, exponent: String) {
        let primitives = try key.publicKey.getKeyPrimitives()
        return (Base64URL.encode(primitives.modulus), Base64URL.encode(primitives.publicExponent))
    }
}
