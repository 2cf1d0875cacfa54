import Foundation

// The cloud side of a binding, as the read-only trust audit found it. Part of the inventory's JSON
// (`bindings[].trust`, README "JSON fields"): change field names only with care.

/// Whether the cloud trusts what the cluster presents for one binding.
public struct TrustVerdict: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable, Hashable, CaseIterable {
        /// A credential / statement / grant accepts exactly what the cluster presents.
        case trusted
        /// The cloud side was read and does not accept it: see `mismatches`.
        case mismatch
        /// The cloud side could not be read: `reason` says why (a missing permission is named).
        case unknown
        /// Not read yet (the dashboard shows the list before the audit completes).
        case checking
    }

    public var state: State
    /// When the cloud side was read (nil while checking).
    public var checkedAt: Date?
    /// What was read, e.g. `managed identity id-shop-backend (resource group rg-widash-demo), federated credential aks-shop-backend`.
    public var source: String?
    /// Every field that differs: `expected` is the cloud's configuration, `got` what the cluster presents.
    public var mismatches: [TrustMismatch]
    /// The command that makes the cloud trust this binding without touching another's.
    public var fix: String?
    /// Why the verdict is what it is, in one sentence (for `unknown`: what could not be read and why).
    public var reason: String?
    /// The permission whose absence made the verdict `unknown`, e.g. `iam:GetRole`.
    public var missingPermission: String?
    /// Field-by-field comparison of what the cluster presents with the closest cloud configuration.
    public var comparison: [TrustField]
    /// Role assignments or grants found (Azure), e.g. `Key Vault Secrets User on …/vaults/shop-kv`.
    public var roles: [String]?
    /// True when nothing this binding is likely to call was granted (Azure: no role assignment):
    /// the exchange works, every resource call is refused.
    public var noRoles: Bool?
    /// What is worth knowing even when trusted (the 20-credential limit, duplicates, an unevaluated expression).
    public var warnings: [String]

    public init(state: State, checkedAt: Date? = nil, source: String? = nil, mismatches: [TrustMismatch] = [], fix: String? = nil,
                reason: String? = nil, missingPermission: String? = nil, comparison: [TrustField] = [], roles: [String]? = nil,
                noRoles: Bool? = nil, warnings: [String] = []) {
        self.state = state
        self.checkedAt = checkedAt
        self.source = source
        self.mismatches = mismatches
        self.fix = fix
        self.reason = reason
        self.missingPermission = missingPermission
        self.comparison = comparison
        self.roles = roles
        self.noRoles = noRoles
        self.warnings = warnings
    }

    public static let checking = TrustVerdict(state: .checking, reason: "the cloud side is being read")

    public static func unknown(_ reason: String, permission: String? = nil, checkedAt: Date? = nil) -> TrustVerdict {
        TrustVerdict(state: .unknown, checkedAt: checkedAt, reason: reason, missingPermission: permission)
    }

    /// The verdict of an Azure binding used through an AKS identity binding: not audited. Its pods
    /// hand their token to the cluster's token proxy (`AZURE_KUBERNETES_TOKEN_PROXY`), which
    /// exchanges it under AKS's identity binding with its own audience
    /// (azure-workload-identity `pkg/webhook/webhook.go` custom token endpoint), so comparing the
    /// identity's federated credentials with this cluster's issuer, subject and audience would
    /// claim a mismatch that is not one.
    public static func aksIdentityBinding(checkedAt: Date? = nil) -> TrustVerdict {
        TrustVerdict(state: .unknown, checkedAt: checkedAt, source: "AKS identity binding",
                     reason: "AKS identity binding: the exchange goes through the cluster's token proxy (AZURE_KUBERNETES_TOKEN_PROXY) "
                         + "under AKS's identity binding; not audited")
    }

    /// True for the verdict `aksIdentityBinding` gives.
    public var isAKSIdentityBinding: Bool { state == .unknown && source == "AKS identity binding" }

    /// The fields that failed, e.g. `subject` or `issuer, audience`.
    public var failingFields: String { mismatches.map(\.field).joined(separator: ", ") }

    /// A cell: `✓ trusted`, `⚠ no role`, `✗ subject`, `? iam:GetRole`, `⋯ checking`.
    public var label: String {
        switch state {
        case .trusted: return noRoles == true ? "⚠ no role" : "✓ trusted"
        case .mismatch: return "✗ " + (failingFields.isEmpty ? "mismatch" : failingFields)
        case .unknown: return "? " + (missingPermission ?? (isAKSIdentityBinding ? "identity binding" : "unknown"))
        case .checking: return "⋯ checking"
        }
    }

    /// Worst first: mismatch, unknown, checking, trusted without roles, trusted.
    public var rank: Int {
        switch state {
        case .mismatch: return 4
        case .unknown: return 3
        case .checking: return 2
        case .trusted: return noRoles == true ? 1 : 0
        }
    }
}

extension IdentityEntry {
    /// The worst verdict of the entry's bindings (nil when none was audited): the TRUST column.
    public var trust: TrustVerdict? {
        bindings.compactMap(\.trust).max { $0.rank < $1.rank }
    }
}

/// One field the cloud expects differently.
public struct TrustMismatch: Codable, Sendable, Hashable {
    /// `issuer`, `subject`, `audience`, `trust policy StringEquals …:sub`, `oidc provider`, `workloadIdentityUser`, …
    public var field: String
    /// The cloud's configuration (the closest credential's or statement's value).
    public var expected: String
    /// What the cluster presents.
    public var got: String
    /// Which credential or statement was closest, e.g. `federated credential aks-wrong-subject`.
    public var closest: String?

    public init(field: String, expected: String, got: String, closest: String? = nil) {
        self.field = field
        self.expected = expected
        self.got = got
        self.closest = closest
    }
}

/// One row of the per-field comparison the detail view shows before any trace.
public struct TrustField: Codable, Sendable, Hashable {
    public var field: String
    /// What the cluster presents.
    public var cluster: String
    /// The cloud's closest configuration (or `(none)`).
    public var cloud: String
    public var matches: Bool

    public init(field: String, cluster: String, cloud: String, matches: Bool) {
        self.field = field
        self.cluster = cluster
        self.cloud = cloud
        self.matches = matches
    }
}
