import Foundation

/// The cloud side of the `scale` scenario, in one place: which of the scenario's service accounts is
/// federated to which cloud identity, and whether that cloud trusts it. The scenario annotates its
/// service accounts from this (client id, role ARN) and the emulated clouds build their identities,
/// federated credentials, role assignments and trust policies from it, so an audit, an exchange and a
/// benchmark's expectation can never disagree.
///
/// Service account `index` (0 ..< serviceAccounts) is `svc-NNNNN` in namespace `team-NNNN`
/// (index % namespaces). By `index % 3`: 0 is Azure Workload Identity (a user-assigned identity),
/// 1 is IRSA (an IAM role of the same name), 2 is EKS Pod Identity (an association of the cluster
/// `DemoDirectory.eksClusterName` naming one of two shared roles). Every account has a cloud side.
/// Mismatches are mixed in by ordinal within the provider, deterministically (see `expectedVerdict`).
public struct ScaleIdentities: Sendable, Equatable {
    public enum Provider: String, Sendable, Equatable { case azure, irsa, podIdentity }

    /// What a trust audit of service account `index` must conclude, checked against the cloud.
    public enum Verdict: String, Sendable, Equatable {
        /// The cloud trusts the account (Azure: and the identity holds a role assignment).
        case trusted
        /// The Azure federated credential's subject, or the IRSA trust policy's `:sub`, names another account.
        case subjectMismatch
        /// Azure: the federated credential matches, but the identity holds no role assignment.
        case noRoleAssignment
        /// EKS Pod Identity: the association's role does not let `pods.eks.amazonaws.com` call
        /// `sts:TagSession` (eks-auth answers AccessDeniedException).
        case trustPolicyMismatch
    }

    /// One service account and its cloud identity.
    public struct Identity: Sendable, Equatable {
        public var index: Int
        public var namespace: String
        public var serviceAccount: String
        public var provider: Provider
        /// `system:serviceaccount:NS:SA`: what the account's tokens carry.
        public var subject: String
        /// The subject the cloud trusts: the federated credential's subject or the trust policy's
        /// `:sub` (nil for Pod Identity, which trusts by association). Differs from `subject` exactly
        /// when the verdict is `subjectMismatch`.
        public var trustedSubject: String?
        /// Azure: the identity's client id (the service account's `azure.workload.identity/client-id`).
        public var azureClientID: String?
        /// Azure: the identity's principal (service principal object id, the `oid` of its tokens).
        public var azurePrincipalID: String?
        /// Azure: the user-assigned identity's resource name.
        public var azureResourceName: String?
        /// IRSA: the role ARN (the service account's `eks.amazonaws.com/role-arn`); Pod Identity: the
        /// role the association names.
        public var roleARN: String?
        /// Pod Identity: the association's id (`a-` and 17 characters, as EKS makes them).
        public var associationID: String?
        /// Azure: whether the identity holds a role assignment (Key Vault Secrets User on the demo vault).
        public var hasRoleAssignment: Bool
        public var verdict: Verdict
    }

    /// Every `subjectMismatchEvery`-th identity of a provider (by ordinal) trusts another account.
    public static let subjectMismatchEvery = 10
    /// Every `noRoleAssignmentEvery`-th Azure identity (by ordinal) has no role assignment.
    public static let noRoleAssignmentEvery = 25

    public let namespaces: Int
    public let serviceAccounts: Int

    /// Counts below 1 count as 1, as the scenario does.
    public init(namespaces: Int, serviceAccounts: Int) {
        self.namespaces = max(1, namespaces)
        self.serviceAccounts = max(1, serviceAccounts)
    }

    public static func provider(_ index: Int) -> Provider {
        switch index % 3 {
        case 0: return .azure
        case 1: return .irsa
        default: return .podIdentity
        }
    }

    /// The position of `index` among the accounts of its provider (0, 1, 2, …).
    public static func ordinal(_ index: Int) -> Int { index / 3 }

    /// The verdict rule, from the index alone: subject mismatches first (an exchange fails there),
    /// then a missing role assignment.
    public static func expectedVerdict(_ index: Int) -> Verdict {
        let ordinal = ordinal(index)
        switch provider(index) {
        case .podIdentity:
            return ordinal % subjectMismatchEvery == subjectMismatchEvery - 1 ? .trustPolicyMismatch : .trusted
        case .irsa:
            return ordinal % subjectMismatchEvery == subjectMismatchEvery - 1 ? .subjectMismatch : .trusted
        case .azure:
            if ordinal % subjectMismatchEvery == subjectMismatchEvery - 1 { return .subjectMismatch }
            if ordinal % noRoleAssignmentEvery == noRoleAssignmentEvery - 1 { return .noRoleAssignment }
            return .trusted
        }
    }

    /// Azure: whether identity `index` holds its role assignment (independent of its subject).
    public static func hasRoleAssignment(_ index: Int) -> Bool {
        provider(index) == .azure && ordinal(index) % noRoleAssignmentEvery != noRoleAssignmentEvery - 1
    }

    public static func namespaceName(_ index: Int) -> String { "team-" + padded(index, 4) }
    public static func serviceAccountName(_ index: Int) -> String { "svc-" + padded(index, 5) }
    public static func azureClientID(_ index: Int) -> String { StableUUID.v4("scale-client/\(index)") }
    public static func azurePrincipalID(_ index: Int) -> String { StableUUID.v4("scale-principal/\(index)") }
    public static func azureResourceName(_ index: Int) -> String { "id-" + serviceAccountName(index) }
    public static func roleARN(_ index: Int) -> String {
        "arn:aws:iam::\(DemoDirectory.awsAccountID):role/\(serviceAccountName(index))"
    }

    /// Pod Identity: the role trusting `pods.eks.amazonaws.com` with `sts:AssumeRole` and
    /// `sts:TagSession` (shared by the trusted associations, as teams share a Pod Identity role).
    public static let podIdentityRoleARN = "arn:aws:iam::\(DemoDirectory.awsAccountID):role/scale-pod-identity"
    /// Pod Identity: a role trusting `pods.eks.amazonaws.com` with `sts:AssumeRole` only.
    public static let podIdentityUntaggedRoleARN = "arn:aws:iam::\(DemoDirectory.awsAccountID):role/scale-pod-identity-untagged"
    public static func podIdentityAssociationID(_ index: Int) -> String {
        "a-" + String(StableUUID.v4("scale-association/\(index)").replacingOccurrences(of: "-", with: "").prefix(17))
    }

    public func namespace(of index: Int) -> String { Self.namespaceName(index % namespaces) }

    public func identity(_ index: Int) -> Identity {
        let namespace = namespace(of: index)
        let name = Self.serviceAccountName(index)
        let subject = "system:serviceaccount:\(namespace):\(name)"
        let provider = Self.provider(index)
        let verdict = Self.expectedVerdict(index)
        // "Another account": the same name with a suffix, as after a rename the cloud side was not told of.
        let trusted: String? = provider == .podIdentity ? nil
            : verdict == .subjectMismatch ? "system:serviceaccount:\(namespace):\(name)-old" : subject
        let role: String?
        switch provider {
        case .azure: role = nil
        case .irsa: role = Self.roleARN(index)
        case .podIdentity: role = verdict == .trustPolicyMismatch ? Self.podIdentityUntaggedRoleARN : Self.podIdentityRoleARN
        }
        return Identity(
            index: index, namespace: namespace, serviceAccount: name, provider: provider, subject: subject,
            trustedSubject: trusted,
            azureClientID: provider == .azure ? Self.azureClientID(index) : nil,
            azurePrincipalID: provider == .azure ? Self.azurePrincipalID(index) : nil,
            azureResourceName: provider == .azure ? Self.azureResourceName(index) : nil,
            roleARN: role,
            associationID: provider == .podIdentity ? Self.podIdentityAssociationID(index) : nil,
            hasRoleAssignment: Self.hasRoleAssignment(index), verdict: verdict)
    }

    /// The identities of one provider, in index order.
    public func identities(_ provider: Provider) -> [Identity] {
        let first = provider == .azure ? 0 : provider == .irsa ? 1 : 2
        return stride(from: first, to: serviceAccounts, by: 3).map(identity)
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
