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

        // Pod Identity: the cluster's associations, listed once; service accounts that have one but
        // no Pod Identity binding (their pods started before it) are audited too.
        var associations: Result<[PodIdentityAssociation], TrustReadProblem>?
        var facts: [String: PodIdentityAssociationFact] = [:]
        if let eksCluster {
            let result = await reader.podIdentityAssociations(cluster: eksCluster)
            associations = result
            if case .success(let list) = result {
                let keys = Set(inventory.identities.map(\.key))
                for a in list where keys.contains("\(a.namespace)/\(a.serviceAccount)") {
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
                        await verdictFor(subject, associations: listed, clusterSubjects: clusterSubjects, now: now)
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
    public func verdictFor(_ s: TrustSubject, associations: Result<[PodIdentityAssociation], TrustReadProblem>?,
                           clusterSubjects: Set<String>, now: @Sendable () -> Date) async -> TrustVerdict {
        BackgroundPriority.lowerCurrentThread()
        switch s.provider {
        case .azure:
            guard let clientID = s.cloudIdentity else { return .unknown("no client id") }
            let lookup = await reader.azureIdentity(clientID: clientID)
            return TrustEvaluator.azure(s, lookup, clusterSubjects: clusterSubjects, now: now())
        case .awsIRSA:
            let roleARN = s.cloudIdentity ?? ""
            let role = await reader.iamRole(arn: roleARN)
            var provider: Result<OIDCProvider?, TrustReadProblem> = .success(nil)
            if let issuer = s.issuer, let arn = TrustEvaluator.providerARN(issuer: issuer, roleARN: roleARN), case .success(.some) = role {
                provider = await reader.oidcProvider(arn: arn)
            }
            return TrustEvaluator.irsa(s, role: role, provider: provider, clusterSubjects: clusterSubjects, now: now())
        case .awsPodIdentity:
            var role: Result<IAMRole?, TrustReadProblem>?
            if case .success(let list)? = associations,
               let a = list.first(where: { $0.namespace == s.namespace && $0.serviceAccount == s.serviceAccount }), let arn = a.roleARN {
                role = await reader.iamRole(arn: arn)
            }
            return TrustEvaluator.podIdentity(s, cluster: eksCluster, associations: associations, role: role, now: now())
        case .gcp:
            guard let gsa = s.cloudIdentity else { return .unknown("no Google service account") }
            return TrustEvaluator.gke(s, policy: await reader.serviceAccountPolicy(email: gsa), now: now())
        case .azurePodIdentity:
            return .unknown("aad-pod-identity is not federation: nothing to audit")
        }
    }
}
