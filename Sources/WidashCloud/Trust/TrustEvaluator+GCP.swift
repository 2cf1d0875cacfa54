import Foundation
import WidashCore

extension TrustEvaluator {
    /// Roles whose `iam.serviceAccounts.getAccessToken` lets the pool's principal impersonate the
    /// Google service account (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#kubernetes-sa-to-iam).
    static let impersonationRoles = ["roles/iam.workloadIdentityUser", "roles/iam.serviceAccountTokenCreator"]

    /// GKE Workload Identity: the Google service account's IAM policy grants
    /// roles/iam.workloadIdentityUser to `serviceAccount:POOL[NS/KSA]` (or the pool's `principal://`
    /// subject, or a `principalSet://` of its namespace), where POOL is the cluster's project pool.
    public static func gke(_ s: TrustSubject, policy: Result<GCPIAMPolicy?, TrustReadProblem>, now: Date) -> TrustVerdict {
        let gsa = s.cloudIdentity ?? ""
        let pool = s.audience
        let wanted = GKEWorkloadIdentity.member(pool: pool, namespace: s.namespace, serviceAccount: s.serviceAccount)
        let found: GCPIAMPolicy
        switch policy {
        case .failure(let p): return .unknown(p.reason, permission: p.permission, checkedAt: now)
        case .success(nil):
            return TrustVerdict(state: .mismatch, checkedAt: now, source: "Google IAM",
                                mismatches: [TrustMismatch(field: "Google service account", expected: "(does not exist)", got: gsa)],
                                fix: "correct annotation \(IdentityAnnotation.gcpServiceAccount) of \(s.entryKey), or gcloud iam service-accounts create",
                                reason: "Google IAM has no service account \(gsa)")
        case .success(let p?): found = p
        }
        let members = impersonationRoles.flatMap { role in found.members(of: role).map { (role, $0) } }
        func grants(_ member: String) -> Bool {
            member == wanted
                || member.hasSuffix("/workloadIdentityPools/\(pool)/subject/ns/\(s.namespace)/sa/\(s.serviceAccount)")
                || member.hasSuffix("/workloadIdentityPools/\(pool)/namespace/\(s.namespace)")
        }
        let rows = { (cloud: String, ok: Bool) in [TrustField(field: "roles/iam.workloadIdentityUser", cluster: wanted, cloud: cloud, matches: ok)] }
        if let hit = members.first(where: { grants($0.1) }) {
            return TrustVerdict(state: .trusted, checkedAt: now, source: "IAM policy of \(gsa)",
                                reason: "\(hit.0) on \(gsa) is granted to \(hit.1)", comparison: rows(hit.1, true))
        }
        // The usual mistake: the member names the Google service account's project pool, not the cluster's.
        let suffix = "[\(s.namespace)/\(s.serviceAccount)]"
        let closest = members.first { $0.1.hasSuffix(suffix) }?.1 ?? members.first?.1
        var reason = "\(gsa) does not grant roles/iam.workloadIdentityUser to \(wanted): generateAccessToken answers PERMISSION_DENIED"
        if let closest, closest.hasSuffix(suffix), closest != wanted {
            reason += "; \(closest) names another pool: the member must use the cluster's pool \(pool)"
        }
        let listed = members.map(\.1).joined(separator: ",")
        return TrustVerdict(state: .mismatch, checkedAt: now, source: "IAM policy of \(gsa)",
                            mismatches: [TrustMismatch(field: "roles/iam.workloadIdentityUser member", expected: closest ?? "(no member)", got: wanted,
                                                       closest: closest.map { _ in "binding roles/iam.workloadIdentityUser" })],
                            fix: "gcloud iam service-accounts add-iam-policy-binding \(gsa) --role roles/iam.workloadIdentityUser --member \"\(wanted)\"",
                            reason: reason + "; \(propagation)", comparison: rows(listed.isEmpty ? "(no member)" : listed, false))
    }
}
