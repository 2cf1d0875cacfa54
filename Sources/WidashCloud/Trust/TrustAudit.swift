import Foundation
import WidashCore
import WidashHTTP

/// The read-only trust audit: for every binding of an inventory, reads the cloud side (through a
/// shared `CloudTrustReader`, so lists are read once and a later trace reuses them) and compares it
/// with what the cluster presents. No token exchange, no TokenRequest: it also runs under
/// `--readonly`. At most `concurrency` bindings per cloud are read at a time; a failure on one
/// never hides the others.
public struct TrustAudit: Sendable {
    public var reader: CloudTrustReader
    /// The EKS cluster whose Pod Identity associations are listed (nil: Pod Identity is `unknown`).
    public var eksCluster: EKSClusterRef?
    /// GKE's workload pool (from the cluster's issuer, or configured).
    public var workloadPool: String?
    public var concurrency: Int
    /// True when the inventory lists every namespace of the cluster (`-A`). Otherwise (the default,
    /// the safe assumption) only the namespaces its service accounts are in count as seen, and a
    /// credential or trust statement naming a service account of any other namespace may be in use:
    /// a fix then adds a credential or a value instead of rewriting it (`possiblyInUse`).
    public var wholeCluster: Bool = false

    public init(reader: CloudTrustReader, eksCluster: EKSClusterRef?, workloadPool: String?, concurrency: Int = 8) {
        self.reader = reader
        self.eksCluster = eksCluster
        self.workloadPool = workloadPool
        self.concurrency = concurrency
    }

    /// Audits every binding of `inventory`. `onVerdict` sees each verdict as it is reached (the
    /// dashboard fills its rows in as they come).
    /// - Parameter skip: subjects whose verdicts the caller already has.
    public func run(_ inventory: Inventory, skip: Set<TrustSubject> = [], now: @escaping @Sendable () -> Date = { Date() },
                    onVerdict: (@Sendable (TrustSubject, TrustVerdict) async -> Void)? = nil) async -> TrustAuditResult {
        var subjects = TrustSubject.all(in: inventory, workloadPool: workloadPool)
        let clusterSubjects = Set(inventory.identities.map { "system:serviceaccount:\($0.namespace):\($0.name)" })
        let auditedNamespaces: Set<String>? = wholeCluster ? nil : Set(inventory.identities.map(\.namespace))

        // Pod Identity: the cluster's associations, listed once; service accounts that have one but
        // no Pod Identity binding (their pods started before it) are audited too.
        var associations: Result<PodIdentityAssociationList, TrustReadProblem>?
        var facts: [String: PodIdentityAssociationFact] = [:]
        if let eksCluster {
            let result = await reader.podIdentityAssociationList(cluster: eksCluster, serviceAccounts: Set(inventory.identities.map(\.key)))
            associations = result
            if case .success(let all) = result {
                let keys = Set(inventory.identities.map(\.key))
                for a in all.associations where keys.contains("\(a.namespace)/\(a.serviceAccount)") {
                    facts["\(a.namespace)/\(a.serviceAccount)"] = PodIdentityAssociationFact(associationID: a.associationID, roleARN: a.roleARN,
                                                                                          targetRoleARN: a.targetRoleARN)
                }
                for entry in inventory.identities where facts[entry.key] != nil && !entry.bindings.contains(where: { $0.provider == .awsPodIdentity }) {
                    subjects.append(TrustSubject(provider: .awsPodIdentity, cloudIdentity: nil, namespace: entry.namespace,
                                                 serviceAccount: entry.name, issuer: inventory.issuer, audience: TrustSubject.podIdentityAudience))
                }
            }
        }

        let listed = associations
        let limiters: [Provider: AsyncLimiter] = [.azure: AsyncLimiter(limit: concurrency), .awsIRSA: AsyncLimiter(limit: concurrency),
                                                  .gcp: AsyncLimiter(limit: concurrency)]
        let verdicts = await withTaskGroup(of: (TrustSubject, TrustVerdict).self) { group in
            for subject in subjects where !skip.contains(subject) {
                // IRSA and Pod Identity share IAM, so they share a limiter.
                let limiter = limiters[subject.provider == .awsPodIdentity ? .awsIRSA : subject.provider] ?? AsyncLimiter(limit: concurrency)
                group.addTask {
                    let verdict = await limiter.run {
                        await verdictFor(subject, associations: listed, clusterSubjects: clusterSubjects,
                                         auditedNamespaces: auditedNamespaces, now: now)
                    }
                    await onVerdict?(subject, verdict)
                    return (subject, verdict)
                }
            }
            var all: [TrustSubject: TrustVerdict] = [:]
            for await (subject, verdict) in group { all[subject] = verdict }
            return all
        }
        return TrustAuditResult(verdicts: verdicts, podIdentityAssociations: facts)
    }

    /// The verdict for one subject (also what a trace's step 3 compares against).
    /// - Parameter auditedNamespaces: the namespaces `clusterSubjects` covers; nil when it covers
    ///   the whole cluster (see `wholeCluster`).
    public func verdictFor(_ s: TrustSubject, associations: Result<PodIdentityAssociationList, TrustReadProblem>?,
                           clusterSubjects: Set<String>, auditedNamespaces: Set<String>? = nil, now: @Sendable () -> Date) async -> TrustVerdict {
        BackgroundPriority.lowerCurrentThread()
        switch s.provider {
        case .azure where s.identityBinding:
            // The pods' token goes to the cluster's token proxy, exchanged under AKS's identity
            // binding with its own audience: the identity's federated credentials do not decide it,
            // so nothing is read and no verdict is claimed.
            return .aksIdentityBinding(checkedAt: now())
        case .azure:
            guard let clientID = s.cloudIdentity else { return .unknown("no client id") }
            let lookup = await reader.azureIdentity(clientID: clientID)
            return TrustEvaluator.azure(s, lookup, clusterSubjects: clusterSubjects, auditedNamespaces: auditedNamespaces, now: now())
        case .awsIRSA:
            let roleARN = s.cloudIdentity ?? ""
            let role = await reader.iamRole(arn: roleARN)
            var provider: Result<OIDCProvider?, TrustReadProblem> = .success(nil)
            if let issuer = s.issuer, let arn = TrustEvaluator.providerARN(issuer: issuer, roleARN: roleARN), case .success(.some) = role {
                provider = await reader.oidcProvider(arn: arn)
            }
            return TrustEvaluator.irsa(s, role: role, provider: provider, clusterSubjects: clusterSubjects,
                                       auditedNamespaces: auditedNamespaces, now: now())
        case .awsPodIdentity:
            var role: Result<IAMRole?, TrustReadProblem>?
            var problems: [String: TrustReadProblem] = [:]
            var own: Result<[PodIdentityAssociation], TrustReadProblem>?
            switch associations {
            case nil: own = nil
            case .failure(let p)?: own = .failure(p)
            case .success(let all)?:
                // Only this service account's association (looked up once, not searched per binding).
                let found = all.association(namespace: s.namespace, serviceAccount: s.serviceAccount)
                own = .success(found.map { [$0.0] } ?? [])
                if let (a, problem) = found {
                    if let problem { problems[a.associationID] = problem } else if let arn = a.roleARN { role = await reader.iamRole(arn: arn) }
                }
            }
            return TrustEvaluator.podIdentity(s, cluster: eksCluster, associations: own, role: role, describeProblems: problems, now: now())
        case .gcp:
            guard let gsa = s.cloudIdentity else { return .unknown("no Google service account") }
            return TrustEvaluator.gke(s, policy: await reader.serviceAccountPolicy(email: gsa), now: now())
        case .azurePodIdentity:
            return .unknown("aad-pod-identity is not federation: nothing to audit")
        }
    }
}
