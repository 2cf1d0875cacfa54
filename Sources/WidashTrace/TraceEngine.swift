import Foundation
import WidashCore
import WidashCloud
import WidashHTTP

/// The token minted in step 1 and its decoded form, handed to the later steps.
struct MintedToken: Sendable {
    var token: String
    var jwt: DecodedJWT?
    /// Set when the token is the pod's own file (`--pod-token`), not a TokenRequest's.
    var podFile: ProjectedTokenFile?
}

/// Runs the five steps of a pod's provider and streams the events.
public struct TraceEngine: Sendable {
    public var cluster: any TraceCluster
    public var services: TraceServices

    public init(cluster: any TraceCluster, services: TraceServices) {
        self.cluster = cluster
        self.services = services
    }

    /// Starts a trace. Events: `.started`, then `.stepStarted`/`.stepFinished` for steps 1…5, then
    /// `.finished` with the report. Cancelling the consumer cancels the trace.
    public func run(pod: Pod, serviceAccount: ServiceAccount, options: TraceOptions = TraceOptions()) -> AsyncStream<TraceEvent> {
        AsyncStream { continuation in
            let task = Task {
                let report = await execute(pod: pod, serviceAccount: serviceAccount, options: options, continuation: continuation)
                continuation.yield(.finished(report))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Runs a trace to the end and returns its report.
    public func report(pod: Pod, serviceAccount: ServiceAccount, options: TraceOptions = TraceOptions()) async -> TraceReport {
        var last: TraceReport?
        for await event in run(pod: pod, serviceAccount: serviceAccount, options: options) {
            if case .finished(let r) = event { last = r }
        }
        return last ?? TraceReport(pod: pod.metadata.key, provider: nil, steps: [], result: .failed)
    }

    func execute(pod: Pod, serviceAccount: ServiceAccount, options: TraceOptions,
                 continuation: AsyncStream<TraceEvent>.Continuation) async -> TraceReport {
        // The same reading of the pod as the inventory's (PodReader), with the cluster's facts.
        let facts = await cluster.clusterFacts(gkeWorkloadPool: options.gcpWorkloadPool)
        var reading = PodReader.read(pod, serviceAccount: serviceAccount, cluster: facts)
        if reading.provider == nil, let principal = reading.gkeDirectPrincipal {
            // GKE direct resource access: undeclared, so tried only here, on request.
            reading.provider = .gcp
            reading.cloudIdentity = principal
            reading.cloudIdentitySource = "GKE direct resource access (no iam.gke.io/gcp-service-account annotation)"
            reading.problem = nil
        }
        let key = reading.key
        continuation.yield(.started(pod: key, provider: reading.provider))
        let problem = reading.problem.map { ", step 1 problem: \($0.summary)" } ?? ""
        services.logger.debug("trace \(key): provider \(reading.provider?.rawValue ?? "none")\(problem)")
        let runner = StepRunner(continuation: continuation, timeout: options.stepTimeout, logger: services.logger, pod: key)
        let context = TraceContext(cluster: cluster, services: services, options: options, reading: reading,
                                   podStartTime: pod.status?.startTime, issuer: facts.issuer,
                                   tokenContainer: Self.tokenContainer(of: pod, path: reading.tokenPath))

        let minted = await runner.run(1, endpoint: "the Kubernetes API server (TokenRequest)") {
            try await context.stepOne()
        }
        if minted.status == .failed {
            runner.skipRest(from: 2, reason: "step 1 failed")
        } else if options.readOnly {
            runner.skipRest(from: 2, reason: "read-only: no TokenRequest or token exchange")
        } else if let token = minted.value {
            switch reading.provider {
            case .azure where reading.identityBinding:
                // The SDK sends the token to the cluster's token proxy (AZURE_KUBERNETES_TOKEN_PROXY),
                // which exchanges it under AKS's own identity binding; a direct exchange would fail
                // for the wrong reason.
                runner.skipRest(from: 2, reason: "AKS identity binding: the exchange goes through the cluster's token proxy "
                                + "(\(reading.environment["AZURE_KUBERNETES_TOKEN_PROXY"] ?? "AZURE_KUBERNETES_TOKEN_PROXY")), which widash does not trace")
            case .azure: await AzureFlow(context: context, runner: runner, minted: token).run()
            case .awsIRSA, .awsPodIdentity: await AWSFlow(context: context, runner: runner, minted: token).run()
            case .gcp: await GCPFlow(context: context, runner: runner, minted: token).run()
            case .azurePodIdentity, nil: runner.skipRest(from: 2, reason: "no federated provider")
            }
        }
        let result: TraceResult = runner.unreachable ? .unreachable : (runner.failed ? .failed : .passed)
        return TraceReport(pod: key, provider: reading.provider, steps: runner.steps, result: result,
                           podTokenFile: minted.value?.podFile)
    }

    /// The container whose env points at the token file the SDK reads (the webhooks set the same
    /// path in every container they mutate; the first such one is read), else the first container.
    public static func tokenContainer(of pod: Pod, path: String?) -> String? {
        let withPath = pod.spec.containers.first { container in
            (container.env ?? []).contains { $0.value != nil && $0.value == path }
        }
        return (withPath ?? pod.spec.containers.first)?.name
    }
}

/// Everything a provider flow needs, immutable and Sendable.
struct TraceContext: Sendable {
    var cluster: any TraceCluster
    var services: TraceServices
    var options: TraceOptions
    var reading: PodReading
    var podStartTime: String?
    /// The cluster's issuer, when discovery could be read (the pod's own token is compared with it).
    var issuer: String?
    /// Where the pod's own token file is read from (`--pod-token`).
    var tokenContainer: String?

    var timeouts: HTTPTimeouts {
        let step = options.stepTimeout
        return HTTPTimeouts(connect: min(step, .seconds(10)), total: step, lowSpeedBytes: 1, lowSpeedTime: step)
    }

    /// Pre-flight reads (discovery, JWKS, credentials) get a third of the step each, so a silent
    /// issuer cannot use up the time the cloud's verdict needs.
    var preflightTimeouts: HTTPTimeouts {
        let part = options.stepTimeout / 3
        return HTTPTimeouts(connect: min(part, .seconds(5)), total: part, lowSpeedBytes: 1, lowSpeedTime: part)
    }

    /// Step 1: the pod's identity configuration, then a TokenRequest bound to the pod.
    func stepOne() async throws -> StepOutcome<MintedToken> {
        let i = reading
        let now = options.now()
        var e = Evidence()
        e["provider"] = i.provider?.rawValue ?? "none"
        e["pod"] = "\(i.namespace)/\(i.podName)"
        e["serviceAccount"] = i.serviceAccount
        if i.provider == .azure { e["label azure.workload.identity/use"] = i.useLabel ?? "(missing)" }
        switch i.provider {
        case .azure:
            e["clientId"] = i.cloudIdentity ?? "(missing)"
            e["tenantId"] = i.tenantID ?? "(missing)"
        case .awsIRSA: e["roleArn"] = i.cloudIdentity ?? "(missing)"
        case .gcp: e["gcpServiceAccount"] = i.cloudIdentity ?? "(missing)"
        default: break
        }
        e["injectedEnv"] = i.envNames.isEmpty ? "(none)" : i.envNames.joined(separator: ",")
        if let source = i.cloudIdentitySource { e["identityFrom"] = source }
        if let volume = i.tokenVolume, let projection = i.projection {
            e["projectedVolume"] = "\(volume): \(projection.path), audience \(projection.audience ?? "(API server default)"), \(projection.expirationSeconds ?? 3600) s"
        } else if i.provider != nil && i.provider != .gcp {
            e["projectedVolume"] = "(none)"
        }
        if i.identityBinding { e["identityBinding"] = "AKS identity binding: the token goes through the cluster's token proxy" }
        // The same findings the inventory shows for this pod (one reading), codes and the notes.
        if !i.findings.isEmpty { e["findings"] = i.findings.map(\.code).joined(separator: ",") }
        let notes = i.findings.filter { $0.severity != .error }
        if !notes.isEmpty { e["warnings"] = notes.map(\.message).joined(separator: " | ") }
        e["audience"] = i.audience
        TokenFacts.addProjected(ttl: i.ttlSeconds, podStart: podStartTime, to: &e, now: now)
        if let problem = i.problem { return .failed(e, problem) }
        if options.readOnly {
            e["tokenRequest"] = "skipped (read-only)"
            if options.podToken { e["podToken"] = "not read (read-only: pods/exec is refused)" }
            return .passed(e)
        }
        if options.podToken {
            if let path = i.tokenPath, i.provider != .gcp {
                return try await podTokenStep(path: path, evidence: e, now: now)
            }
            e["podToken"] = i.provider == .gcp
                ? "GKE pods have no token file (the node's metadata server answers them): a TokenRequest is used"
                : "the pod has no projected token file to read: a TokenRequest is used"
        }
        let lifetime = max(600, options.tokenExpirationSeconds ?? i.ttlSeconds)
        let bound = i.podUID.map { BoundPod(name: i.podName, uid: $0) }
        let token: String
        do {
            token = try await cluster.requestToken(namespace: i.namespace, serviceAccount: i.serviceAccount, audience: i.audience,
                                                   expirationSeconds: lifetime, boundPod: bound)
        } catch let error as CloudError where error.isUnreachable {
            throw error
        } catch {
            return .failed(e, Diagnosis(summary: "the TokenRequest for \(i.namespace)/\(i.serviceAccount) failed: \(error)",
                                        fix: "widash needs `create` on serviceaccounts/token in \(i.namespace) (kubectl auth can-i create serviceaccounts/token -n \(i.namespace))"))
        }
        e["tokenRequest"] = "POST /api/v1/namespaces/\(i.namespace)/serviceaccounts/\(i.serviceAccount)/token (audience \(i.audience), \(lifetime) s"
            + (bound.map { ", bound to pod \($0.name)" } ?? "") + ")"
        e["tokenUsed"] = "a fresh TokenRequest: an equivalent token, not the pod's own file (--pod-token presents the pod's own)"
        let jwt = TokenFacts.addToken(token, to: &e, now: now)
        return .passed(e, MintedToken(token: token, jwt: jwt))
    }

    /// Step 1 with the pod's own token: the file the SDK reads, read through pods/exec, judged
    /// against the kubelet's refresh rule; steps 2–5 then present it. An expired file does not
    /// stop the trace: the cloud's verdict on it is the point.
    private func podTokenStep(path: String, evidence: Evidence, now: Date) async throws -> StepOutcome<MintedToken> {
        let i = reading
        var e = evidence
        let place = "\(path)" + (tokenContainer.map { " in container \($0)" } ?? "")
        let contents: String
        do {
            contents = try await cluster.readPodFile(namespace: i.namespace, pod: i.podName, container: tokenContainer, path: path)
        } catch let error as CloudError where error.isUnreachable {
            throw error
        } catch {
            return .failed(e, Diagnosis(summary: "the pod's own token \(place) could not be read: \(error)",
                                        fix: "reading it runs `cat` in the pod: widash needs `get` and `create` on pods/exec in \(i.namespace) "
                                            + "(kubectl auth can-i create pods/exec -n \(i.namespace)); without --pod-token the trace uses an equivalent TokenRequest"))
        }
        let token = contents.trimmingCharacters(in: .whitespacesAndNewlines)
        let file = ProjectedTokenFile.judge(token: token, path: path, container: tokenContainer, expectedAudience: i.audience,
                                            expectedIssuer: issuer, now: now)
        e["tokenUsed"] = "the pod's own file \(place) (read with pods/exec), not a fresh TokenRequest"
        e["podTokenFile"] = file.summary
        if let issued = file.issuedAt { e["podTokenIssuedAt"] = TokenClock.timestamp(issued) }
        if let due = file.refreshDueAt { e["podTokenRefreshDue"] = TokenClock.timestamp(due) + " (80 % of its lifetime or 24 h)" }
        if let node = file.node { e["podTokenNode"] = node }
        let jwt = TokenFacts.addToken(token, to: &e, now: now, expiryKey: "podTokenExpiresAt")
        guard jwt != nil else {
            return .failed(e, Diagnosis(summary: "\(place) does not hold a JWT", fix: "check what the webhook mounted at \(path) (kubectl get pod \(i.podName) -n \(i.namespace) -o yaml)"))
        }
        return .passed(e, MintedToken(token: token, jwt: jwt, podFile: file))
    }
}
