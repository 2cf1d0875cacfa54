import Foundation
import WidashHTTP

/// A user-assigned managed identity as ARM lists it.
public struct UserAssignedIdentity: Sendable, Hashable {
    public var id: String
    public var name: String
    public var clientID: String
    public var principalID: String?
    public var tenantID: String?
    public var resourceGroup: String
    public var subscriptionID: String
}

/// Azure Resource Manager: subscriptions, user-assigned identities and their federated credentials.
public struct ARMClient: Sendable {
    public static let resource = "https://management.azure.com/"
    public static let identityAPIVersion = "2024-11-30"
    public static let subscriptionsAPIVersion = "2022-12-01"

    public var transport: any HTTPTransport
    /// `https://management.azure.com` unless overridden.
    public var baseURL: String
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, baseURL: String = "https://management.azure.com", timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.baseURL = baseURL
        self.timeouts = timeouts
    }

    /// `GET /subscriptions?api-version=2022-12-01`: the subscription ids the token can see.
    public func subscriptions(token: String) async throws -> [String] {
        struct Item: Decodable { var subscriptionId: String }
        let items: [Item] = try await listAll("/subscriptions?api-version=\(Self.subscriptionsAPIVersion)", token: token)
        return items.map(\.subscriptionId)
    }

    /// `GET /subscriptions/{id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2024-11-30`.
    public func userAssignedIdentities(subscriptionID: String, token: String) async throws -> [UserAssignedIdentity] {
        struct Item: Decodable {
            struct P: Decodable { var clientId: String?; var principalId: String?; var tenantId: String? }
            var id: String
            var name: String
            var properties: P?
        }
        let path = "/subscriptions/\(subscriptionID)/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=\(Self.identityAPIVersion)"
        let items: [Item] = try await listAll(path, token: token)
        return items.compactMap { item in
            guard let clientID = item.properties?.clientId else { return nil }
            return UserAssignedIdentity(id: item.id, name: item.name, clientID: clientID, principalID: item.properties?.principalId,
                                        tenantID: item.properties?.tenantId, resourceGroup: Self.resourceGroup(of: item.id) ?? "",
                                        subscriptionID: subscriptionID)
        }
    }

    /// `GET {identity id}/federatedIdentityCredentials?api-version=2024-11-30`.
    public func federatedCredentials(identityID: String, token: String) async throws -> [FederatedIdentityCredential] {
        struct Item: Decodable {
            struct P: Decodable {
                var issuer: String
                var subject: String?
                var audiences: [String]?
                var claimsMatchingExpression: ClaimsMatchingExpression?
            }
            var id: String?
            var name: String
            var properties: P
        }
        let items: [Item] = try await listAll("\(identityID)/federatedIdentityCredentials?api-version=\(Self.identityAPIVersion)", token: token)
        return items.map {
            FederatedIdentityCredential(name: $0.name, issuer: $0.properties.issuer, subject: $0.properties.subject ?? "",
                                        audiences: $0.properties.audiences ?? [], id: $0.id,
                                        claimsMatchingExpression: $0.properties.claimsMatchingExpression?.value)
        }
    }

    /// The `resourcegroups/{rg}` segment of an ARM id (ARM spells it in either case).
    static func resourceGroup(of id: String) -> String? {
        let parts = id.split(separator: "/")
        guard let i = parts.firstIndex(where: { $0.lowercased() == "resourcegroups" }), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

    /// GETs a collection and follows `nextLink`; a server that hands back a link it already gave, or
    /// more than 2 000 pages, is stopped there, so a looping server cannot hang a read.
    func listAll<Item: Decodable>(_ pathAndQuery: String, token: String) async throws -> [Item] {
        var url: String? = pathAndQuery.hasPrefix("http") ? pathAndQuery : joinURL(baseURL, pathAndQuery)
        var all: [Item] = []
        var seen = Set<String>()
        while let next = url, seen.count < 2_000, seen.insert(next).inserted {
            let request = HTTPRequest(method: "GET", url: next,
                                      headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")],
                                      timeouts: timeouts)
            let response = try await send(transport, request)
            guard response.status == 200 else { throw AzureAPIError.from(endpoint: next, response) }
            guard let page = try? JSONDecoder().decode(ARMPage<Item>.self, from: response.body) else {
                throw CloudError.unexpectedResponse(endpoint: next, status: response.status, detail: bodyExcerpt(response.body))
            }
            all += page.value
            url = page.nextLink
        }
        return all
    }
}

/// Where the federated credentials of a client id were found, or why they were not read.
public enum FederatedCredentialLookup: Sendable {
    case found(holder: FederatedCredentialHolder, credentials: [FederatedIdentityCredential])
    /// Credentials were usable but no application or identity has this client id.
    case notFound(searched: String)
    /// No operator credentials: the cloud side is "not checked".
    case notChecked(reason: String)
}

/// One page of an ARM collection.
struct ARMPage<Item: Decodable>: Decodable {
    var value: [Item]
    var nextLink: String?
}
