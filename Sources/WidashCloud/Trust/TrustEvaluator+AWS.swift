import Foundation
import WidashCore

extension TrustEvaluator {
    /// The IAM OIDC provider ARN an issuer has in the role's account (IAM names it after the issuer
    /// without `https://`: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html).
    public static func providerARN(issuer: String, roleARN: String) -> String? {
        guard let role = AWSRoleARN(roleARN) else { return nil }
        return "arn:\(role.partition):iam::\(role.accountID):oidc-provider/\(IAMClient.providerPath(issuer: issuer))"
    }

    /// IRSA as STS decides AssumeRoleWithWebIdentity
    /// (https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html): an OIDC
    /// provider for the issuer in the role's account with the audience among its client ids, and a
    /// trust statement allowing that provider `sts:AssumeRoleWithWebIdentity` whose `:sub`/`:aud`
    /// conditions hold.
    /// - Parameter auditedNamespaces: see `azure`: a failing `:sub` value that names a service
    ///   account outside them is kept in a corrected policy, the token's subject added next to it.
    public static func irsa(_ s: TrustSubject, role: Result<IAMRole?, TrustReadProblem>, provider: Result<OIDCProvider?, TrustReadProblem>,
                            clusterSubjects: Set<String>, auditedNamespaces: Set<String>? = nil, now: Date) -> TrustVerdict {
        let roleARN = s.cloudIdentity ?? ""
        guard let issuer = s.issuer else {
            return .unknown("the cluster's issuer could not be read from its discovery document, so there is nothing to compare", checkedAt: now)
        }
        guard let providerARN = providerARN(issuer: issuer, roleARN: roleARN), let roleName = IAMClient.roleName(fromARN: roleARN) else {
            return .unknown("\(roleARN) is not an IAM role ARN (see finding invalid-role-arn)", checkedAt: now)
        }
        let found: IAMRole
        switch role {
        case .failure(let p): return .unknown(p.reason, permission: p.permission, checkedAt: now)
        case .success(nil):
            return TrustVerdict(state: .mismatch, checkedAt: now, source: "IAM",
                                mismatches: [TrustMismatch(field: "role", expected: "(no such role)", got: roleARN)],
                                fix: "correct annotation \(IdentityAnnotation.awsRoleARN) of \(s.entryKey), or create role \(roleName)",
                                reason: "IAM has no role \(roleName): STS answers AccessDenied")
        case .success(let r?): found = r
        }
        var mismatches: [TrustMismatch] = []
        var warnings: [String] = []
        var fixes: [String] = []
        var comparison: [TrustField] = []
        switch provider {
        case .failure(let p):
            warnings.append("the IAM OIDC provider was not read: \(p.reason)")
        case .success(nil):
            mismatches.append(TrustMismatch(field: "OIDC provider", expected: "(none for \(IAMClient.providerPath(issuer: issuer)))", got: issuer))
            fixes.append("aws iam create-open-id-connect-provider --url \(issuer) --client-id-list \(s.audience)")
            comparison.append(TrustField(field: "OIDC provider", cluster: providerARN, cloud: "(none)", matches: false))
        case .success(let p?):
            comparison.append(TrustField(field: "OIDC provider", cluster: providerARN, cloud: p.arn, matches: true))
            let audienceOK = p.clientIDs.contains(s.audience)
            comparison.append(TrustField(field: "OIDC provider client ids", cluster: s.audience, cloud: p.clientIDs.joined(separator: ","), matches: audienceOK))
            if !audienceOK {
                mismatches.append(TrustMismatch(field: "OIDC provider client ids", expected: p.clientIDs.joined(separator: ","), got: s.audience, closest: p.arn))
                fixes.append("aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn \(p.arn) --client-id \(s.audience)")
            }
        }
        guard let policy = found.trustPolicy else {
            return .unknown("the trust policy of role \(roleName) is not a JSON policy widash can read", checkedAt: now)
        }
        let evaluation = policy.evaluate(providerARN: providerARN, claims: ["sub": [s.subject], "aud": [s.audience]])
        comparison.append(TrustField(field: "trust policy", cluster: "\(s.subject), aud \(s.audience)", cloud: evaluation.reason, matches: evaluation.allowed))
        if !evaluation.allowed {
            let statement = evaluation.statementIndex.map { "statement \($0 + 1)" }
            if evaluation.failures.isEmpty {
                mismatches.append(TrustMismatch(field: "trust policy principal", expected: policyPrincipals(policy),
                                                got: "Federated \(providerARN), sts:AssumeRoleWithWebIdentity", closest: statement))
                fixes.append("add a statement allowing Federated \(providerARN) sts:AssumeRoleWithWebIdentity with StringEquals "
                             + "\(IAMClient.providerPath(issuer: issuer)):sub = \(s.subject) to the trust policy of \(roleName) (aws iam update-assume-role-policy --role-name \(roleName) --policy-document file://trust.json)")
            } else {
                for f in evaluation.failures {
                    // Named by the claim (`…:sub` → subject), the condition in `closest`.
                    let claim = f.key.split(separator: ":").last.map(String.init) ?? f.key
                    let field = claim == "sub" ? "subject" : claim == "aud" ? "audience" : "trust policy \(f.key)"
                    mismatches.append(TrustMismatch(field: field, expected: f.expected.joined(separator: ","),
                                                    got: f.actual.isEmpty ? "(claim missing)" : f.actual.joined(separator: ","),
                                                    closest: [statement, "\(f.op) \(f.key)"].compactMap { $0 }.joined(separator: ", ")))
                }
                // Values another service account may still rely on (of this cluster's issuer: the
                // condition keys are its provider's) are kept, not replaced.
                let inUse = evaluation.failures.flatMap(\.expected).filter {
                    possiblyInUse($0, clusterSubjects: clusterSubjects, auditedNamespaces: auditedNamespaces)
                }
                if let corrected = policy.corrected(for: evaluation.failures, keeping: clusterSubjects.union(inUse)) {
                    fixes.append("aws iam update-assume-role-policy --role-name \(roleName) --policy-document '\(corrected)'")
                }
            }
        }
        if case .failure(let p) = provider, mismatches.isEmpty {
            return TrustVerdict(state: .unknown, checkedAt: now, source: "IAM role \(roleName)", reason: p.reason, missingPermission: p.permission,
                                comparison: comparison, warnings: [])
        }
        if mismatches.isEmpty {
            return TrustVerdict(state: .trusted, checkedAt: now, source: "IAM role \(roleName), trust \(evaluation.reason)",
                                reason: "\(evaluation.reason) for \(s.subject)", comparison: comparison, warnings: warnings)
        }
        return TrustVerdict(state: .mismatch, checkedAt: now, source: "IAM role \(roleName)", mismatches: mismatches,
                            fix: fixes.joined(separator: "; "),
                            reason: "STS will refuse AssumeRoleWithWebIdentity for \(s.subject) (\(evaluation.reason)); \(propagation)",
                            comparison: comparison, warnings: warnings)
    }

    static func policyPrincipals(_ policy: TrustPolicy) -> String {
        let principals = policy.statements.filter { $0.effect == "Allow" }.map { s in
            (s.federatedPrincipals.map { "Federated \($0)" } + s.servicePrincipals.map { "Service \($0)" }).joined(separator: ",")
                + " " + s.actions.joined(separator: ",")
        }
        return principals.isEmpty ? "(no Allow statement)" : principals.joined(separator: " | ")
    }

    /// EKS Pod Identity (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html): an
    /// association for the namespace and service account, and a role whose trust policy lets
    /// `pods.eks.amazonaws.com` call `sts:AssumeRole` and `sts:TagSession` (the latter not needed
    /// when the association disables session tags).
    /// - Parameter describeProblems: why an association (by id) could not be described: its
    ///   verdict is `unknown` (naming the permission), the others' are not affected.
    public static func podIdentity(_ s: TrustSubject, cluster: EKSClusterRef?, associations: Result<[PodIdentityAssociation], TrustReadProblem>?,
                                   role: Result<IAMRole?, TrustReadProblem>?, describeProblems: [String: TrustReadProblem] = [:],
                                   now: Date) -> TrustVerdict {
        guard let cluster, let associations else {
            return .unknown("the EKS cluster name is not known: pass --eks-cluster NAME, set WIDASH_EKS_CLUSTER, or use a kubeconfig whose cluster is an EKS ARN",
                            checkedAt: now)
        }
        let list: [PodIdentityAssociation]
        switch associations {
        case .failure(let p): return .unknown(p.reason, permission: p.permission, checkedAt: now)
        case .success(let l): list = l
        }
        guard let a = list.first(where: { $0.namespace == s.namespace && $0.serviceAccount == s.serviceAccount }) else {
            return TrustVerdict(state: .mismatch, checkedAt: now, source: "EKS cluster \(cluster.name)",
                                mismatches: [TrustMismatch(field: "pod identity association", expected: "(none)", got: s.entryKey)],
                                fix: "aws eks create-pod-identity-association --cluster-name \(cluster.name) --namespace \(s.namespace) --service-account \(s.serviceAccount) --role-arn <role-arn>",
                                reason: "cluster \(cluster.name) has no Pod Identity association for \(s.entryKey): eks-auth answers ResourceNotFoundException")
        }
        if let p = describeProblems[a.associationID] {
            return .unknown(p.reason, permission: p.permission, checkedAt: now)
        }
        let roleARN = a.roleARN ?? "?"
        let roleName = IAMClient.roleName(fromARN: roleARN) ?? roleARN
        var comparison = [TrustField(field: "association", cluster: s.entryKey, cloud: "\(a.associationID) → \(roleARN)", matches: true)]
        var warnings: [String] = []
        if let target = a.targetRoleARN {
            comparison.append(TrustField(field: "target role", cluster: "-", cloud: target + (a.externalID.map { " (external id \($0))" } ?? ""), matches: true))
            warnings.append("EKS chains from \(roleName) to \(target): the target role's trust policy (its own account) is not read")
        }
        if a.disableSessionTags == true {
            comparison.append(TrustField(field: "session tags", cluster: "-", cloud: "disabled", matches: true))
        }
        let found: IAMRole
        switch role {
        case .failure(let p)?: return .unknown(p.reason, permission: p.permission, checkedAt: now)
        case nil, .success(nil)?:
            return TrustVerdict(state: .mismatch, checkedAt: now, source: "association \(a.associationID)",
                                mismatches: [TrustMismatch(field: "role", expected: "(no such role)", got: roleARN)],
                                fix: "aws eks update-pod-identity-association --cluster-name \(cluster.name) --association-id \(a.associationID) --role-arn <existing role-arn>",
                                reason: "the association names role \(roleName), which IAM does not have", comparison: comparison, warnings: warnings)
        case .success(let r?)?: found = r
        }
        let wanted = a.disableSessionTags == true ? ["sts:AssumeRole"] : ["sts:AssumeRole", "sts:TagSession"]
        let missing = found.trustPolicy?.missingServiceActions(service: TrustSubject.podIdentityAudience, wanted: wanted) ?? wanted
        comparison.append(TrustField(field: "trust policy", cluster: "pods.eks.amazonaws.com \(wanted.joined(separator: ","))",
                                     cloud: found.trustPolicy.map(policyPrincipals) ?? "(not JSON)", matches: missing.isEmpty))
        let conditions = found.trustPolicy?.serviceConditions(service: TrustSubject.podIdentityAudience) ?? []
        if !conditions.isEmpty {
            warnings.append("the trust statement has conditions widash does not evaluate: " + conditions.map { "\($0.op) \($0.key)" }.joined(separator: ", "))
        }
        let source = "association \(a.associationID) → role \(roleName)"
        guard missing.isEmpty else {
            return TrustVerdict(state: .mismatch, checkedAt: now, source: source,
                                mismatches: [TrustMismatch(field: "trust policy", expected: policyPrincipals(found.trustPolicy ?? TrustPolicy(statements: [], document: "")),
                                                           got: "Service pods.eks.amazonaws.com \(missing.joined(separator: ","))", closest: "role \(roleName)")],
                                fix: "add {\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"pods.eks.amazonaws.com\"},\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"]} to the trust policy of \(roleName) (aws iam update-assume-role-policy --role-name \(roleName) --policy-document file://trust.json)",
                                reason: "role \(roleName) does not let pods.eks.amazonaws.com \(missing.joined(separator: " and ")): eks-auth answers AccessDeniedException; \(propagation)",
                                comparison: comparison, warnings: warnings)
        }
        return TrustVerdict(state: .trusted, checkedAt: now, source: source,
                            reason: "association \(a.associationID) and the trust policy of \(roleName) allow \(s.entryKey)",
                            comparison: comparison, warnings: warnings)
    }
}
