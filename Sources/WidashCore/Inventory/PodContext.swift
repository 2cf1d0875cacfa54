import Foundation

/// Per-pod part of the inventory: the pod's identity view, bindings seen only on pods (EKS Pod
/// Identity, legacy aad-pod-identity) and the pod findings.
struct PodContext {
    let snapshot: ClusterSnapshot
    let webhooks: [WebhookSummary]
    let now: Date

    func add(_ pod: Pod, to entry: inout IdentityEntry, hasClientID: Bool) {
        let injection = PodInspector.inspect(pod)
        let legacy = LegacyPodIdentity.match(pod, bindings: snapshot.azureIdentityBindings, identities: snapshot.azureIdentities)
        let projection = injection.projection
        let ttl = projection.map { $0.expirationSeconds ?? TokenSchedule.defaultTTLSeconds }
        let start = TokenClock.parseTimestamp(pod.status?.startTime)

        if injection.provider == .awsPodIdentity {
            addBinding(IdentityBinding(provider: .awsPodIdentity, cloudIdentity: nil, audience: projection?.audience ?? "pods.eks.amazonaws.com",
                                       tokenExpirationSeconds: ttl, source: "pod env"), to: &entry)
        }
        if let legacy {
            addBinding(IdentityBinding(provider: .azurePodIdentity, cloudIdentity: legacy.identity?.spec.clientID,
                                       source: "AzureIdentityBinding \(legacy.binding.metadata.key)"), to: &entry)
            entry.findings.append(legacyFinding(pod, legacy))
        }

        let provider = injection.provider ?? entry.bindings.first?.provider ?? legacy.map { _ in .azurePodIdentity }
        let ready = pod.status?.containerStatuses?.filter(\.ready).count ?? 0
        entry.pods.append(PodIdentity(
            namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name, serviceAccount: entry.name,
            provider: provider, injected: injection.injected, injectedEnv: injection.envNames, tokenPath: injection.tokenPath,
            audience: projection?.audience, tokenTTLSeconds: ttl, startTime: start,
            schedule: zip(start, ttl).map { TokenSchedule.kubelet(podStart: $0, ttlSeconds: $1, now: now) },
            phase: pod.status?.phase, readyContainers: ready, totalContainers: pod.spec.containers.count))

        entry.findings += findings(pod, injection: injection, bindings: entry.bindings, hasClientID: hasClientID)
    }

    private func zip(_ a: Date?, _ b: Int?) -> (Date, Int)? {
        guard let a, let b else { return nil }
        return (a, b)
    }

    private func addBinding(_ binding: IdentityBinding, to entry: inout IdentityEntry) {
        if !entry.bindings.contains(binding) { entry.bindings.append(binding) }
    }

    // MARK: Findings

    func findings(_ pod: Pod, injection: PodInjection, bindings: [IdentityBinding], hasClientID: Bool) -> [Finding] {
        var out: [Finding] = []
        let subject = pod.metadata.key
        let ns = pod.metadata.namespace ?? "default"
        let sa = pod.spec.serviceAccountName ?? "default"
        let useLabel = pod.metadata.labels?[IdentityAnnotation.azureUseLabel]
        let labelled = useLabel == "true"
        let azure = bindings.first { $0.provider == .azure }
        let irsa = bindings.first { $0.provider == .awsIRSA }

        if let azure, !labelled, injection.provider != .azure {
            let has = useLabel.map { "has \(IdentityAnnotation.azureUseLabel): \"\($0)\"" } ?? "lacks the label \(IdentityAnnotation.azureUseLabel): \"true\""
            out.append(Finding(.missingUseLabel, .error, subject: subject,
                message: "pod \(subject) uses service account \(sa), federated to Azure client id \(azure.cloudIdentity ?? "?"), "
                    + "but \(has); the webhook only injects the token into labelled pods",
                fix: WorkloadCommands.addUseLabel(pod)))
        }
        if labelled, !hasClientID {
            out.append(Finding(.missingClientID, .error, subject: subject,
                message: "pod \(subject) is labelled \(IdentityAnnotation.azureUseLabel): \"true\" but its service account "
                    + "\(ns)/\(sa) has no \(IdentityAnnotation.azureClientID) annotation, so no Azure identity is bound",
                fix: "kubectl -n \(ns) annotate serviceaccount \(sa) \(IdentityAnnotation.azureClientID)=<CLIENT_ID>, then "
                    + WorkloadCommands.recreate(pod)))
        }

        if let path = injection.tokenPath, !injection.tokenMounted, let provider = injection.provider {
            let env = PodInspector.tokenFileEnv.first { $0.0 == provider }?.1 ?? "token file env"
            out.append(Finding(.tokenVolumeMissing, .error, subject: subject,
                message: "pod \(subject) has \(env)=\(path) but no projected serviceAccountToken volume is mounted at that "
                    + "path, so the SDK will find no token file",
                fix: "mount a projected volume with a serviceAccountToken source whose mountPath + path is \(path), or let "
                    + "the webhook inject it: \(WorkloadCommands.recreate(pod))"))
        }

        // Which webhook should have mutated this pod.
        var expected: (Provider, IdentityBinding)?
        if let azure, labelled { expected = (.azure, azure) }
        else if let irsa, injection.provider != .awsPodIdentity { expected = (.awsIRSA, irsa) }
        if case let (provider, binding)? = expected,
           injection.provider != provider || !injection.missingEnv.isEmpty {
            out.append(notInjected(pod, provider: provider, binding: binding, injection: injection))
        }
        return out
    }

    private func notInjected(_ pod: Pod, provider: Provider, binding: IdentityBinding, injection: PodInjection) -> Finding {
        let subject = pod.metadata.key
        let kind = provider == .azure ? "azure" : "aws"
        let providerName = provider == .azure ? "Azure workload identity" : "EKS pod identity (IRSA)"
        let installed = webhooks.first { $0.kind == kind }
        let config = snapshot.webhooks.first { $0.metadata.name == installed?.name }
        let podCreated = TokenClock.parseTimestamp(pod.metadata.creationTimestamp)
        let webhookCreated = TokenClock.parseTimestamp(config?.metadata.creationTimestamp)
        let what = injection.provider == provider
            ? "lacks \(injection.missingEnv.joined(separator: ", "))"
            : "has no injected \(PodInspector.requiredEnv[provider]?.joined(separator: ", ") ?? "env")"

        var reason: String
        var fix = WorkloadCommands.recreate(pod)
        if snapshot.webhooksKnown, installed == nil {
            reason = "the \(providerName) webhook is not installed"
            fix = provider == .azure
                ? "install the webhook (az aks update -g <RESOURCE_GROUP> -n <CLUSTER> --enable-workload-identity), then \(fix)"
                : "install amazon-eks-pod-identity-webhook, then \(fix)"
        } else if let podCreated, let webhookCreated, podCreated < webhookCreated, let installed {
            reason = "it was created at \(TokenClock.timestamp(podCreated)), before the webhook \(installed.name) was installed "
                + "at \(TokenClock.timestamp(webhookCreated))"
        } else if let installed {
            reason = "the webhook \(installed.name) is installed"
                + (installed.failurePolicy == "Ignore" ? " with failurePolicy Ignore, so it may have been unavailable when the pod was created" : "")
                + "; the pod was probably created before the service account was annotated"
        } else {
            reason = "it was created before the webhook was installed or the service account was annotated, or the webhook is missing"
        }
        return Finding(.notInjected, .error, subject: subject,
                       message: "pod \(subject) uses service account \(pod.spec.serviceAccountName ?? "default") "
                           + "(\(binding.source) = \(binding.cloudIdentity ?? "?")) but \(what): \(reason)",
                       fix: fix)
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
