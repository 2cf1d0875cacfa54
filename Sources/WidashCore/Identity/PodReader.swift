import Foundation
import Synchronization

/// Reads a pod (and the service account it runs as) the way the webhooks mutated it and the SDKs
/// will use it. Rules and their upstream sources are in `WebhookRules.swift`; the order in which a
/// credential wins follows the SDKs' default chains:
/// - Azure: static credentials (EnvironmentCredential) before workload identity (azure-identity
///   `DefaultAzureCredential`);
/// - AWS: static keys (env provider) before web identity (IRSA) before container credentials
///   (EKS Pod Identity) (botocore `create_credential_resolver`); the webhook itself gives Pod
///   Identity precedence over IRSA when an association exists (`handler.go:441-461`), so a pod
///   with only the container-credentials env is Pod Identity even if its service account still
///   names a role;
/// - GKE injects nothing: a service account annotated with a Google service account is federated.
public enum PodReader {
    /// - Parameter environment: also collect the main container's literal env (`PodReading.environment`,
    ///   which the trace reads); the inventory, reading every pod, does without.
    public static func read(_ pod: Pod, serviceAccount: ServiceAccount?, cluster: ClusterFacts, environment: Bool = true) -> PodReading {
        var reader = Reading(pod: pod, serviceAccount: serviceAccount, cluster: cluster, wantsEnvironment: environment)
        return reader.result()
    }
}

/// One read, with its intermediate facts.
private struct Reading {
    let pod: Pod
    let cluster: ClusterFacts
    let namespace: String
    let saName: String
    let saAnnotations: [String: String]
    let podAnnotations: [String: String]
    let labels: [String: String]
    /// Every container (init containers after the others), with its env.
    let containers: [Container]
    var out: PodReading
    /// Containers the webhook should have mutated that lack its env, with what they lack.
    var uninjected: [(container: String, missing: [String])] = []
    /// How many containers the webhook mutates (all but the skipped ones).
    var mutatedCount = 0
    let wantsEnvironment: Bool

    init(pod: Pod, serviceAccount: ServiceAccount?, cluster: ClusterFacts, wantsEnvironment: Bool) {
        self.pod = pod
        self.wantsEnvironment = wantsEnvironment
        self.cluster = cluster
        namespace = pod.metadata.namespace ?? serviceAccount?.metadata.namespace ?? "default"
        saName = pod.spec.serviceAccountName ?? "default"
        saAnnotations = serviceAccount?.metadata.annotations ?? [:]
        podAnnotations = pod.metadata.annotations ?? [:]
        labels = pod.metadata.labels ?? [:]
        containers = pod.spec.containers + (pod.spec.initContainers ?? [])
        out = PodReading(namespace: namespace, podName: pod.metadata.name, podUID: pod.metadata.uid, serviceAccount: saName,
                         provider: nil, cloudIdentity: nil, cloudIdentitySource: nil, tenantID: nil, environment: [:],
                         envNames: IdentityEnv.names(in: containers), tokenPath: nil, tokenVolume: nil, projection: nil,
                         audience: "", ttlSeconds: TokenSchedule.defaultTTLSeconds, injected: false, missingEnv: [],
                         useLabel: labels[AzureWebhook.useLabel], identityBinding: false, gkeDirectPrincipal: nil, problem: nil, findings: [])
    }

    var subject: String { "\(namespace)/\(pod.metadata.name)" }

    mutating func result() -> PodReading {
        // Which federation the pod's SDK will use: the injected env decides; without it, what the
        // service account and the pod ask for (a pod the webhook did not mutate).
        let azureToken = first("AZURE_FEDERATED_TOKEN_FILE")
        let irsaToken = first("AWS_WEB_IDENTITY_TOKEN_FILE")
        let podIdentityURI = first("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        if azureToken != nil || out.useLabel == "true" || saAnnotations[AzureWebhook.clientIDAnnotation] != nil {
            readAzure()
        } else if irsaToken != nil || (podIdentityURI == nil && saAnnotations[AWSWebhook.roleARNAnnotation] != nil) {
            readIRSA(alsoPodIdentity: podIdentityURI != nil)
        } else if podIdentityURI != nil || first("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") != nil {
            readPodIdentity()
        } else if let gsa = nonEmpty(saAnnotations[GKEWorkloadIdentity.serviceAccountAnnotation]) {
            readGKE(gsa)
        } else {
            if cluster.isGKE, let pool = cluster.gkeWorkloadPool {
                out.gkeDirectPrincipal = GKEWorkloadIdentity.principal(projectNumber: nil, pool: pool, namespace: namespace, serviceAccount: saName)
                out.audience = pool
            }
            out.problem = Diagnosis(
                summary: "pod \(subject) uses no workload identity: its service account \(saName) has no "
                    + "\(AzureWebhook.clientIDAnnotation), \(AWSWebhook.roleARNAnnotation) or "
                    + "\(GKEWorkloadIdentity.serviceAccountAnnotation) annotation and the pod has no identity env",
                fix: "annotate the service account for your cloud (e.g. kubectl annotate serviceaccount \(saName) -n \(namespace) "
                    + "\(AzureWebhook.clientIDAnnotation)=<client-id>) and label the pod template")
        }
        staticCredentials()
        return out
    }

    // MARK: Azure

    mutating func readAzure() {
        out.provider = .azure
        out.identityBinding = podAnnotations[AzureWebhook.identityBindingAnnotation]?.lowercased() == "true"
        let skipped = AzureWebhook.skippedContainers(podAnnotations: podAnnotations)
        let mutated = containers.filter { !skipped.contains($0.name) }
        // The container that will authenticate: the first with the token file, else the first mutated one.
        let main = mutated.first { $0.value("AZURE_FEDERATED_TOKEN_FILE") != nil } ?? mutated.first ?? containers.first
        if wantsEnvironment { out.environment = main.map(IdentityEnv.literals) ?? [:] }

        // Client id: the container's own AZURE_CLIENT_ID wins (the webhook never overrides a set
        // variable), then the service account's annotation.
        let annotatedClientID = nonEmpty(saAnnotations[AzureWebhook.clientIDAnnotation])
        if let variable = main?.env?.first(where: { $0.name == "AZURE_CLIENT_ID" }) {
            if let value = nonEmpty(variable.value) {
                out.cloudIdentity = value
                out.cloudIdentitySource = "env AZURE_CLIENT_ID of container \(main?.name ?? "?")"
                if let annotatedClientID, annotatedClientID != value {
                    finding(.clientIDOverridden, .warning,
                            "container \(main?.name ?? "?") of pod \(subject) sets AZURE_CLIENT_ID=\(value), which the SDK uses instead of "
                                + "the service account's \(AzureWebhook.clientIDAnnotation)=\(annotatedClientID) (the webhook never replaces a set variable)",
                            fix: "remove AZURE_CLIENT_ID from the container (the webhook injects the annotation's), or annotate the service account with \(value)")
                }
            } else if let source = variable.valueFrom {
                out.cloudIdentity = annotatedClientID
                out.cloudIdentitySource = annotatedClientID.map { _ in "annotation \(AzureWebhook.clientIDAnnotation) (the container sets AZURE_CLIENT_ID from \(source), not read)" }
            }
        }
        if out.cloudIdentity == nil, let annotatedClientID {
            out.cloudIdentity = annotatedClientID
            out.cloudIdentitySource = "annotation \(AzureWebhook.clientIDAnnotation)"
        }
        out.tenantID = nonEmpty(main?.value("AZURE_TENANT_ID")) ?? nonEmpty(saAnnotations[AzureWebhook.tenantIDAnnotation])

        // Token: the file the env names, the projected volume behind it.
        let expiration = tokenExpirationAzure()
        locateToken(envName: AzureWebhook.tokenFileEnv, in: main)
        out.audience = out.projection?.audience
            ?? (out.identityBinding ? AzureWebhook.identityBindingAudience : AzureWebhook.defaultAudience)
        out.ttlSeconds = out.projection?.expirationSeconds ?? expiration.value ?? AzureWebhook.defaultTokenExpiration

        // Injection, judged per container: the webhook gives every container not named in
        // skip-containers (init containers too) the env it has a value for (`mutateContainers`,
        // `addEnvironmentVariables`): AZURE_CLIENT_ID only when the service account is annotated
        // (a container may set its own), the tenant and authority host always (the webhook's own
        // configuration supplies them), the token proxy env for identity-binding pods. A skipped
        // container is not expected to have any of it.
        let required = (out.cloudIdentity != nil ? ["AZURE_CLIENT_ID"] : [])
            + ["AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"]
            + (out.identityBinding ? ["AZURE_KUBERNETES_TOKEN_PROXY"] : [])
        let requiredOfOthers = required.filter { $0 != "AZURE_CLIENT_ID" || annotatedClientID != nil }
        judgeInjection(mutated: mutated, main: main) { $0.name == main?.name ? required : requiredOfOthers }

        let labelled = out.useLabel == "true"
        if !labelled, first("AZURE_FEDERATED_TOKEN_FILE") == nil {
            let has = out.useLabel.map { "has \(AzureWebhook.useLabel): \"\($0)\"" } ?? "lacks the label \(AzureWebhook.useLabel): \"true\""
            out.problem = Diagnosis(
                summary: "pod \(subject) is not labelled \(AzureWebhook.useLabel)=\"true\" (\(out.useLabel.map { "it is \"\($0)\"" } ?? "the label is missing")), "
                    + "so the webhook did not inject AZURE_* env or the projected token",
                mismatches: [Mismatch(field: "label \(AzureWebhook.useLabel)", expected: "true", actual: out.useLabel ?? "(missing)")],
                fix: WorkloadCommands.addUseLabel(pod))
            finding(.missingUseLabel, .error,
                    "pod \(subject) uses service account \(saName), federated to Azure client id \(out.cloudIdentity ?? "?"), but \(has); "
                        + "the webhook only injects the token into labelled pods",
                    fix: WorkloadCommands.addUseLabel(pod))
            return
        }
        if out.cloudIdentity == nil {
            out.problem = Diagnosis(
                summary: "service account \(namespace)/\(saName) has no \(AzureWebhook.clientIDAnnotation) annotation and the pod sets no "
                    + "AZURE_CLIENT_ID: there is no identity to exchange the token for",
                mismatches: [Mismatch(field: "annotation \(AzureWebhook.clientIDAnnotation)", expected: "<client id of the identity>", actual: "(missing)")],
                fix: "kubectl annotate serviceaccount \(saName) -n \(namespace) \(AzureWebhook.clientIDAnnotation)=<client-id> --overwrite, then restart the pod")
            finding(.missingClientID, .error,
                    "pod \(subject) is labelled \(AzureWebhook.useLabel): \"true\" but its service account \(namespace)/\(saName) has no "
                        + "\(AzureWebhook.clientIDAnnotation) annotation and no container sets AZURE_CLIENT_ID, so no Azure identity is bound",
                    fix: "kubectl -n \(namespace) annotate serviceaccount \(saName) \(AzureWebhook.clientIDAnnotation)=<CLIENT_ID>, then "
                        + WorkloadCommands.recreate(pod))
            return
        }
        if let problem = expiration.problem {
            out.problem = problem
            if expiration.onPod { finding(.azureTokenExpirationOutOfRange, .error, problem.summary, fix: problem.fix ?? "") }
        }
        if !out.injected, out.tokenPath == nil || !out.missingEnv.isEmpty {
            notInjected(kind: "azure", providerName: "Azure workload identity", injectedEnv: AzureWebhook.env,
                        tokenEnv: AzureWebhook.tokenFileEnv, skipAnnotation: AzureWebhook.skipContainersAnnotation, separator: ";")
        } else if out.tenantID == nil {
            out.problem = Diagnosis(summary: "no tenant: the pod has no AZURE_TENANT_ID and the service account no \(AzureWebhook.tenantIDAnnotation) annotation",
                                    fix: "kubectl annotate serviceaccount \(saName) -n \(namespace) \(AzureWebhook.tenantIDAnnotation)=<tenant-id> --overwrite")
        }
    }

    /// The pod annotation first, then the service account's; outside 3600–86400 the webhook
    /// rejects the pod.
    /// (The service account's bad annotation is reported once per account by `BindingExtractor`.)
    func tokenExpirationAzure() -> (value: Int?, problem: Diagnosis?, onPod: Bool) {
        for (annotations, what, command) in [(podAnnotations, "pod \(subject)", "the pod template's annotations"),
                                             (saAnnotations, "service account \(namespace)/\(saName)",
                                              "kubectl -n \(namespace) annotate serviceaccount \(saName) \(AzureWebhook.tokenExpirationAnnotation)=3600 --overwrite")] {
            guard let raw = nonEmpty(annotations[AzureWebhook.tokenExpirationAnnotation]) else { continue }
            if let value = Int(raw), AzureWebhook.tokenExpirationRange.contains(value) { return (value, nil, false) }
            return (nil, Diagnosis(summary: "\(what) has \(AzureWebhook.tokenExpirationAnnotation)=\"\(raw)\"; the Azure webhook accepts 3600–86400 "
                                       + "seconds and rejects the pod (\"token expiration \(raw) not valid\")",
                                   mismatches: [Mismatch(field: AzureWebhook.tokenExpirationAnnotation, expected: "3600–86400", actual: raw)],
                                   fix: command.hasPrefix("kubectl") ? command : "set \(AzureWebhook.tokenExpirationAnnotation) to 3600–86400 in \(command)"),
                    annotations == podAnnotations)
        }
        return (nil, nil, false)
    }

    // MARK: AWS

    mutating func readIRSA(alsoPodIdentity: Bool) {
        out.provider = .awsIRSA
        let mutated = awsMutatedContainers()
        let main = mutated.first { $0.value("AWS_WEB_IDENTITY_TOKEN_FILE") != nil } ?? mutated.first ?? containers.first
        if wantsEnvironment { out.environment = main.map(IdentityEnv.literals) ?? [:] }
        if let arn = nonEmpty(main?.value("AWS_ROLE_ARN")) {
            out.cloudIdentity = arn
            out.cloudIdentitySource = "env AWS_ROLE_ARN of container \(main?.name ?? "?")"
        } else if let arn = nonEmpty(saAnnotations[AWSWebhook.roleARNAnnotation]) {
            out.cloudIdentity = arn
            out.cloudIdentitySource = "annotation \(AWSWebhook.roleARNAnnotation)"
        }
        locateToken(envName: "AWS_WEB_IDENTITY_TOKEN_FILE", in: main)
        out.audience = out.projection?.audience ?? nonEmpty(saAnnotations[AWSWebhook.audienceAnnotation]) ?? AWSWebhook.irsaAudience
        out.ttlSeconds = out.projection?.expirationSeconds
            ?? AWSWebhook.tokenExpiration(podAnnotations: podAnnotations, serviceAccountAnnotations: saAnnotations)
        judgeInjection(mutated: mutated, main: main) { _ in AWSWebhook.irsaEnv }
        if alsoPodIdentity {
            finding(.unusedCredentialEnv, .warning,
                    "pod \(subject) has both IRSA (AWS_WEB_IDENTITY_TOKEN_FILE) and EKS Pod Identity (AWS_CONTAINER_CREDENTIALS_FULL_URI) env: "
                        + "the AWS SDKs try web identity first, so the pod uses role \(out.cloudIdentity ?? "?") and the Pod Identity env is dead weight",
                    fix: "remove the env of the credential you do not want (\(AWSWebhook.roleARNAnnotation) on the service account, or the Pod Identity association), then "
                        + WorkloadCommands.recreate(pod))
        }
        guard out.cloudIdentity != nil else {
            out.problem = Diagnosis(summary: "no role: the service account has no \(AWSWebhook.roleARNAnnotation) annotation and the pod no AWS_ROLE_ARN",
                                    fix: "kubectl annotate serviceaccount \(saName) -n \(namespace) \(AWSWebhook.roleARNAnnotation)=<role-arn> --overwrite")
            return
        }
        if !out.injected, out.tokenPath == nil || !out.missingEnv.isEmpty {
            notInjected(kind: "aws", providerName: "EKS pod identity (IRSA)", injectedEnv: AWSWebhook.irsaEnv,
                        tokenEnv: "AWS_WEB_IDENTITY_TOKEN_FILE", skipAnnotation: AWSWebhook.skipContainersAnnotation, separator: ",")
        }
    }

    mutating func readPodIdentity() {
        out.provider = .awsPodIdentity
        let mutated = awsMutatedContainers()
        let main = mutated.first { $0.value("AWS_CONTAINER_CREDENTIALS_FULL_URI") != nil } ?? mutated.first ?? containers.first
        if wantsEnvironment { out.environment = main.map(IdentityEnv.literals) ?? [:] }
        locateToken(envName: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", in: main)
        out.audience = out.projection?.audience ?? AWSWebhook.podIdentityAudience
        out.ttlSeconds = out.projection?.expirationSeconds ?? AWSWebhook.defaultTokenExpiration
        judgeInjection(mutated: mutated, main: main) { _ in AWSWebhook.podIdentityEnv }
        // The pod was mutated (some container has the env): a container it should have reached
        // that lacks it is named.
        if !out.injected, !uninjected.isEmpty, mutatedCount > uninjected.count {
            notInjected(kind: "aws", providerName: "EKS Pod Identity", injectedEnv: AWSWebhook.podIdentityEnv,
                        tokenEnv: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", skipAnnotation: AWSWebhook.skipContainersAnnotation, separator: ",")
        }
        // The association (and its role) lives in the EKS API, read by the trust audit and step 3.
        if let arn = nonEmpty(saAnnotations[AWSWebhook.roleARNAnnotation]) {
            finding(.podIdentityPrecedence, .info,
                    "pod \(subject) got EKS Pod Identity although service account \(namespace)/\(saName) names role \(arn): the webhook gives an "
                        + "association precedence over IRSA, so this pod does not use the annotation",
                    fix: "nothing to do; remove \(AWSWebhook.roleARNAnnotation) from the service account when IRSA is no longer meant "
                        + "(kubectl -n \(namespace) annotate serviceaccount \(saName) \(AWSWebhook.roleARNAnnotation)-)")
        }
    }

    /// Containers the AWS webhook mutates: all but those named in `eks.amazonaws.com/skip-containers`
    /// (one CSV record, not trimmed), init containers included (`handler.go` `getPodSpecPatch`).
    func awsMutatedContainers() -> [Container] {
        let skipped = AWSWebhook.skippedContainers(podAnnotations: podAnnotations)
        return containers.filter { !skipped.contains($0.name) }
    }

    // MARK: GKE

    mutating func readGKE(_ gsa: String) {
        out.provider = .gcp
        out.cloudIdentity = gsa
        out.cloudIdentitySource = "annotation \(GKEWorkloadIdentity.serviceAccountAnnotation)"
        // GKE injects nothing: the node's metadata server answers the pod with a token for the
        // Kubernetes service account, minted for the cluster project's pool.
        out.injected = true
        out.ttlSeconds = TokenSchedule.defaultTTLSeconds
        if wantsEnvironment { out.environment = containers.first.map(IdentityEnv.literals) ?? [:] }
        guard let pool = cluster.gkeWorkloadPool else {
            out.problem = Diagnosis(
                summary: "the GKE workload pool is not known: the cluster's issuer \(cluster.issuer ?? "(unknown)") is not a GKE issuer "
                    + "(https://container.googleapis.com/v1/projects/PROJECT/…), so the pool PROJECT.svc.id.goog cannot be derived",
                fix: "give widash the cluster project's pool: WIDASH_GKE_WORKLOAD_POOL=PROJECT.svc.id.goog")
            return
        }
        out.audience = pool
    }

    // MARK: Shared

    /// The first literal value of `name` in any container.
    func first(_ name: String) -> String? {
        for c in containers { if let v = c.value(name) { return v } }
        return nil
    }

    mutating func locateToken(envName: String, in container: Container?) {
        guard let container, let path = nonEmpty(container.value(envName)) else { return }
        out.tokenPath = path
        if let (volume, projection) = TokenProjection.providing(path, in: container, volumes: pod.spec.volumes ?? []) {
            out.tokenVolume = volume
            out.projection = projection
        } else {
            let message = "pod \(subject) has \(envName)=\(path) but no projected serviceAccountToken volume is mounted at that path, "
                + "so the SDK will find no token file"
            let fix = "mount a projected volume with a serviceAccountToken source whose mountPath + path is \(path), or let the webhook "
                + "inject it: " + WorkloadCommands.recreate(pod)
            finding(.tokenVolumeMissing, .error, message, fix: fix)
            out.problem = out.problem ?? Diagnosis(summary: message, mismatches: [Mismatch(field: "projected token at \(path)", expected: "mounted",
                                                                                           actual: "(no volume)")], fix: fix)
        }
    }

    /// Static credentials in a federated pod: the SDKs try them first.
    mutating func staticCredentials() {
        guard let provider = out.provider else { return }
        switch provider {
        case .azure:
            for c in containers {
                for variable in SDKCredentialChains.azureStaticCredentialEnv {
                    guard let e = c.env?.first(where: { $0.name == variable }) else { continue }
                    finding(.staticCredentialsShadowFederation, .warning,
                            "container \(c.name) of pod \(subject) sets \(variable) (from \(e.origin)): azure-identity's DefaultAzureCredential tries "
                                + "EnvironmentCredential first, so this container signs in with that secret, not with workload identity",
                            fix: "remove \(variable) from the container (and its secret) to use workload identity")
                }
            }
        case .awsIRSA, .awsPodIdentity:
            for c in containers {
                guard let e = c.env?.first(where: { $0.name == "AWS_ACCESS_KEY_ID" }) else { continue }
                finding(.staticCredentialsShadowFederation, .warning,
                        "container \(c.name) of pod \(subject) sets AWS_ACCESS_KEY_ID (from \(e.origin)): the AWS SDKs' env provider comes before "
                            + "\(provider == .awsIRSA ? "web identity" : "container credentials"), so this container uses those keys, not the role",
                        fix: "remove AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the container (and its secret) to use the federated role")
            }
        case .gcp, .azurePodIdentity:
            break
        }
    }

    /// Judges injection on every container the webhook mutates (`required(container)` is the env
    /// it must carry): sets `injected`, `missingEnv` (the authenticating container's, else the first
    /// lacking container's) and `uninjected` (the containers that lack it, in pod order).
    mutating func judgeInjection(mutated: [Container], main: Container?, required: (Container) -> [String]) {
        var lacking: [(container: String, missing: [String])] = []
        for c in mutated {
            let missing = required(c).filter { !c.has($0) }
            if !missing.isEmpty { lacking.append((c.name, missing)) }
        }
        let mainMissing = main.map { m in required(m).filter { !m.has($0) } } ?? required(Container(name: "?"))
        out.missingEnv = mainMissing.isEmpty ? lacking.first?.missing ?? [] : mainMissing
        uninjected = lacking
        mutatedCount = mutated.count
        out.injected = lacking.isEmpty && mainMissing.isEmpty && out.projection != nil && !mutated.isEmpty
    }

    /// Why the webhook did not mutate the pod (or some of its containers), as far as the cluster tells.
    mutating func notInjected(kind: String, providerName: String, injectedEnv: [String], tokenEnv: String,
                              skipAnnotation: String, separator: String) {
        let installed = cluster.webhooks.first { $0.kind == kind }
        let podCreated = TokenClock.parseTimestamp(pod.metadata.creationTimestamp)
        let webhookCreated = installed.flatMap { cluster.webhookCreated[$0.name] }
        // Some containers got the env and others did not: the webhook did see the pod.
        if !uninjected.isEmpty, mutatedCount > uninjected.count {
            partlyInjected(providerName: providerName, skipAnnotation: skipAnnotation, separator: separator)
            return
        }
        let what = out.tokenPath != nil
            ? "lacks \(out.missingEnv.joined(separator: ", "))"
            : "has no injected \(injectedEnv.joined(separator: ", "))"
        var reason: String
        var fix = WorkloadCommands.recreate(pod)
        if AzureWebhook.excludedByAKS(namespace: namespace, cluster: cluster) {
            // AKS's admissions enforcer, on AKS only: elsewhere kube-system is a namespace like any other.
            reason = "AKS's admissions enforcer keeps admission webhooks away from kube-system and "
                + "AKS-managed namespaces, so the webhook never saw this pod"
            fix = "run the workload in another namespace (restarting it here changes nothing), or label the webhook configuration "
                + "admissions.enforcer/disabled: \"true\" if you really mean to mutate system namespaces"
        } else if cluster.webhooksKnown, installed == nil {
            reason = "the \(providerName) webhook is not installed"
            fix = kind == "azure"
                ? "install the webhook (az aks update -g <RESOURCE_GROUP> -n <CLUSTER> --enable-workload-identity), then \(fix)"
                : "install amazon-eks-pod-identity-webhook, then \(fix)"
        } else if let podCreated, let webhookCreated, podCreated < webhookCreated, let installed {
            reason = "it was created at \(TokenClock.timestamp(podCreated)), before the webhook \(installed.name) was installed at \(TokenClock.timestamp(webhookCreated))"
        } else if let installed {
            reason = "the webhook \(installed.name) is installed"
                + (installed.failurePolicy == "Ignore" ? " with failurePolicy Ignore, so it may have been unavailable when the pod was created" : "")
                + "; the pod was probably created before the service account was annotated"
        } else {
            reason = "it was created before the webhook was installed or the service account was annotated, or the webhook is missing"
        }
        let message = "pod \(subject) uses service account \(saName) (\(out.cloudIdentitySource ?? "binding") = \(out.cloudIdentity ?? "?")) but \(what): \(reason)"
        finding(.notInjected, .error, message, fix: fix)
        out.problem = out.problem ?? Diagnosis(
            summary: message,
            mismatches: [Mismatch(field: "env \(tokenEnv)", expected: "set by the webhook", actual: out.tokenPath ?? "(missing)")],
            fix: fix)
    }

    /// The webhook mutated the pod (some of its containers carry the env) but not every container it
    /// mutates: those are named. Restarting does not help when a later admission webhook adds them.
    mutating func partlyInjected(providerName: String, skipAnnotation: String, separator: String) {
        let names = uninjected.map(\.container)
        let listed = uninjected.map { "container \($0.container) lacks \($0.missing.joined(separator: ", "))" }.joined(separator: "; ")
        let message = "pod \(subject) uses service account \(saName) (\(out.cloudIdentitySource ?? "binding") = \(out.cloudIdentity ?? "?")) but \(listed): "
            + "the \(providerName) webhook mutates every container not named in the pod's \(skipAnnotation) annotation and it did mutate "
            + "the others, so \(names.count == 1 ? "this container was" : "these containers were") added to the pod after it ran "
            + "(by another admission webhook, e.g. a sidecar injector) or \(names.count == 1 ? "sets" : "set") part of the env by hand"
        let skipValue = ((podAnnotations[skipAnnotation].map { [$0] } ?? []) + names).joined(separator: separator)
        let fix = "if \(names.joined(separator: ", ")) \(names.count == 1 ? "needs" : "need") no cloud credential, set the pod template's annotation "
            + "\(skipAnnotation): \"\(skipValue)\"; otherwise make sure the webhook sees \(names.count == 1 ? "it" : "them") at admission, then "
            + WorkloadCommands.recreate(pod)
        finding(.notInjected, .error, message, fix: fix)
        out.problem = out.problem ?? Diagnosis(
            summary: message,
            mismatches: uninjected.map { Mismatch(field: "env of container \($0.container)", expected: "set by the webhook",
                                                  actual: "lacks \($0.missing.joined(separator: ", "))") },
            fix: fix)
    }

    mutating func finding(_ code: FindingCode, _ severity: Severity, _ message: String, fix: String) {
        out.findings.append(Finding(code, severity, subject: subject, message: message, fix: fix))
    }
}

/// Identity env names and values.
public enum IdentityEnv {
    /// Names widash lists (values are not secrets, but only names are listed): what the webhooks
    /// inject, the static credentials that shadow them, Google's credentials file.
    public static let names = AzureWebhook.env + AzureWebhook.tokenProxyEnv + ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_ACCESS_KEY_ID",
        "GOOGLE_APPLICATION_CREDENTIALS"]

    private static let bit = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, 1 << $0) })
    private static let lists = Mutex<[Int: [String]]>([:])

    /// The identity env names present in any of `containers`, in `names`' order: one shared array
    /// per combination, so 50 000 pods with the same injection hold one list, not 50 000.
    static func names(in containers: [Container]) -> [String] {
        var mask = 0
        for c in containers {
            for e in c.env ?? [] { mask |= bit[e.name] ?? 0 }
        }
        return lists.withLock { cache in
            if let list = cache[mask] { return list }
            let list = names.filter { bit[$0].map { mask & $0 != 0 } ?? false }
            cache[mask] = list
            return list
        }
    }

    /// A container's literal env values (region, authority host, the app's resource URLs…),
    /// without the ones whose names say they are secrets.
    static func literals(_ container: Container) -> [String: String] {
        var out: [String: String] = [:]
        for e in container.env ?? [] where out[e.name] == nil && !isSecretName(e.name) {
            if let v = e.value { out[e.name] = v }
        }
        return out
    }

    private static let secretMarkers = ["SECRET", "PASSWORD", "SESSION_TOKEN", "ACCESS_KEY", "CREDENTIAL_DATA", "CA_DATA"]
    private static let secretMarkerBytes = secretMarkers.map { Array($0.utf8) }

    /// Called for every env var of every pod while an inventory builds: Foundation's `contains`
    /// (NSString search) cost a fifth of a 50 000-pod load, so ASCII names (all that the API
    /// accepts: printable ASCII but `=`) are searched as bytes, case folded.
    static func isSecretName(_ name: String) -> Bool {
        var name = name
        let ascii: Bool? = name.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return secretMarkerBytes.contains { marker in containsUppercased(bytes, marker) }
        }
        if let ascii { return ascii }
        let upper = name.uppercased()
        return secretMarkers.contains { upper.contains($0) }
    }

    /// Whether `marker` (upper-case ASCII) occurs in `bytes` (ASCII) with letters compared upper-cased.
    private static func containsUppercased(_ bytes: UnsafeBufferPointer<UInt8>, _ marker: [UInt8]) -> Bool {
        guard bytes.count >= marker.count else { return false }
        for start in 0...(bytes.count - marker.count) {
            var matched = true
            for (offset, expected) in marker.enumerated() {
                var byte = bytes[start + offset]
                if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { byte -= 32 }
                if byte != expected { matched = false; break }
            }
            if matched { return true }
        }
        return false
    }
}

/// The projected service-account token behind a token file path.
enum TokenProjection {
    /// The mount with the longest mountPath that contains `path` in `container`, whose volume
    /// projects a service-account token at the rest of the path: the volume's name and the projection.
    static func providing(_ path: String, in container: Container, volumes: [Volume]) -> (String, ServiceAccountTokenProjection)? {
        let mounts = (container.volumeMounts ?? []).sorted { $0.mountPath.utf8.count > $1.mountPath.utf8.count }
        for mount in mounts {
            let base = mount.mountPath.hasSuffix("/") ? String(mount.mountPath.dropLast()) : mount.mountPath
            guard path.hasPrefix(base + "/") else { continue }
            let rest = normalize(String(path.dropFirst(base.count + 1)))
            guard let volume = volumes.first(where: { $0.name == mount.name }) else { return nil }
            for source in volume.projected?.sources ?? [] {
                if let token = source.serviceAccountToken, normalize(token.path) == rest { return (volume.name, token) }
            }
            // The deepest mount holding the path is the one the container sees; do not look further.
            return nil
        }
        return nil
    }

    private static func normalize(_ p: String) -> String {
        // Read for every pod: paths without empty components (nearly all) are returned as they are.
        let bytes = p.utf8
        let slash = UInt8(ascii: "/")
        if bytes.first != slash, bytes.last != slash, !zip(bytes, bytes.dropFirst()).contains(where: { $0 == slash && $1 == slash }) {
            return p
        }
        return p.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}

extension Container {
    /// The literal value of env var `name`; nil when unset or set from a source.
    func value(_ name: String) -> String? { env?.first { $0.name == name }?.value }
    /// True when env var `name` is set, to a literal or from a source.
    func has(_ name: String) -> Bool { env?.contains { $0.name == name } ?? false }
}

func nonEmpty(_ s: String?) -> String? {
    guard let s, let first = s.utf8.first, let last = s.utf8.last else { return nil }
    // Most values have nothing to trim; Foundation's trimming (NSString) is slow on the inventory's hot path.
    func plain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x80 }
    if plain(first) && plain(last) { return s }
    let t = s.trimmingCharacters(in: .whitespaces)
    return t.isEmpty ? nil : t
}
