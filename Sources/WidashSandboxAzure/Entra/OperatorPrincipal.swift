import Crypto
import Foundation
import WidashSandboxKit

/// The demo operator: the one app registration of the sandbox's tenant with a client secret
/// (`DemoDirectory.operatorClientSecret`), standing for the person who runs widash with
/// azure-identity's service-principal environment variables. Its tokens may read every
/// application's federated credentials (Graph) and the demo subscription's user-assigned
/// identities and their federated credentials (ARM), as Application.Read.All and Reader would allow.
enum OperatorPrincipal {
    static func isOperator(clientID: String) -> Bool {
        clientID.lowercased() == DemoDirectory.operatorClientID.lowercased()
    }

    /// Checks a client secret presented for `clientID`: the operator's secret for the operator,
    /// AADSTS7000215 for a wrong one, AADSTS700026 for a demo identity (none has secrets) and
    /// AADSTS700016 for an unknown app.
    static func authenticate(clientID: String, secret: String) throws(EntraError) {
        guard isOperator(clientID: clientID) else {
            if DemoDirectory.azureIdentity(clientID: clientID) != nil { throw .noConfiguredKeys }
            throw .applicationNotFound(clientID: clientID, tenant: DemoDirectory.tenantID)
        }
        // Compare digests, so the comparison takes the same time whatever the secret's prefix.
        let presented = Data(SHA256.hash(data: Data(secret.utf8)))
        let expected = Data(SHA256.hash(data: Data(DemoDirectory.operatorClientSecret.utf8)))
        guard presented == expected else { throw .invalidClientSecret(clientID: DemoDirectory.operatorClientID) }
    }

    /// The claims of the operator's access token for `resource` (`appidacr` 1: a secret).
    static func claims(authority: EntraTokenAuthority, resource: String, now: Date) -> EntraAccessTokenClaims {
        authority.claims(appID: DemoDirectory.operatorClientID, objectID: DemoDirectory.operatorObjectID,
                         authentication: .secret, managedIdentityResourceID: nil, resource: resource, now: now)
    }

    /// What the operator may read: the demo subscription (and below) on ARM. Graph reads need no grant.
    static func isGranted(host: String, path: String) -> Bool {
        host == DemoDirectory.armHost && path.lowercased().hasPrefix("/subscriptions")
    }
}
