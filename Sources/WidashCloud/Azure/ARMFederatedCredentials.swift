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
            struct P: Decodable { var issuer: String; var subject: String; var audiences: [String]? }
            var id: String?
            var name: String
            var properties: P
        }
        let items: [Item] = try await listAll("\(identityID)/federatedIdentityCredentials?api-version=\(Self.identityAPIVersion)", token: token)
        return items.map {
            FederatedIdentityCredential(name: $0.name, issuer: $0.properties.issuer, subject: $0.properties.subject,
                                        audiences: $0.properties.audiences ?? [], id: $0.id)
        }
    }

    /// The `resourcegroups/{rg}` segment of an ARM id (ARM spells it in either case).
    static func resourceGroup(of id: String) -> String? {
        let parts = id.split(separator: "/")
        guard let i = parts.firstIndex(where: { $0.lowercased() == "resourcegroups" }), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

    /// GETs a collection and follows `nextLink` (bounded, so a looping server cannot hang a trace).
    func listAll<Item: Decodable>(_ pathAndQuery: String, token: String) async throws -> [Item] {
        var url: String? = pathAndQuery.hasPrefix("http") ? pathAndQuery : joinURL(baseURL, pathAndQuery)
        var all: [Item] = []
        var pages = 0
        while let next = url, pages < 20 {
            pages += 1
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

/// Finds the identity behind a client id (application first, then user-assigned identities) and
/// reads its federated credentials with the operator's own credentials.
public struct AzureFederatedCredentialReader: Sendable {
    public var graph: GraphFederatedCredentialClient
    public var arm: ARMClient
    public var credential: any AzureOperatorCredential
    /// Subscriptions to search for managed identities; empty = all the token can list.
    public var subscriptionIDs: [String]

    public init(graph: GraphFederatedCredentialClient, arm: ARMClient, credential: any AzureOperatorCredential, subscriptionIDs: [String] = []) {
        self.graph = graph
        self.arm = arm
        self.credential = credential
        self.subscriptionIDs = subscriptionIDs
    }

    public func lookup(clientID: String) async throws -> FederatedCredentialLookup {
        var reasons: [String] = []
        var searched: [String] = []
        switch try await credential.token(resource: GraphFederatedCredentialClient.resource) {
        case .token(let t):
            searched.append("Graph applications")
            if let creds = try await graph.list(appID: clientID, token: t.accessToken) {
                return .found(holder: .application(appID: clientID), credentials: creds)
            }
        case .unavailable(let reason): reasons.append("Graph: \(reason)")
        }
        switch try await credential.token(resource: ARMClient.resource) {
        case .token(let t):
            let subs = subscriptionIDs.isEmpty ? try await arm.subscriptions(token: t.accessToken) : subscriptionIDs
            searched.append("user-assigned identities in \(subs.count) subscription(s)")
            for sub in subs {
                let identities = try await arm.userAssignedIdentities(subscriptionID: sub, token: t.accessToken)
                if let identity = identities.first(where: { $0.clientID.lowercased() == clientID.lowercased() }) {
                    let creds = try await arm.federatedCredentials(identityID: identity.id, token: t.accessToken)
                    return .found(holder: .userAssignedIdentity(resourceID: identity.id, name: identity.name,
                                                                resourceGroup: identity.resourceGroup, subscriptionID: sub),
                                  credentials: creds)
                }
            }
        case .unavailable(let reason): reasons.append("ARM: \(reason)")
        }
        if searched.isEmpty { return .notChecked(reason: reasons.joined(separator: "; ")) }
        return .notFound(searched: searched.joined(separator: " and "))
    }
}

/// One page of an ARM collection.
struct ARMPage<Item: Decodable>: Decodable {
    var value: [Item]
    var nextLink: String?
}
