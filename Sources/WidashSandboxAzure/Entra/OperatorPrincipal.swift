import Crypto
import Foundation
import WidashSandboxKit

/// The demo operators: the app registrations of the sandbox's tenant that have a client secret,
/// standing for the person who runs widash with azure-identity's service-principal environment
/// variables (AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET).
/// - `full` (`widash-operator`): Reader on the demo subscription (user-assigned identities, their
///   federated credentials, role assignments and definitions) and Application.Read.All in Graph.
/// - `limited` (`widash-limited-operator`): a custom role that lists subscriptions and reads
///   user-assigned identities only, and no Graph directory permission, so that its reads of
///   federated credentials, role assignments, applications and service principals are refused.
struct OperatorPrincipal: Sendable, Equatable {
    var clientID: String
    var objectID: String
    var secret: String
    var displayName: String
    /// The role it holds at the demo subscription (what ARM authorizes it by).
    var subscriptionRole: RoleDefinition
    /// Whether Graph lets it read applications and service principals (Application.Read.All).
    var readsDirectory: Bool

    static let full = OperatorPrincipal(
        clientID: DemoDirectory.operatorClientID, objectID: DemoDirectory.operatorObjectID,
        secret: DemoDirectory.operatorClientSecret, displayName: DemoDirectory.operatorDisplayName,
        subscriptionRole: .reader, readsDirectory: true)

    static let limited = OperatorPrincipal(
        clientID: DemoDirectory.limitedOperatorClientID, objectID: DemoDirectory.limitedOperatorObjectID,
        secret: DemoDirectory.limitedOperatorClientSecret, displayName: DemoDirectory.limitedOperatorDisplayName,
        subscriptionRole: .widashLimitedReader, readsDirectory: false)

    static let all = [full, limited]

    static func named(clientID: String) -> OperatorPrincipal? {
        all.first { $0.clientID.lowercased() == clientID.lowercased() }
    }

    static func named(objectID: String) -> OperatorPrincipal? {
        all.first { $0.objectID.lowercased() == objectID.lowercased() }
    }

    /// Its role assignment at the demo subscription.
    var roleAssignment: RoleAssignment {
        RoleAssignment(scope: "/subscriptions/\(DemoDirectory.subscriptionID)", role: subscriptionRole, principalID: objectID)
    }

    /// Checks a client secret presented for `clientID`: an operator's own secret, AADSTS7000215 for a
    /// wrong one, AADSTS700026 for a workload identity of `directory` (none has secrets) and
    /// AADSTS700016 for an unknown app.
    static func authenticate(clientID: String, secret: String, directory: AzureDirectory) throws(EntraError) -> OperatorPrincipal {
        guard let principal = named(clientID: clientID) else {
            if directory.identity(clientID: clientID) != nil { throw .noConfiguredKeys }
            throw .applicationNotFound(clientID: clientID, tenant: DemoDirectory.tenantID)
        }
        // Compare digests, so the comparison takes the same time whatever the secret's prefix.
        let presented = Data(SHA256.hash(data: Data(secret.utf8)))
        let expected = Data(SHA256.hash(data: Data(principal.secret.utf8)))
        guard presented == expected else { throw .invalidClientSecret(clientID: principal.clientID) }
        return principal
    }

    /// The claims of its access token for `resource` (`appidacr` 1: a secret).
    func claims(authority: EntraTokenAuthority, resource: String, now: Date) -> EntraAccessTokenClaims {
        authority.claims(appID: clientID, objectID: objectID, authentication: .secret, managedIdentityResourceID: nil,
                         resource: resource, now: now)
    }
}
