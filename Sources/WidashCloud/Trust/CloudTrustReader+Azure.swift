import Foundation

/// The identity behind an Azure client id, as the operator can see it.
public enum AzureIdentityLookup: Sendable {
    case found(AzureIdentityFacts)
    /// Everything searchable was searched: no identity has this client id.
    case notFound(searched: String)
    /// It could not be searched (no operator credentials, a permission missing).
    case unreadable(TrustReadProblem)
}

/// A user-assigned identity or an application, with its federated credentials and role assignments.
public struct AzureIdentityFacts: Sendable {
    public var holder: FederatedCredentialHolder
    /// The object id role assignments name (the identity's principal, or the app's service principal).
    public var principalID: String?
    /// The identity's tenant (user-assigned identities report it).
    public var tenantID: String?
    public var credentials: [FederatedIdentityCredential]
    /// `Role on scope` per assignment, or why they could not be read.
    public var roles: Result<[String], TrustReadProblem>
}

extension CloudTrustReader {
    var arm: ARMClient { ARMClient(transport: transport, baseURL: endpoints.arm, timeouts: timeouts) }
    var graph: GraphFederatedCredentialClient { GraphFederatedCredentialClient(transport: transport, baseURL: endpoints.graph, timeouts: timeouts) }

    /// The operator's token for `resource` (cached while valid).
    func azureToken(_ resource: String) async -> Result<String, TrustReadProblem> {
        guard let credential = azureCredential else {
            return .failure(TrustReadProblem(reason: "no Azure operator credentials are configured"))
        }
        return await operatorTokens.value(resource) {
            do {
                switch try await credential.token(resource: resource) {
                case .token(let t): return .success(t.accessToken)
                case .unavailable(let reason): return .failure(TrustReadProblem(reason: "no Azure operator credentials: \(reason)"))
                }
            } catch {
                return .failure(TrustReadProblem.from(error, what: "the operator's token for \(resource)", permission: "a working operator sign-in"))
            }
        }
    }

    /// The subscriptions to search: AZURE_SUBSCRIPTION_ID (comma-separated), else all the operator can list.
    func azureSubscriptions(token: String) async -> Result<[String], TrustReadProblem> {
        if !azureSubscriptionIDs.isEmpty { return .success(azureSubscriptionIDs) }
        let arm = self.arm
        return await subscriptions.value("") {
            await self.attempt("the subscriptions", permission: TrustReadProblem.Permission.armSubscriptions) {
                try await arm.subscriptions(token: token)
            }
        }
    }

    /// Finds the identity behind a client id: the user-assigned identities of each subscription are
    /// listed once (one call per subscription page) and matched on `properties.clientId`; a client id
    /// no managed identity has is looked up as an application in Graph. Then its federated
    /// credentials and its role assignments.
    public func azureIdentity(clientID: String) async -> AzureIdentityLookup {
        let wanted = clientID.lowercased()
        var problems: [TrustReadProblem] = []
        var searched: [String] = []
        let armToken = await azureToken(ARMClient.resource)
        var subscriptionList: [String] = []
        switch armToken {
        case .failure(let p): problems.append(p)
        case .success(let token):
            switch await azureSubscriptions(token: token) {
            case .failure(let p): problems.append(p)
            case .success(let subs):
                subscriptionList = subs
                for sub in subs {
                    switch await identities(subscription: sub, token: token) {
                    case .failure(let p): problems.append(p)
                    case .success(let index):
                        guard let identity = index[wanted] else { continue }
                        return await userAssignedFacts(identity, token: token, subscriptions: subs)
                    }
                }
                searched.append("user-assigned identities in \(subs.count) subscription(s)")
            }
        }
        switch await azureToken(GraphFederatedCredentialClient.resource) {
        case .failure(let p): problems.append(p)
        case .success(let token):
            let graph = self.graph
            let app = await applications.value(wanted) {
                await self.attempt("the application with client id \(clientID) (Graph)", permission: TrustReadProblem.Permission.graphApplications) {
                    try await graph.list(appID: clientID, token: token)
                }
            }
            switch app {
            case .failure(let p): problems.append(p)
            case .success(nil): searched.append("Graph applications")
            case .success(let credentials?):
                let principal = await servicePrincipals.value(wanted) {
                    await self.attempt("the service principal of \(clientID) (Graph)", permission: TrustReadProblem.Permission.graphApplications) {
                        try await graph.servicePrincipalID(appID: clientID, token: token)
                    }
                }
                var roles: Result<[String], TrustReadProblem>
                switch (principal, armToken) {
                case (.failure(let p), _), (_, .failure(let p)): roles = .failure(p)
                case (.success(nil), _): roles = .success([])
                case (.success(let id?), .success(let arm)): roles = await roleLines(principalID: id, token: arm, subscriptions: subscriptionList)
                }
                return .found(AzureIdentityFacts(holder: .application(appID: clientID), principalID: (try? principal.get()).flatMap { $0 },
                                                 tenantID: nil, credentials: credentials, roles: roles))
            }
        }
        if let first = problems.first { return .unreadable(first) }
        return .notFound(searched: searched.joined(separator: " and "))
    }

    /// The user-assigned identities of a subscription by client id (lower-case), listed once.
    func identities(subscription: String, token: String) async -> Result<[String: UserAssignedIdentity], TrustReadProblem> {
        let arm = self.arm
        return await identityLists.value(subscription) {
            await self.attempt("the user-assigned identities of subscription \(subscription)", permission: TrustReadProblem.Permission.armIdentities) {
                var index: [String: UserAssignedIdentity] = [:]
                for identity in try await arm.userAssignedIdentities(subscriptionID: subscription, token: token) {
                    index[identity.clientID.lowercased()] = identity
                }
                return index
            }
        }
    }

    func userAssignedFacts(_ identity: UserAssignedIdentity, token: String, subscriptions: [String]) async -> AzureIdentityLookup {
        let arm = self.arm
        let credentials = await credentialLists.value(identity.id.lowercased()) {
            await self.attempt("the federated credentials of managed identity \(identity.name)",
                               permission: TrustReadProblem.Permission.armFederatedCredentials) {
                try await arm.federatedCredentials(identityID: identity.id, token: token)
            }
        }
        switch credentials {
        case .failure(let p): return .unreadable(p)
        case .success(let list):
            var roles: Result<[String], TrustReadProblem> = .success([])
            if let principal = identity.principalID { roles = await roleLines(principalID: principal, token: token, subscriptions: subscriptions) }
            return .found(AzureIdentityFacts(
                holder: .userAssignedIdentity(resourceID: identity.id, name: identity.name, resourceGroup: identity.resourceGroup,
                                              subscriptionID: identity.subscriptionID),
                principalID: identity.principalID, tenantID: identity.tenantID, credentials: list, roles: roles))
        }
    }

    /// `Role on scope` for every assignment of the principal in the searched subscriptions (one
    /// list of assignments and one of role definitions per subscription, shared by every identity).
    func roleLines(principalID: String, token: String, subscriptions: [String]) async -> Result<[String], TrustReadProblem> {
        let arm = self.arm
        var lines: [String] = []
        for sub in subscriptions {
            let assignments = await roleAssignmentLists.value(sub) {
                await self.attempt("the role assignments of subscription \(sub)", permission: TrustReadProblem.Permission.armRoleAssignments) {
                    Dictionary(grouping: try await arm.roleAssignments(subscriptionID: sub, token: token), by: \.principalID)
                }
            }
            guard case .success(let byPrincipal) = assignments else {
                if case .failure(let p) = assignments { return .failure(p) }
                continue
            }
            let mine = byPrincipal[principalID.lowercased()] ?? []
            if mine.isEmpty { continue }
            let names = await roleNameLists.value(sub) {
                await self.attempt("the role definitions of subscription \(sub)", permission: TrustReadProblem.Permission.armRoleDefinitions) {
                    try await arm.roleNames(subscriptionID: sub, token: token)
                }
            }
            let byGUID = (try? names.get()) ?? [:]
            for assignment in mine {
                lines.append("\(byGUID[assignment.roleGUID] ?? "role \(assignment.roleGUID)") on \(assignment.scope)")
            }
        }
        return .success(Array(Set(lines)).sorted())
    }
}
