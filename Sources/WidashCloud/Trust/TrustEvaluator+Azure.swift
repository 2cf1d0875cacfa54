import Foundation
import WidashCore

/// Pure functions from what the clouds hold to a verdict: the same rules the clouds apply at
/// exchange time, so that an audit and a trace cannot disagree.
public enum TrustEvaluator {
    static let propagation = "after a change, allow a few minutes before the cloud accepts the token"

    /// Entra's rule (https://learn.microsoft.com/entra/workload-id/workload-identity-federation):
    /// a federated credential whose issuer and subject equal the token's exactly (case and a
    /// trailing slash matter) and whose audiences contain the token's. At most 20 credentials per
    /// identity, one per issuer and subject.
    /// - Parameters:
    ///   - clusterSubjects: the subject of every service account the audit saw, so that a fix never
    ///     rewrites a credential another service account still relies on.
    ///   - auditedNamespaces: the namespaces `clusterSubjects` covers, nil for the whole cluster. A
    ///     credential naming a service account of another namespace may be in use (`possiblyInUse`).
    public static func azure(_ s: TrustSubject, _ lookup: AzureIdentityLookup, clusterSubjects: Set<String>,
                             auditedNamespaces: Set<String>? = nil, now: Date) -> TrustVerdict {
        let clientID = s.cloudIdentity ?? ""
        guard let issuer = s.issuer else {
            return .unknown("the cluster's issuer could not be read from its discovery document, so there is nothing to compare", checkedAt: now)
        }
        let facts: AzureIdentityFacts
        switch lookup {
        case .unreadable(let p):
            return .unknown(p.reason, permission: p.permission, checkedAt: now)
        case .notFound(let searched):
            return TrustVerdict(state: .mismatch, checkedAt: now, source: "searched \(searched)",
                                mismatches: [TrustMismatch(field: "client id", expected: "(no identity has it)", got: clientID)],
                                fix: "correct annotation \(IdentityAnnotation.azureClientID) of \(s.entryKey) (az identity list --query \"[?clientId=='\(clientID)']\"; az ad app show --id \(clientID))",
                                reason: "no user-assigned identity or application has client id \(clientID) (searched \(searched)): Entra answers AADSTS700016")
        case .found(let f):
            facts = f
        }
        var warnings = credentialWarnings(facts)
        var roles: [String]?
        var noRoles: Bool?
        switch facts.roles {
        case .success(let list):
            roles = list
            noRoles = list.isEmpty
        case .failure(let p):
            warnings.append("role assignments of \(facts.holder.label) not read: \(p.reason)")
        }
        var tenantMismatch: [TrustMismatch] = []
        if let presented = s.tenant, let actual = facts.tenantID, presented.lowercased() != actual.lowercased() {
            tenantMismatch.append(TrustMismatch(field: "tenant", expected: actual, got: presented, closest: facts.holder.label))
        }
        let evaluation = FederatedCredentialEvaluation.evaluate(facts.credentials, issuer: issuer, subject: s.subject, audiences: [s.audience])
        if let match = evaluation.match, tenantMismatch.isEmpty {
            return TrustVerdict(state: .trusted, checkedAt: now, source: "\(facts.holder.label), federated credential \(match.name)",
                                reason: "federated credential \(match.name) accepts \(s.subject)",
                                comparison: rows(s, issuer: issuer, credential: match), roles: roles, noRoles: noRoles, warnings: warnings)
        }
        let unevaluated = facts.credentials.filter { c in
            c.issuer == issuer && c.audiences.contains(s.audience)
                && c.claimsMatchingExpression.map { ClaimsExpression($0)?.holds(claims: ["sub": s.subject]) == nil } == true
        }
        if let flexible = unevaluated.first, evaluation.match == nil {
            return TrustVerdict(state: .unknown, checkedAt: now, source: facts.holder.label,
                                reason: "federated credential \(flexible.name) is an expression, not evaluated (\(flexible.claimsMatchingExpression ?? "")); no credential with a subject matches",
                                roles: roles, noRoles: noRoles, warnings: warnings)
        }
        let name = AzureFixCommands.suggestedName(namespace: s.namespace, serviceAccount: s.serviceAccount)
        guard let closest = evaluation.closest else {
            let fix = AzureFixCommands.command(holder: facts.holder, existingName: nil, name: name, issuer: issuer, subject: s.subject, audience: s.audience)
            return TrustVerdict(state: .mismatch, checkedAt: now, source: facts.holder.label,
                                mismatches: tenantMismatch + [TrustMismatch(field: "federated credential", expected: "(none configured)",
                                                                            got: "issuer \(issuer), subject \(s.subject), audience \(s.audience)")],
                                fix: fix, reason: "\(facts.holder.label) has no federated credential; \(propagation)",
                                comparison: rows(s, issuer: issuer, credential: nil), roles: roles, noRoles: noRoles, warnings: warnings)
        }
        // Update the closest credential only when it is this service account's on this cluster (the
        // same issuer but for case or a trailing slash) or names no service account of the cluster;
        // else create one for this service account's own tuple.
        let sameCluster = closest.issuer.trimmingSlashes.lowercased() == issuer.trimmingSlashes.lowercased()
        let neighbour = closest.subject != s.subject
            && possiblyInUse(closest.subject, clusterSubjects: clusterSubjects, auditedNamespaces: auditedNamespaces)
        let seen = clusterSubjects.contains(closest.subject)
        let update = sameCluster && !neighbour
        var fix = AzureFixCommands.command(holder: facts.holder, existingName: update ? closest.name : nil, name: name,
                                           issuer: issuer, subject: s.subject, audience: s.audience)
        if !update, facts.credentials.count >= 20 {
            fix = "(\(facts.holder.label) holds 20 federated credentials, the most Entra allows: delete one first) " + fix
        }
        let mismatches = tenantMismatch + evaluation.mismatches.map {
            TrustMismatch(field: $0.field, expected: $0.expected, got: $0.actual, closest: "federated credential \(closest.name)")
        }
        let why = (evaluation.hints + [neighbour ? (seen ? "\(closest.name) belongs to \(closest.subject), so a new credential is proposed"
                                             : "\(closest.name) names \(closest.subject), outside the audited namespaces, which may still use it, so a new credential is proposed") : nil,
                                 propagation].compactMap { $0 })
        return TrustVerdict(state: .mismatch, checkedAt: now, source: "\(facts.holder.label), federated credential \(closest.name) (closest)",
                            mismatches: mismatches, fix: fix,
                            reason: "no federated credential of \(facts.holder.label) accepts what the cluster presents; " + why.joined(separator: "; "),
                            comparison: rows(s, issuer: issuer, credential: closest), roles: roles, noRoles: noRoles, warnings: warnings)
    }

    /// Whether a service account the audit did not see may still rely on `subject` (a federated
    /// credential's subject or a trust condition's value of this cluster's issuer): one it saw, or,
    /// when it saw only `auditedNamespaces`, one naming (or, with a wildcard, able to match) a
    /// service account of another namespace. A fix must then add, not rewrite.
    public static func possiblyInUse(_ subject: String, clusterSubjects: Set<String>, auditedNamespaces: Set<String>?) -> Bool {
        if clusterSubjects.contains(subject) { return true }
        guard let auditedNamespaces else { return false }
        let prefix = "system:serviceaccount:"
        guard subject.hasPrefix(prefix) else {
            // `system:serviceaccount*`, `*`: a pattern that can match any service account.
            return subject.contains("*") && Wildcard.matches(subject, prefix + "x:y")
        }
        let rest = subject.dropFirst(prefix.count)
        let namespace = rest.firstIndex(of: ":").map { String(rest[..<$0]) } ?? String(rest)
        if namespace.contains("*") || namespace.contains("?") { return true }
        return !auditedNamespaces.contains(namespace)
    }

    /// The limit and duplicates (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations).
    static func credentialWarnings(_ facts: AzureIdentityFacts) -> [String] {
        var warnings: [String] = []
        let creds = facts.credentials
        if creds.count >= 20 {
            warnings.append("\(facts.holder.label) holds \(creds.count) federated credentials, the most Entra allows: no new one can be added")
        }
        var seen: [String: String] = [:]
        for c in creds {
            let key = c.issuer + "\n" + (c.claimsMatchingExpression ?? c.subject)
            if let first = seen[key] {
                warnings.append("federated credentials \(first) and \(c.name) of \(facts.holder.label) have the same issuer and subject")
            } else {
                seen[key] = c.name
            }
        }
        for c in creds where c.claimsMatchingExpression != nil && ClaimsExpression(c.claimsMatchingExpression ?? "") == nil {
            warnings.append("federated credential \(c.name) is an expression widash cannot evaluate: \(c.claimsMatchingExpression ?? "")")
        }
        return warnings
    }

    static func rows(_ s: TrustSubject, issuer: String, credential c: FederatedIdentityCredential?) -> [TrustField] {
        let none = "(none)"
        let subject = c.map { $0.claimsMatchingExpression ?? $0.subject } ?? none
        return [
            TrustField(field: "issuer", cluster: issuer, cloud: c?.issuer ?? none, matches: c?.issuer == issuer),
            TrustField(field: "subject", cluster: s.subject, cloud: subject,
                       matches: c.map { $0.matches(issuer: $0.issuer, subject: s.subject, audiences: $0.audiences) } ?? false),
            TrustField(field: "audience", cluster: s.audience, cloud: c.map { $0.audiences.joined(separator: ",") } ?? none,
                       matches: c?.audiences.contains(s.audience) ?? false),
        ]
    }
}
