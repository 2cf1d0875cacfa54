import Foundation

/// shop/checkout's stuck rollout: revision 2 of the Deployment cannot create its pod, because the
/// mutating webhook its pods must pass is unavailable and fails closed.
///
/// Why scoped this way: the team rolled revision 2 out to the canary release of
/// azure-workload-identity (a second MutatingWebhookConfiguration, selecting pods labelled
/// `azure.workload.identity/webhook-channel: canary`), whose webhook service has no ready endpoints.
/// A cluster-wide outage of the main webhook would also have to refuse the demo's other pod
/// creations (DemoMovement's frontend-2) and change every reading built on them; pods that exist were
/// admitted before, so only this rollout is stuck. Revision 1's pod keeps running.
///
/// What happens, upstream by upstream:
/// - The Deployment controller scales the new ReplicaSet up and records `ScalingReplicaSet`
///   ("Scaled up replica set %s from %d to %d", pkg/controller/deployment/sync.go scaleReplicaSet).
/// - The ReplicaSet controller's `manageReplicas` creates the missing pod (slowStartBatch, first batch
///   of 1) through `RealPodControl.CreatePods` (pkg/controller/replicaset/replica_set.go). The
///   create goes through admission; the mutating dispatcher calls the webhook, the call fails, and with
///   `failurePolicy: Fail` the dispatcher rejects the request with an InternalError wrapping
///   `ErrCallingWebhook` (staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/mutating/dispatcher.go;
///   `failed calling webhook %q: %v` in .../webhook/errors/errors.go; `failed to call webhook: %w` from
///   the dispatcher; "Internal error occurred: %v" is apimachinery's NewInternalError).
/// - `createPods` records a Warning event with reason `FailedCreate` (controller_utils.go
///   `FailedCreatePodReason`) and message "Error creating: <err>" on the ReplicaSet, and the
///   ReplicaSet status gets the `ReplicaFailure` condition (replica_set_utils.go calculateStatus).
/// - The sync failed, so the key is requeued rate-limited: workqueue.DefaultControllerRateLimiter's
///   per-item exponential backoff, 5 ms doubling to at most 1000 s (client-go util/workqueue/default_rate_limiters.go).
/// - Each attempt's event passes client-go's EventCorrelator (tools/record/events_cache.go): the
///   spam filter (token bucket per source and object, burst 25, refilled one per 300 s) drops
///   events once the bucket is empty; the aggregator combines only events that differ in message
///   (10 distinct messages within 600 s), so identical messages are never "(combined from similar
///   events)"; the logger turns a repeat into a PATCH of the existing event: `count` + 1, new
///   `lastTimestamp`, same name and `firstTimestamp` — a MODIFIED event to watchers.
actor StuckRollout {
    static let namespace = "shop"
    static let deploymentName = "checkout"
    static let revision = 2
    static let image = "ghcr.io/widash-demo/shop-checkout:1.1.0"
    static let channelLabel = "azure.workload.identity/webhook-channel"
    /// When revision 2 was rolled out, before the sandbox started.
    static let startedBefore: TimeInterval = 41 * 60
    static let webhookName = "mutation.azure-workload-identity.io"
    static let webhookService = "azure-wi-webhook-canary-webhook-service"
    static let webhookNamespace = "azure-workload-identity-system"
    static let webhookConfiguration = "azure-wi-webhook-v17-canary-mutating-webhook-configuration"

    static var replicaSetName: String { DemoWorkloads.replicaSetName(app: deploymentName, namespace: namespace, revision: revision) }

    /// The error the API server returns to the pod create (see the type's comment for each part).
    static var admissionError: String {
        "Internal error occurred: failed calling webhook \"\(webhookName)\": failed to call webhook: Post "
            + "\"https://\(webhookService).\(webhookNamespace).svc:443/mutate-v1-pod?timeout=10s\": "
            + "no endpoints available for service \"\(webhookService)\""
    }

    /// workqueue ItemExponentialFailureRateLimiter(5 ms, 1000 s): the delay after `failures` failures.
    static func retryDelay(afterFailures failures: Int) -> TimeInterval {
        failures >= 18 ? 1000 : min(0.005 * Double(1 << failures), 1000)
    }

    /// events_cache.go: defaultSpamBurst 25, defaultSpamQPS 1/300.
    struct SpamBucket: Sendable {
        var tokens: Double = 25
        var refilledAt: Date
        mutating func take(at time: Date) -> Bool {
            tokens = min(25, tokens + time.timeIntervalSince(refilledAt) / 300)
            refilledAt = time
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }

    /// The objects as they stand at `now`: both ReplicaSets, the Deployment at revision 2, its
    /// ScalingReplicaSet event and the FailedCreate event after every attempt up to `now`.
    static func build(blueprint: PodBlueprint, now: Date) -> (objects: [(ResourceType, any KubeObject)], state: State, replicaSet: ReplicaSet?) {
        let started = now.addingTimeInterval(-startedBefore)
        let startTime = Deterministic.timestamp(started)
        var objects = DemoWorkloads.objects(for: blueprint, created: blueprint.created)
        let oldName = DemoWorkloads.replicaSetName(app: deploymentName, namespace: namespace)
        let newName = replicaSetName
        let newHash = String(newName.suffix(10))
        let newTemplate = DemoWorkloads.template(blueprint, hash: newHash, extraLabels: [channelLabel: "canary"], image: image)
        guard var deployment = objects.first(where: { $0.0 == .deployments })?.1 as? Deployment else { return (objects, State(now: now), nil) }
        deployment.metadata.generation = 2
        deployment.metadata.annotations = ["deployment.kubernetes.io/revision": String(revision)]
        deployment.spec.template = newTemplate
        // maxSurge 25 % of 1 rounds up to 1, maxUnavailable rounds down to 0: the old pod stays
        // until the new one is available (deployment/util/deployment_util.go ResolveFenceposts).
        deployment.status = .init(observedGeneration: 2, replicas: 1, updatedReplicas: nil, readyReplicas: 1, availableReplicas: 1,
                                  unavailableReplicas: nil, conditions: [
                                    DemoWorkloads.available(Deterministic.timestamp(blueprint.created)),
                                    WorkloadCondition(type: "Progressing", status: "True", lastUpdateTime: startTime,
                                                      lastTransitionTime: startTime, reason: "ReplicaSetUpdated",
                                                      message: "ReplicaSet \"\(newName)\" is progressing."),
                                    WorkloadCondition(type: "ReplicaFailure", status: "True", lastUpdateTime: startTime,
                                                      lastTransitionTime: startTime, reason: "FailedCreate", message: admissionError),
                                  ])
        objects = objects.map { entry in
            if entry.0 == .deployments { return (.deployments, deployment) }
            if entry.0 == .replicaSets, var old = entry.1 as? ReplicaSet, old.metadata.name == oldName {
                old.metadata.ownerReferences = DemoWorkloads.replicaSetMeta(oldName, deployment: deployment, revision: 1,
                                                                            created: old.metadata.creationTimestamp).ownerReferences
                return (.replicaSets, old)
            }
            return entry
        }
        let newRS = ReplicaSet(
            metadata: DemoWorkloads.replicaSetMeta(newName, deployment: deployment, revision: revision, created: startTime),
            spec: .init(replicas: 1, selector: .init(matchLabels: ["app": deploymentName, "pod-template-hash": newHash]),
                        template: newTemplate),
            status: .init(replicas: 0, fullyLabeledReplicas: nil, readyReplicas: nil, availableReplicas: nil, observedGeneration: 1,
                          conditions: [WorkloadCondition(type: "ReplicaFailure", status: "True", lastUpdateTime: nil,
                                                         lastTransitionTime: startTime, reason: "FailedCreate", message: admissionError)]))
        objects.append((.replicaSets, newRS))
        objects.append((.events, scalingEvent(deployment: deployment, replicaSet: newName, at: started)))

        // Replay the attempts from the rollout to now.
        var state = State(now: started)
        var attempt = started
        state.record(at: attempt, replicaSet: newRS)
        while true {
            attempt = attempt.addingTimeInterval(retryDelay(afterFailures: state.failures - 1))
            if attempt > now { break }
            state.record(at: attempt, replicaSet: newRS)
        }
        if let event = state.event { objects.append((.events, event)) }
        return (objects, state, newRS)
    }

    /// What the controller and the correlator remember between attempts.
    struct State: Sendable {
        var failures = 0
        var bucket: SpamBucket
        var lastAttempt: Date
        var event: CoreEvent?

        init(now: Date) {
            bucket = SpamBucket(refilledAt: now)
            lastAttempt = now
        }

        /// One failed create: the requeue counts a failure; the event is recorded unless the spam
        /// filter drops it.
        mutating func record(at time: Date, replicaSet: ReplicaSet) {
            failures += 1
            lastAttempt = time
            guard bucket.take(at: time) else { return }
            let stamp = Deterministic.timestamp(time)
            if var existing = event {
                existing.count += 1
                existing.lastTimestamp = stamp
                event = existing
                return
            }
            let namespace = replicaSet.metadata.namespace ?? ""
            // tools/record/event.go makeEvent: name `<object>.<unix nanos in hex>`.
            let nanos = UInt64(max(0, time.timeIntervalSince1970) * 1_000_000_000)
            let name = "\(replicaSet.metadata.name).\(String(nanos, radix: 16))"
            event = CoreEvent(
                metadata: ObjectMeta(name: name, namespace: namespace, uid: Deterministic.uid("event/\(namespace)/\(name)"),
                                     creationTimestamp: stamp),
                involvedObject: InvolvedObject(kind: "ReplicaSet", namespace: namespace, name: replicaSet.metadata.name,
                                               uid: replicaSet.metadata.uid, apiVersion: "apps/v1", resourceVersion: nil),
                reason: "FailedCreate", message: "Error creating: \(StuckRollout.admissionError)",
                source: .init(component: "replicaset-controller"), firstTimestamp: stamp, lastTimestamp: stamp, count: 1,
                type: "Warning", reportingComponent: "replicaset-controller", reportingInstance: "")
        }
    }

    static func scalingEvent(deployment: Deployment, replicaSet: String, at time: Date) -> CoreEvent {
        let namespace = deployment.metadata.namespace ?? ""
        let stamp = Deterministic.timestamp(time)
        let nanos = UInt64(max(0, time.timeIntervalSince1970) * 1_000_000_000)
        let name = "\(deployment.metadata.name).\(String(nanos, radix: 16))"
        return CoreEvent(
            metadata: ObjectMeta(name: name, namespace: namespace, uid: Deterministic.uid("event/\(namespace)/\(name)"),
                                 creationTimestamp: stamp),
            involvedObject: InvolvedObject(kind: "Deployment", namespace: namespace, name: deployment.metadata.name,
                                           uid: deployment.metadata.uid, apiVersion: "apps/v1", resourceVersion: nil),
            reason: "ScalingReplicaSet", message: "Scaled up replica set \(replicaSet) from 0 to 1",
            source: .init(component: "deployment-controller"), firstTimestamp: stamp, lastTimestamp: stamp, count: 1,
            type: "Normal", reportingComponent: "deployment-controller", reportingInstance: "")
    }

    private let store: ClusterStore
    private var state: State
    private let replicaSet: ReplicaSet

    init(store: ClusterStore, state: State, replicaSet: ReplicaSet) {
        self.store = store
        self.state = state
        self.replicaSet = replicaSet
    }

    /// When the workqueue hands the ReplicaSet to a worker again.
    var nextAttempt: Date { state.lastAttempt.addingTimeInterval(Self.retryDelay(afterFailures: state.failures - 1)) }

    /// One more sync of the ReplicaSet at `time` (the requeue came due, or a test asks): the create
    /// fails again and the event is patched (MODIFIED) unless the spam filter drops it. Returns the
    /// event's count.
    @discardableResult
    func attempt(at time: Date = Date()) async throws -> Int {
        let before = state.event?.count
        state.record(at: time, replicaSet: replicaSet)
        guard let event = state.event, event.count != before else { return state.event?.count ?? 0 }
        try await store.upsert(.events, event)
        return event.count
    }

    /// Runs the controller's retries on their real schedule until cancelled.
    func run() async {
        while !Task.isCancelled {
            let delay = max(0.001, nextAttempt.timeIntervalSinceNow)
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            if Task.isCancelled { break }
            _ = try? await attempt()
        }
    }
}
