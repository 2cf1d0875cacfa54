import Foundation
import WidashHTTP

/// An Azure RBAC role assignment (`Microsoft.Authorization/roleAssignments`).
public struct RoleAssignment: Sendable, Hashable {
    public var id: String
    public var principalID: String
    /// `/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/{guid}`.
    public var roleDefinitionID: String
    public var scope: String

    /// The role definition's GUID, the last path segment of its id (the same role has one id per
    /// subscription, with the same GUID).
    public var roleGUID: String { roleDefinitionID.split(separator: "/").last.map { String($0).lowercased() } ?? "" }
}

extension ARMClient {
    /// https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-subscription
    public static let authorizationAPIVersion = "2022-04-01"

    /// `GET /subscriptions/{id}/providers/Microsoft.Authorization/roleAssignments`: every assignment at,
    /// above and below the subscription in one paged list, so that an audit of thousands of
    /// identities costs one list, not one call per identity.
    public func roleAssignments(subscriptionID: String, token: String) async throws -> [RoleAssignment] {
        struct Item: Decodable {
            struct P: Decodable { var principalId: String?; var roleDefinitionId: String?; var scope: String? }
            var id: String
            var properties: P?
        }
        let path = "/subscriptions/\(subscriptionID)/providers/Microsoft.Authorization/roleAssignments?api-version=\(Self.authorizationAPIVersion)"
        let items: [Item] = try await listAll(path, token: token)
        return items.compactMap { item in
            guard let p = item.properties, let principal = p.principalId, let role = p.roleDefinitionId else { return nil }
            return RoleAssignment(id: item.id, principalID: principal.lowercased(), roleDefinitionID: role, scope: p.scope ?? "")
        }
    }

    /// `GET /subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions`: role names by GUID
    /// (lower-case), built-in and custom.
    public func roleNames(subscriptionID: String, token: String) async throws -> [String: String] {
        struct Item: Decodable {
            struct P: Decodable { var roleName: String? }
            var name: String
            var properties: P?
        }
        let path = "/subscriptions/\(subscriptionID)/providers/Microsoft.Authorization/roleDefinitions?api-version=\(Self.authorizationAPIVersion)"
        let items: [Item] = try await listAll(path, token: token)
        var names: [String: String] = [:]
        for item in items { names[item.name.lowercased()] = item.properties?.roleName ?? item.name }
        return names
    }
}

extension GraphFederatedCredentialClient {
    /// `GET /v1.0/servicePrincipals(appId='{id}')`: the object id of an application's service principal,
    /// the principal its role assignments name; nil when the tenant has no service principal for it.
    public func servicePrincipalID(appID: String, token: String) async throws -> String? {
        let url = joinURL(baseURL, "/v1.0/servicePrincipals(appId='\(FormEncoding.escape(appID))')?$select=id,appId")
        let response = try await send(transport, HTTPRequest(method: "GET", url: url,
                                                             headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")],
                                                             timeouts: timeouts))
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw AzureAPIError.from(endpoint: url, response) }
        struct Wire: Decodable { var id: String }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: response.body) else {
            throw CloudError.unexpectedResponse(endpoint: url, status: 200, detail: bodyExcerpt(response.body))
        }
        return wire.id.lowercased()
    }
}
