import Foundation
import WidashSandboxKit

/// An Azure RBAC role definition (`Microsoft.Authorization/roleDefinitions`): what a role assignment
/// of it allows. The built-in roles keep their real, tenant-independent GUIDs and permissions as
/// Microsoft publishes them (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles,
/// the "JSON" block of each role), so that a client resolving a `roleDefinitionId` sees the real role.
struct RoleDefinition: Sendable, Equatable {
    enum Kind: String, Sendable { case builtIn = "BuiltInRole", custom = "CustomRole" }

    /// The role's GUID (the last segment of its id).
    var guid: String
    var roleName: String
    var kind: Kind
    var description: String
    var actions: [String]
    var notActions: [String] = []
    var dataActions: [String] = []
    var notDataActions: [String] = []
    /// Built-in roles are assignable everywhere ("/"); a custom role where its author said.
    var assignableScopes: [String] = ["/"]

    /// Whether the role's control-plane permissions allow `action` (actions minus notActions;
    /// wildcards as in RBAC: https://learn.microsoft.com/azure/role-based-access-control/role-definitions#actions).
    func allows(_ action: String) -> Bool {
        actions.contains { ActionPattern.matches($0, action) } && !notActions.contains { ActionPattern.matches($0, action) }
    }

    // MARK: The roles the demo uses

    /// Reader: `*/read` (built-in roles, General).
    static let reader = RoleDefinition(
        guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7", roleName: "Reader", kind: .builtIn,
        description: "View all resources, but does not allow you to make any changes.", actions: ["*/read"])

    /// Key Vault Secrets User (built-in roles, Security; also the Key Vault RBAC guide,
    /// https://learn.microsoft.com/azure/key-vault/general/rbac-guide).
    static let keyVaultSecretsUser = RoleDefinition(
        guid: "4633458b-17de-408a-b874-0445c86b69e6", roleName: "Key Vault Secrets User", kind: .builtIn,
        description: "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
        actions: [],
        dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"])

    /// Storage Blob Data Reader (built-in roles, Storage).
    static let storageBlobDataReader = RoleDefinition(
        guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", roleName: "Storage Blob Data Reader", kind: .builtIn,
        description: "Allows for read access to Azure Storage blob containers and data",
        actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/read",
                  "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action"],
        dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"])

    /// Azure Service Bus Data Sender (built-in roles, Integration).
    static let serviceBusDataSender = RoleDefinition(
        guid: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", roleName: "Azure Service Bus Data Sender", kind: .builtIn,
        description: "Allows for send access to Azure Service Bus resources.",
        actions: ["Microsoft.ServiceBus/*/queues/read", "Microsoft.ServiceBus/*/topics/read",
                  "Microsoft.ServiceBus/*/topics/subscriptions/read"],
        dataActions: ["Microsoft.ServiceBus/*/send/action"])

    /// The limited operator's custom role (a custom role's GUID is chosen at creation; this one is
    /// derived from its name): list subscriptions, read user-assigned identities and role
    /// definitions, but not federated identity credentials nor role assignments.
    static let widashLimitedReader = RoleDefinition(
        guid: AzureWire.stableID("widash-demo/roleDefinitions/widash limited reader"), roleName: "widash limited reader",
        kind: .custom,
        description: "Lists subscriptions and reads user-assigned identities; no federated credentials, no role assignments (widash demo).",
        actions: ["Microsoft.Resources/subscriptions/read", "Microsoft.ManagedIdentity/userAssignedIdentities/read",
                  "Microsoft.Authorization/roleDefinitions/read"],
        assignableScopes: ["/subscriptions/\(DemoDirectory.subscriptionID)"])

    static let all: [RoleDefinition] = [reader, keyVaultSecretsUser, storageBlobDataReader, serviceBusDataSender, widashLimitedReader]

    static func named(guid: String) -> RoleDefinition? {
        all.first { $0.guid.lowercased() == guid.lowercased() }
    }
}

/// RBAC action patterns: `*` stands for any run of characters; comparison ignores case.
enum ActionPattern {
    static func matches(_ pattern: String, _ action: String) -> Bool {
        let pattern = Array(pattern.lowercased()), text = Array(action.lowercased())
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "*" {
                star = p; mark = t; p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1; t += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
