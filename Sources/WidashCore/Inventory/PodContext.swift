import Foundation

/// Per-pod part of the inventory: the pod's reading (`PodReader`, the same the trace uses), the
/// bindings seen only on pods (EKS Pod Identity, legacy aad-pod-identity) and the pod findings.
struct PodContext {
    let snapshot: ClusterSnapshot
    let facts: ClusterFacts
    let now: Date

    @discardableResult
    func add(_ pod: Pod, account: ServiceAccount?, to entry: inout IdentityEntry) -> PodReading {
        let reading = PodReader.read(pod, serviceAccount: account, cluster: facts, environment: false)
        let legacy = LegacyPodIdentity.match(pod, bindings: snapshot.azureIdentityBindings, identities: snapshot.azureIdentities)
        // The schedule is the projected token's: a pod without one (not injected, GKE) has none.
        let ttl = reading.projection.map { $0.expirationSeconds ?? TokenSchedule.defaultTTLSeconds }
        let start = TokenClock.parseTimestamp(pod.status?.startTime)

        // Federation the pods carry themselves: EKS Pod Identity (its association is in the EKS API,
        // not on the service account), or a client id / role a container sets without an annotation.
        if let provider = reading.provider, reading.injected, reading.problem == nil,
           reading.cloudIdentity != nil || provider == .awsPodIdentity, !entry.bindings.contains(where: { $0.provider == provider }) {
            let tenant = provider == .azure ? reading.tenantID : reading.cloudIdentity.flatMap(AWSRoleARN.init)?.accountID
            addBinding(IdentityBinding(provider: provider, cloudIdentity: reading.cloudIdentity, tenant: tenant, audience: reading.audience,
                                       tokenExpirationSeconds: reading.ttlSeconds,
                                       source: reading.cloudIdentitySource.map { "pod: \($0)" } ?? "pod env"), to: &entry)
        }
        if let legacy {
            addBinding(IdentityBinding(provider: .azurePodIdentity, cloudIdentity: legacy.identity?.spec.clientID,
                                       source: "AzureIdentityBinding \(legacy.binding.metadata.key)"), to: &entry)
            entry.findings.append(legacyFinding(pod, legacy))
        }

        let provider = reading.provider ?? legacy.map { _ in .azurePodIdentity }
        let ready = pod.status?.containerStatuses?.filter(\.ready).count ?? 0
        // Replicas share their workload: one string per run of equal ones, not one per pod.
        var workload = WorkloadCommands.workload(of: pod)
        if let previous = entry.pods.last?.workload, previous == workload { workload = previous }
        entry.pods.append(PodIdentity(
            namespace: reading.namespace, name: pod.metadata.name, serviceAccount: entry.name,
            provider: provider, injected: reading.provider != nil && reading.injected, injectedEnv: reading.envNames,
            tokenPath: reading.tokenPath, audience: reading.projection?.audience, tokenTTLSeconds: ttl, startTime: start,
            schedule: zip(start, ttl).map { TokenSchedule.kubelet(podStart: $0, ttlSeconds: $1, now: now) },
            phase: pod.status?.phase, readyContainers: ready, totalContainers: pod.spec.containers.count,
            workload: workload))
        entry.findings += reading.findings
        return reading
    }

    /// Azure bindings whose pods use an AKS identity binding (`azure.workload.identity/use-identity-binding`)
    /// are marked (`IdentityBinding.aksIdentityBindingDetail`, the pods' audience), so the trust
    /// audit does not compare them with the identity's federated credentials: the exchange goes
    /// through the cluster's token proxy. When other pods of the same service account exchange the
    /// token directly, the binding stays as it is for them and a marked copy is added.
    static func markIdentityBindings(_ azure: [AzurePodUse], in entry: inout IdentityEntry) {
        let viaProxy = azure.filter(\.identityBinding)
        guard !viaProxy.isEmpty else { return }
        let direct = Set(azure.filter { !$0.identityBinding }.compactMap(\.cloudIdentity))
        for reading in viaProxy {
            guard let i = entry.bindings.firstIndex(where: { $0.provider == .azure && !$0.isAKSIdentityBinding
                                                             && ($0.cloudIdentity == reading.cloudIdentity || reading.cloudIdentity == nil) }) else { continue }
            var marked = entry.bindings[i]
            marked.details = (marked.details ?? [:]).merging([IdentityBinding.aksIdentityBindingDetail: "true"]) { $1 }
            marked.audience = reading.audience
            if let id = marked.cloudIdentity, direct.contains(id) {
                marked.source += " (pods with \(AzureWebhook.identityBindingAnnotation))"
                if !entry.bindings.contains(marked) { entry.bindings.insert(marked, at: i + 1) }
            } else {
                entry.bindings[i] = marked
            }
        }
    }

    private func zip(_ a: Date?, _ b: Int?) -> (Date, Int)? {
        guard let a, let b else { return nil }
        return (a, b)
    }

    private func addBinding(_ binding: IdentityBinding, to entry: inout IdentityEntry) {
        if !entry.bindings.contains(binding) { entry.bindings.append(binding) }
    }

    private func legacyFinding(_ pod: Pod, _ match: LegacyPodIdentityMatch) -> Finding {
        let identityName = match.binding.spec.azureIdentity
        let clientID = match.identity?.spec.clientID ?? "<CLIENT_ID>"
        let ns = pod.metadata.namespace ?? "default"
        let sa = pod.spec.serviceAccountName ?? "default"
        let issuer = snapshot.issuer ?? "<ISSUER>"
        return Finding(.legacyPodIdentity, .warning, subject: pod.metadata.key,
            message: "pod \(pod.metadata.key) still gets its identity from aad-pod-identity (AzureIdentityBinding "
                + "\(match.binding.metadata.key), selector \(match.binding.spec.selector), AzureIdentity \(identityName), "
                + "client id \(clientID)); aad-pod-identity is deprecated and no longer maintained",
            fix: "az identity federated-credential create --name \(ns)-\(sa) --identity-name <IDENTITY_NAME> "
                + "--resource-group <RESOURCE_GROUP> --issuer \(issuer) --subject system:serviceaccount:\(ns):\(sa) "
                + "--audiences api://AzureADTokenExchange; kubectl -n \(ns) annotate serviceaccount \(sa) "
                + "\(IdentityAnnotation.azureClientID)=\(clientID); then label the pod template "
                + "\(IdentityAnnotation.azureUseLabel)=true and \(WorkloadCommands.recreate(pod))")
    }
}

/// What `PodContext.markIdentityBindings` needs of an Azure pod's reading.
struct AzurePodUse {
    var identityBinding: Bool
    var cloudIdentity: String?
    var audience: String

    init?(_ reading: PodReading) {
        guard reading.provider == .azure else { return nil }
        identityBinding = reading.identityBinding
        cloudIdentity = reading.cloudIdentity
        audience = reading.audience
    }
}
