import Foundation
import WidashSandboxKit

/// ARM's user-assigned identities and their federated identity credentials
/// (`Microsoft.ManagedIdentity`, api-version 2023-01-31 and 2024-11-30: azure-rest-api-specs
/// specification/msi/resource-manager/Microsoft.ManagedIdentity, examples in reference/azure-arm-fic).
struct ManagedIdentityRoutes {
    /// Identities per page of a listing. The real service's page size is not documented; 100 keeps
    /// the demo on one page and makes the scale scenario page.
    static let pageSize = 100
    static let readIdentity = "Microsoft.ManagedIdentity/userAssignedIdentities/read"
    static let readCredentials = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read"

    let directory: AzureDirectory
    let clusterIssuer: String
    let request: SandboxRequest
    let version: String

    var subscription: String { ARMService.subscriptionScope }

    /// Routes the segments below `/subscriptions/{sub}`.
    func operation(_ lower: [String], original: [String]) -> Result<ARMOperation, ARMRefusal> {
        let providerPath = ["providers", "microsoft.managedidentity", "userassignedidentities"]
        if lower == providerPath {
            return .success(listing(scope: subscription, errorScope: "\(subscription)/providers/Microsoft.ManagedIdentity"))
        }
        guard lower.count >= 5, lower[0] == "resourcegroups", Array(lower[2..<5]) == providerPath else {
            return .failure(ARMRefusal(ARMError.invalidResourceType(version)))
        }
        guard lower[1] == DemoDirectory.resourceGroup.lowercased() else {
            return .failure(ARMRefusal(ARMError.resourceGroupNotFound(original[1])))
        }
        // Scopes in the request's own spelling, as ARM quotes them back.
        let group = "\(subscription)/\(original[0])/\(original[1])"
        if lower.count == 5 {
            return .success(listing(scope: group, errorScope: "\(group)/\(original[2])/\(original[3])"))
        }
        let name = original[5]
        let identityID = "\(group)/\(original[2..<5].joined(separator: "/"))/\(name)"
        let rest = Array(lower.dropFirst(6))
        let notFound = ARMError.response(404, "ResourceNotFound",
                                         "The Resource '\(ARMService.identityType)/\(name)' under resource group '\(original[1])' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
        let identity = directory.userAssignedIdentity(named: name)
        let records = { identity.map { FederatedCredentialRecord.records(of: $0, clusterIssuer: clusterIssuer) } ?? [] }
        switch rest.count {
        case 0:
            return .success(ARMOperation(action: Self.readIdentity, scope: identityID, errorScope: identityID) {
                guard let identity else { return notFound }
                return .json(200, ManagedIdentityJSON.identity(identity, apiVersion: version), headers: ARMError.headers())
            })
        case 1 where rest[0] == "federatedidentitycredentials":
            return .success(ARMOperation(action: Self.readCredentials, scope: "\(identityID)/federatedIdentityCredentials",
                                         errorScope: identityID) {
                guard let identity else { return notFound }
                return .json(200, ["value": records().map { ManagedIdentityJSON.credential($0, of: identity) }], headers: ARMError.headers())
            })
        case 2 where rest[0] == "federatedidentitycredentials":
            let credentialID = "\(identityID)/federatedIdentityCredentials/\(original[7])"
            return .success(ARMOperation(action: Self.readCredentials, scope: credentialID, errorScope: credentialID) {
                guard let identity else { return notFound }
                guard let record = records().first(where: { $0.name.lowercased() == rest[1] }) else {
                    return ARMError.response(404, "NotFound", "Federated Identity Credential '\(original[7])' was not found under identity '\(identity.displayName)'.")
                }
                return .json(200, ManagedIdentityJSON.credential(record, of: identity), headers: ARMError.headers())
            })
        default:
            return .failure(ARMRefusal(ARMError.invalidResourceType(version, namespace: "Microsoft.ManagedIdentity")))
        }
    }

    /// The user-assigned identities of the subscription or resource group (all in the demo group), paged.
    private func listing(scope: String, errorScope: String) -> ARMOperation {
        ARMOperation(action: Self.readIdentity, scope: scope, errorScope: errorScope) { [directory, request, version] in
            guard let page = ARMPaging.page(directory.userAssigned, request: request, size: Self.pageSize) else {
                return ARMPaging.invalidSkipToken()
            }
            let value = page.items.map { ManagedIdentityJSON.identity($0, apiVersion: version) }
            return .json(200, ARMPaging.body(value, next: page.next, request: request), headers: ARMError.headers())
        }
    }
}

/// ARM bodies of user-assigned identities and their federated identity credentials.
enum ManagedIdentityJSON {
    static func id(_ identity: DemoDirectory.AzureIdentitySpec) -> String {
        "/subscriptions/\(DemoDirectory.subscriptionID)/resourcegroups/\(DemoDirectory.resourceGroup)/providers/\(ARMService.identityType)/\(identity.displayName)"
    }

    static func identity(_ identity: DemoDirectory.AzureIdentitySpec, apiVersion: String) -> [String: Any] {
        var properties: [String: Any] = ["tenantId": DemoDirectory.tenantID, "principalId": identity.objectID, "clientId": identity.clientID]
        if apiVersion >= "2024-11-30" { properties["isolationScope"] = "None" }
        return ["id": id(identity), "name": identity.displayName, "type": ARMService.identityType, "location": "eastus",
                "tags": ["widash-demo": "\(identity.namespace)/\(identity.serviceAccount)"], "properties": properties]
    }

    static func credential(_ record: FederatedCredentialRecord, of identity: DemoDirectory.AzureIdentitySpec) -> [String: Any] {
        ["id": "\(id(identity))/federatedIdentityCredentials/\(record.name)", "name": record.name,
         "type": "\(ARMService.identityType)/federatedIdentityCredentials",
         "properties": ["issuer": record.issuer, "subject": record.subject, "audiences": record.audiences]]
    }
}
