import Foundation

/// Puts an audit's verdicts into an inventory: each binding gets its `trust`, the verdicts become
/// findings (so they count in STATUS and in the error/warning counts), and a Pod Identity
/// association whose pods started before it becomes a binding with a finding of its own.
public enum TrustFolding {
    /// - Parameters:
    ///   - pending: true while the audit runs: bindings it has not answered yet show `checking`.
    public static func apply(_ result: TrustAuditResult, to inventory: Inventory, workloadPool: String?,
                             pending: Bool = false) -> Inventory {
        var out = inventory
        out.identities = inventory.identities.map { entry in
            fold(entry, result: result, issuer: inventory.issuer, workloadPool: workloadPool, pending: pending)
        }
        return out
    }

    /// One entry of `apply` (a live feed refolds only the entries that changed).
    public static func fold(_ original: IdentityEntry, result: TrustAuditResult, issuer: String?, workloadPool: String?,
                            pending: Bool) -> IdentityEntry {
        var entry = original
        var changed = false
        if let association = result.podIdentityAssociations[entry.key] {
            let role = association.targetRoleARN ?? association.roleARN
            if !entry.bindings.contains(where: { $0.provider == .awsPodIdentity }) {
                entry.bindings.append(IdentityBinding(provider: .awsPodIdentity, cloudIdentity: role,
                                                      tenant: role.flatMap(AWSRoleARN.init)?.accountID,
                                                      audience: TrustSubject.podIdentityAudience,
                                                      source: "EKS Pod Identity association \(association.associationID)"))
            }
            // Every pod without the agent's env started before the association (the webhook adds it
            // at admission), also next to pods of the same account created after it.
            let stale = entry.pods.filter { !$0.injectedEnv.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI") }
            if !stale.isEmpty {
                changed = true
                entry.findings.append(Finding(.podStartedBeforeAssociation, .warning, subject: entry.key,
                    message: "EKS Pod Identity association \(association.associationID) gives \(entry.key) the role \(role ?? "?"), "
                        + "but pod(s) \(stale.map(\.name).prefix(3).joined(separator: ", "))\(stale.count > 3 ? ", …" : "") started without "
                        + "its env (AWS_CONTAINER_CREDENTIALS_FULL_URI): the webhook adds it at admission only, so they do not use the role",
                    fix: Array(Set(stale.map(\.recreateCommand))).sorted().joined(separator: "; ")))
            }
        }
        // A Pod Identity binding read from pods names no role: the association does.
        if let association = result.podIdentityAssociations[entry.key],
           let i = entry.bindings.firstIndex(where: { $0.provider == .awsPodIdentity && $0.cloudIdentity == nil }) {
            let role = association.targetRoleARN ?? association.roleARN
            entry.bindings[i].cloudIdentity = role
            entry.bindings[i].tenant = role.flatMap(AWSRoleARN.init)?.accountID
        }
        for i in entry.bindings.indices {
            guard let subject = TrustSubject.of(entry, entry.bindings[i], issuer: issuer, workloadPool: workloadPool) else { continue }
            let verdict = result.verdicts[subject] ?? (pending ? .checking : nil)
            guard let verdict else { continue }
            entry.bindings[i].trust = verdict
            entry.findings += findings(verdict, subject: subject)
            changed = true
        }
        guard changed || entry.bindings.count != original.bindings.count else { return entry }
        entry.findings = InventoryBuilder.sortFindings(entry.findings)
        entry.status = InventoryBuilder.status(findings: entry.findings, hasBindings: !entry.bindings.isEmpty)
        return entry
    }

    /// The findings a verdict stands for.
    static func findings(_ verdict: TrustVerdict, subject: TrustSubject) -> [Finding] {
        let key = subject.entryKey
        let cloud = subject.provider.displayName
        var out: [Finding] = []
        switch verdict.state {
        case .mismatch:
            let parts = verdict.mismatches.map { m in
                "\(m.closest.map { "\($0) expects" } ?? "the cloud expects") \(m.field) \(m.expected), the cluster presents \(m.got)"
            }
            // The failing field first: it is what the STATUS column shows.
            out.append(Finding(.trustMismatch, .error, subject: key,
                message: "\(verdict.failingFields.isEmpty ? "trust" : verdict.failingFields) mismatch: "
                    + (parts.isEmpty ? verdict.reason ?? "no configuration accepts it" : parts.joined(separator: "; "))
                    + " (\(cloud) \(subject.cloudIdentity ?? "association"))",
                fix: verdict.fix ?? "correct the cloud side's trust for \(subject.subject)"))
        case .unknown where subject.identityBinding && verdict.isAKSIdentityBinding:
            // Not audited by design, nothing the operator could grant: worth knowing, not a warning.
            out.append(Finding(.trustUnknown, .info, subject: key,
                message: "\(cloud) trust of \(key) not audited: \(verdict.reason ?? "AKS identity binding")",
                fix: "nothing to audit here: the identity binding is AKS's (check it with az aks identity-binding list -g <RESOURCE_GROUP> --cluster-name <CLUSTER>); "
                    + "the identity's federated credentials do not decide this exchange"))
        case .unknown:
            out.append(Finding(.trustUnknown, .warning, subject: key,
                message: "\(cloud) trust of \(key) not verified: \(verdict.reason ?? "the cloud side could not be read")",
                fix: verdict.missingPermission.map { "grant the operator \($0), then re-run the audit" }
                    ?? verdict.fix ?? "give widash operator credentials for \(cloud) (see README \"Trust audit\")"))
        case .trusted, .checking:
            break
        }
        if verdict.noRoles == true {
            out.append(Finding(.noRoleAssignment, .warning, subject: key,
                message: "no role assignment: the token exchange will work, every resource call will be refused (\(cloud) \(subject.cloudIdentity ?? key))",
                fix: "az role assignment create --assignee \(subject.cloudIdentity ?? "<client-id>") --role <role> --scope <resource id>"))
        }
        for warning in verdict.warnings {
            out.append(Finding(.trustWarning, .warning, subject: key, message: warning, fix: verdict.fix ?? "review the identity's federated credentials"))
        }
        return out
    }
}
