import Foundation
import WidashSandboxKit

/// An Azure RBAC role assignment (`Microsoft.Authorization/roleAssignments`, api-version 2022-04-01:
/// azure-rest-api-specs specification/authorization/resource-manager/Microsoft.Authorization/stable/
/// 2022-04-01/authorization-RoleAssignmentsCalls.json, `RoleAssignment` and `RoleAssignmentProperties`).
struct RoleAssignment: Sendable, Equatable {
    /// The assignment's GUID (its `name`).
    var name: String
    /// The scope it was made at, as ARM writes it (`/subscriptions/…/resourceGroups/…/providers/…`).
    var scope: String
    var role: RoleDefinition
    /// The service principal's object id (the `oid` of its tokens).
    var principalID: String
    var principalType = "ServicePrincipal"

    var id: String { "\(scope)/providers/Microsoft.Authorization/roleAssignments/\(name)" }

    init(scope: String, role: RoleDefinition, principalID: String) {
        self.scope = scope
        self.role = role
        self.principalID = principalID
        // ARM lets the creator choose the GUID; Azure CLI and Bicep derive it from scope, principal and
        // role (`guid(scope, principalId, roleDefinitionId)`), so do the same for stable ids.
        name = AzureWire.stableID("\(scope.lowercased())/\(principalID)/\(role.guid)")
    }

    /// Whether this assignment's scope is `scope` or contains it (a role assigned at a subscription
    /// applies to everything in it). Compared per segment, ignoring case, as ARM ids are.
    func covers(_ scope: String) -> Bool { ARMScope.contains(self.scope, scope) }

    /// The role assignments that stand behind an identity's resource grants in `DemoDirectory`
    /// (what decides resource access at a trace's step 5 today), one per grant, at the resource the
    /// grant is for, with the built-in role real deployments use for that access:
    /// - Key Vault `/secrets/`: Key Vault Secrets User on the vault;
    /// - Blob `/{container}`: Storage Blob Data Reader on the container;
    /// - Service Bus `/{queue}/`: Azure Service Bus Data Sender on the queue;
    /// - ARM `/subscriptions`: Reader on the subscription.
    /// Cosmos DB data-plane access is no ARM role assignment: it is a Cosmos DB SQL role assignment
    /// (`Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments`,
    /// https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac), which ARM's roleAssignments
    /// API does not list, so Cosmos grants produce none here.
    static func derived(from identity: DemoDirectory.AzureIdentitySpec) -> [RoleAssignment] {
        identity.grants.compactMap { grant in
            guard let (role, scope) = roleAndScope(for: grant) else { return nil }
            return RoleAssignment(scope: scope, role: role, principalID: identity.objectID)
        }
    }

    static func roleAndScope(for grant: DemoDirectory.ResourceGrant) -> (RoleDefinition, String)? {
        let group = "/subscriptions/\(DemoDirectory.subscriptionID)/resourceGroups/\(DemoDirectory.resourceGroup)"
        let account = grant.host.split(separator: ".").first.map(String.init) ?? grant.host
        let firstSegment = grant.pathPrefix.split(separator: "/").first.map(String.init) ?? ""
        if grant.host == DemoDirectory.armHost, grant.pathPrefix.lowercased().hasPrefix("/subscriptions") {
            return (.reader, "/subscriptions/\(DemoDirectory.subscriptionID)")
        }
        if grant.host.hasSuffix(".vault.azure.net"), grant.pathPrefix.hasPrefix("/secrets") {
            return (.keyVaultSecretsUser, "\(group)/providers/Microsoft.KeyVault/vaults/\(account)")
        }
        if grant.host.hasSuffix(".blob.core.windows.net"), !firstSegment.isEmpty {
            return (.storageBlobDataReader,
                    "\(group)/providers/Microsoft.Storage/storageAccounts/\(account)/blobServices/default/containers/\(firstSegment)")
        }
        if grant.host.hasSuffix(".servicebus.windows.net"), !firstSegment.isEmpty {
            return (.serviceBusDataSender, "\(group)/providers/Microsoft.ServiceBus/namespaces/\(account)/queues/\(firstSegment)")
        }
        return nil  // Cosmos DB (see `derived`) and anything ARM does not authorize.
    }
}

/// ARM resource ids as scopes.
enum ARMScope {
    /// Whether `outer` is `inner` or one of its ancestors (segment-wise, case-insensitive).
    static func contains(_ outer: String, _ inner: String) -> Bool {
        let o = segments(outer), i = segments(inner)
        return o.count <= i.count && zip(o, i).allSatisfy { $0 == $1 }
    }

    static func segments(_ id: String) -> [String] {
        id.lowercased().split(separator: "/").map(String.init)
    }
}
