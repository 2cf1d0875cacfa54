import Foundation
import WidashSandboxKit

/// The Entra tenant and demo subscription the Azure emulation serves: the workload identities
/// (applications and user-assigned identities with their federated credentials and grants), the
/// operators, and the role assignments that follow from them. Every Azure service reads this one
/// value, built once per sandbox from the running scenario (`DemoDirectory` for `demo`,
/// `ScaleIdentities` for `scale`), so the token endpoint, ARM, Graph and the resources agree.
/// Lookups are dictionaries: the scale scenario has thousands of identities and an audit asks for
/// each of them.
public struct AzureDirectory: Sendable {
    /// Every workload identity, in scenario order.
    public let identities: [DemoDirectory.AzureIdentitySpec]
    /// The user-assigned managed identities among them, in scenario order (ARM's listing order).
    let userAssigned: [DemoDirectory.AzureIdentitySpec]
    /// Every role assignment in the tenant: the workload identities' (from their grants) and the operators'.
    let roleAssignments: [RoleAssignment]

    private let byClientID: [String: Int]
    private let byObjectID: [String: Int]
    private let userAssignedByName: [String: Int]
    private let assignmentsByPrincipal: [String: [RoleAssignment]]

    public init(identities: [DemoDirectory.AzureIdentitySpec]) {
        self.identities = identities
        userAssigned = identities.filter { $0.kind == .userAssignedIdentity }
        var byClientID: [String: Int] = [:], byObjectID: [String: Int] = [:], byName: [String: Int] = [:]
        for (index, identity) in identities.enumerated() {
            byClientID[identity.clientID.lowercased()] = index
            byObjectID[identity.objectID.lowercased()] = index
        }
        for (index, identity) in userAssigned.enumerated() { byName[identity.displayName.lowercased()] = index }
        self.byClientID = byClientID
        self.byObjectID = byObjectID
        userAssignedByName = byName
        let assignments = identities.flatMap(RoleAssignment.derived) + OperatorPrincipal.all.map(\.roleAssignment)
        roleAssignments = assignments
        assignmentsByPrincipal = Dictionary(grouping: assignments) { $0.principalID.lowercased() }
    }

    /// The `demo` scenario's identities (`DemoDirectory.azureIdentities`).
    public static let demo = AzureDirectory(identities: DemoDirectory.azureIdentities)

    /// The `scale` scenario's Azure identities: one user-assigned identity per Azure-federated service
    /// account, with one federated credential (the cluster's issuer, the subject `ScaleIdentities`
    /// says the cloud trusts, audience api://AzureADTokenExchange) and, unless `ScaleIdentities`
    /// says it has none, Key Vault Secrets User on the demo vault.
    public static func scale(_ scale: ScaleIdentities) -> AzureDirectory {
        let specs = scale.identities(.azure).map { identity -> DemoDirectory.AzureIdentitySpec in
            let name = identity.azureResourceName ?? ""
            return DemoDirectory.AzureIdentitySpec(
                namespace: identity.namespace, serviceAccount: identity.serviceAccount, kind: .userAssignedIdentity,
                displayName: name, clientID: identity.azureClientID ?? "", objectID: identity.azurePrincipalID ?? "",
                credentials: [.init(name: "aks-\(identity.namespace)-\(identity.serviceAccount)", issuerSuffix: "",
                                    subject: identity.trustedSubject ?? identity.subject,
                                    audience: DemoDirectory.tokenExchangeAudience)],
                grants: identity.hasRoleAssignment ? [.init(host: DemoDirectory.keyVaultHost, pathPrefix: "/secrets/")] : [])
        }
        return AzureDirectory(identities: specs)
    }

    /// The directory of the scenario a sandbox runs.
    public static func current(_ context: SandboxContext) -> AzureDirectory {
        context.scale.map(scale) ?? demo
    }

    public func identity(clientID: String) -> DemoDirectory.AzureIdentitySpec? {
        byClientID[clientID.lowercased()].map { identities[$0] }
    }

    public func identity(objectID: String) -> DemoDirectory.AzureIdentitySpec? {
        byObjectID[objectID.lowercased()].map { identities[$0] }
    }

    func userAssignedIdentity(named name: String) -> DemoDirectory.AzureIdentitySpec? {
        userAssignedByName[name.lowercased()].map { userAssigned[$0] }
    }

    func roleAssignments(principalID: String) -> [RoleAssignment] {
        assignmentsByPrincipal[principalID.lowercased()] ?? []
    }

    /// Whether the principal `objectID` may perform the ARM control-plane `action` on `scope`: some
    /// role assignment of it covers the scope and its role allows the action (Azure RBAC:
    /// https://learn.microsoft.com/azure/role-based-access-control/overview#how-azure-rbac-determines-if-a-user-has-access-to-a-resource;
    /// no deny assignments in the demo).
    func allows(principalID: String, action: String, scope: String) -> Bool {
        roleAssignments(principalID: principalID).contains { $0.covers(scope) && $0.role.allows(action) }
    }
}
