import Foundation
import WidashSandboxKit

/// The `scale` scenario: any number of namespaces, service accounts and pods with realistic bodies
/// (3.5–4.2 KB of JSON per pod), deterministic (names, uids and bytes depend only on the sizes and
/// the day), for performance and paging work. Each service account runs one deployment whose pods
/// are spread over the nodes; a third of the accounts are federated to Azure (annotated SA, labelled
/// pods with the webhook's env and projected token), a third to AWS (IRSA), the rest to EKS Pod
/// Identity (pods with the container-credentials env; `ScaleIdentities` has their associations).
///
/// Start-up cost is what matters at 50 000 pods: namespaces, service accounts and pods are rendered
/// from pre-encoded templates (`ScaleTemplates`) on all cores and stored as bytes
/// (`PreRenderedObject`); `referencePod` builds the same pod the slow way (PodFactory + JSONEncoder)
/// for tests.
enum ScaleScenario {
    /// One service account and the deployment running as it (its pods share image, labels and ReplicaSet).
    struct Workload: Sendable {
        var namespace: String
        var name: String
        var uid: String
        var injection: PodIdentityInjection
        var shape: ScaleTemplates.PodShape
        /// Azure client id or IRSA role ARN, and tenant id or region (the pod template's identity slots).
        var identity: String
        var identityScope: String
        var accountLabels: [String: String]
        var accountAnnotations: [String: String]?
        /// The maps as JSON objects, rendered once for all the objects that carry them.
        var renderedAccountLabels: [UInt8]
        var renderedAccountAnnotations: [UInt8]
        var replicaSet: String
        var replicaSetUID: String
        /// Spreads the pod name suffixes of this ReplicaSet (see `podName`).
        var suffixOffset: Int
        var image: String
        var imageID: String
        /// Labels the deployment's pod template adds (PodFactory adds `app` and `pod-template-hash`).
        var extraPodLabels: [String: String]
        /// Every label of its pods (shared by all of them, so the store holds one dictionary).
        var podLabels: [String: String]
        var podAnnotations: [String: String]
        var renderedPodLabels: [UInt8]
        var renderedPodAnnotations: [UInt8]
    }

    /// Everything the objects are made from.
    struct Plan: Sendable {
        var birth: Date
        var namespaces: [String]
        var nodes: [(name: String, ip: String)]
        var workloads: [Workload]
        var podCount: Int
    }

    static func load(into store: ClusterStore, namespaces: Int, serviceAccounts: Int, pods: Int, now: Date) async throws {
        let plan = try await makePlan(namespaces: namespaces, serviceAccounts: serviceAccounts, pods: pods, now: now)
        var fixed: [(ResourceType, any KubeObject)] = plan.nodes.enumerated().map { index, node in
            (.nodes, DemoScenario.makeNode(name: node.name, ip: node.ip, index: index, created: plan.birth))
        }
        // The identity webhooks a cluster running these pods has installed.
        fixed += WebhookObjects.all(created: plan.birth).filter { $0.0 == .mutatingWebhookConfigurations }
        try await store.load(fixed)
        let first = await store.currentResourceVersion + 1
        let entries = try await render(plan, firstResourceVersion: first)
        await store.loadRendered(entries)
    }

    // MARK: The plan

    static func makePlan(namespaces: Int, serviceAccounts: Int, pods: Int, now: Date) async throws -> Plan {
        let namespaceCount = max(1, namespaces)
        let accountCount = max(1, serviceAccounts)
        let podCount = max(0, pods)
        // Thirty days before today's midnight (UTC): realistic ages, same bytes all day.
        let day = (now.timeIntervalSince1970 / 86400).rounded(.down) * 86400
        let birth = Date(timeIntervalSince1970: day - 30 * 86400)
        let nodes = (0..<max(3, podCount / 100)).map { index in
            (name: "aks-scale-13572468-vmss" + padded(index, 6),
             ip: "10.\(224 + index / 60_000).\(index / 250 % 240).\(index % 250 + 4)")
        }
        let namespaceNames = (0..<namespaceCount).map(ScaleIdentities.namespaceName)
        let workloads = try await inParallel(count: accountCount) { range in
            range.map { workload(index: $0, namespace: namespaceNames[$0 % namespaceCount]) }
        }
        return Plan(birth: birth, namespaces: namespaceNames, nodes: nodes, workloads: workloads, podCount: podCount)
    }

    /// The workload of service account `index`; its cloud identity (client id, role ARN) is
    /// `ScaleIdentities`', the same the emulated clouds serve.
    static func workload(index: Int, namespace: String) -> Workload {
        let name = ScaleIdentities.serviceAccountName(index)
        let injection: PodIdentityInjection
        var annotations: [(String, String)] = []
        var extraLabels = ["tier": index % 2 == 0 ? "web" : "worker"]
        switch ScaleIdentities.provider(index) {
        case .azure:
            let clientID = ScaleIdentities.azureClientID(index)
            annotations = [("azure.workload.identity/client-id", clientID),
                           ("azure.workload.identity/tenant-id", DemoDirectory.tenantID)]
            injection = .azure(clientID: clientID, tenantID: DemoDirectory.tenantID, layout: .legacy)
            extraLabels["azure.workload.identity/use"] = "true"
        case .irsa:
            let role = ScaleIdentities.roleARN(index)
            annotations = [("eks.amazonaws.com/role-arn", role)]
            injection = .irsa(roleARN: role, region: DemoDirectory.awsRegion)
        case .podIdentity:
            // EKS Pod Identity: nothing on the account (the association is the cloud's); the pods carry
            // the agent's container-credentials env and token.
            injection = .eksPodIdentity(region: DemoDirectory.awsRegion)
        }
        let (identity, scope): (String, String) = {
            switch injection {
            case .azure(let clientID, let tenantID, _): return (clientID ?? "", tenantID)
            case .irsa(let role, let region), .irsaAndPodIdentity(let role, let region): return (role, region)
            case .eksPodIdentity(let region): return ("", region)
            case .none: return ("", "")
            }
        }()
        // As PodFactory names a pod's ReplicaSet (app = the service account's name).
        let templateHash = ScaleHashing.hex("rs/\(namespace)/\(name)", count: 10)
        let replicaSet = "\(name)-\(templateHash)"
        let image = "registry.example.com/\(name):1.\(index % 7).\(index % 10)"
        // Pairs listed in key order, so rendering them needs no sort.
        var podLabelPairs = [("app", name)]
        if let use = extraLabels["azure.workload.identity/use"] { podLabelPairs.append(("azure.workload.identity/use", use)) }
        podLabelPairs += [("pod-template-hash", templateHash), ("tier", extraLabels["tier"] ?? "")]
        let podAnnotations = index % 2 == 0
            ? [("kubectl.kubernetes.io/default-container", name), ("prometheus.io/path", "/metrics"),
               ("prometheus.io/port", "8080"), ("prometheus.io/scrape", "true")]
            : [("cluster-autoscaler.kubernetes.io/safe-to-evict", "true"), ("kubectl.kubernetes.io/default-container", name)]
        let accountLabels = [("app.kubernetes.io/name", name)]
        return Workload(
            namespace: namespace, name: name, uid: ScaleHashing.uid("sa/\(namespace)/\(name)"), injection: injection,
            shape: ScaleTemplates.PodShape(injection), identity: identity, identityScope: scope,
            accountLabels: Dictionary(accountLabels) { $1 },
            accountAnnotations: annotations.isEmpty ? nil : Dictionary(annotations) { $1 },
            renderedAccountLabels: ScaleJSONTemplate.renderMap(accountLabels),
            renderedAccountAnnotations: ScaleJSONTemplate.renderMap(annotations),
            replicaSet: replicaSet, replicaSetUID: ScaleHashing.uid("rs/\(namespace)/\(replicaSet)"),
            suffixOffset: Int(templateHash.prefix(6), radix: 16) ?? index,
            image: image, imageID: PodFactory.imageReference(image) + "@sha256:" + ScaleHashing.hex("img/\(image)"),
            extraPodLabels: extraLabels, podLabels: Dictionary(podLabelPairs) { $1 },
            podAnnotations: Dictionary(podAnnotations) { $1 },
            renderedPodLabels: ScaleJSONTemplate.renderMap(podLabelPairs),
            renderedPodAnnotations: ScaleJSONTemplate.renderMap(podAnnotations))
    }

    /// The pod's name: its ReplicaSet's name and a five-character suffix that is unique within the
    /// ReplicaSet (a bijection of the replica number, so sizes never collide, spread by `offset`).
    private static let suffixAlphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    static func podName(_ workload: Workload, replica: Int) -> String {
        let alphabet = suffixAlphabet
        let space = 14_348_907  // 27^5
        // 7 368 787 is not a multiple of 3, so multiplying by it permutes 0..<27^5.
        var value = (replica % space * 7_368_787 + workload.suffixOffset) % space
        var suffix = [UInt8](repeating: 0, count: 5)
        for position in (0..<5).reversed() {
            suffix[position] = alphabet[value % 27]
            value /= 27
        }
        return workload.replicaSet + "-" + String(decoding: suffix, as: UTF8.self)
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Where pod `index` runs and what it is called: its workload (round robin over the accounts,
    /// so every namespace gets pods) and node, name, uid, creation time and IP.
    struct PodPlacement {
        var workload: Workload
        var node: (name: String, ip: String)
        var name: String
        var uid: String
        /// Seconds since 1970.
        var created: Int
        var podIP: String
    }

    static func placement(_ plan: Plan, index: Int) -> PodPlacement {
        let workload = plan.workloads[index % plan.workloads.count]
        let name = podName(workload, replica: index / plan.workloads.count)
        return PodPlacement(
            workload: workload, node: plan.nodes[index % plan.nodes.count], name: name,
            uid: ScaleHashing.uid("pod/\(workload.namespace)/\(name)/0"),
            created: Int(plan.birth.timeIntervalSince1970) + index % 86_400,
            podIP: "10.\(128 + index / 65_025 % 64).\(index / 255 % 255).\(index % 255 + 1)")
    }

    // MARK: The reference (slow) path

    /// What PodFactory is given for pod `index`.
    static func blueprint(_ plan: Plan, index: Int) -> PodBlueprint {
        let pod = placement(plan, index: index)
        return PodBlueprint(
            namespace: pod.workload.namespace, name: pod.name, serviceAccount: pod.workload.name, app: pod.workload.name,
            image: pod.workload.image, nodeName: pod.node.name, nodeIP: pod.node.ip, podIP: pod.podIP,
            labels: pod.workload.extraPodLabels, injection: pod.workload.injection,
            created: Date(timeIntervalSince1970: TimeInterval(pod.created)))
    }

    /// Pod `index` built by PodFactory (the path every other scenario takes), as the template renders it.
    static func referencePod(_ plan: Plan, index: Int, resourceVersion: Int) -> Pod {
        var pod = PodFactory.make(blueprint(plan, index: index))
        pod.metadata.annotations = plan.workloads[index % plan.workloads.count].podAnnotations
        pod.metadata.resourceVersion = String(resourceVersion)
        return pod
    }

    // MARK: Rendering

    struct Templates: Sendable {
        var pods: [ScaleJSONTemplate]
        var serviceAccount: ScaleJSONTemplate
        var annotatedServiceAccount: ScaleJSONTemplate
        var namespace: ScaleJSONTemplate

        init() throws {
            pods = try ScaleTemplates.PodShape.allCases.map { try ScaleTemplates.podTemplate($0) }
            serviceAccount = try ScaleTemplates.serviceAccountTemplate(annotated: false)
            annotatedServiceAccount = try ScaleTemplates.serviceAccountTemplate(annotated: true)
            namespace = try ScaleTemplates.namespaceTemplate()
        }
    }

    /// Namespaces, service accounts and pods as store entries, resourceVersions numbered from
    /// `firstResourceVersion` in that order; rendered in chunks on all cores, in a stable order.
    static func render(_ plan: Plan, firstResourceVersion: Int) async throws -> [StoredEntry] {
        let templates = try Templates()
        let namespaceCount = plan.namespaces.count
        let accountCount = plan.workloads.count
        let namespaces = try await inParallel(count: namespaceCount) { range in
            range.map { namespaceEntry(plan, index: $0, resourceVersion: firstResourceVersion + $0, templates: templates) }
        }
        let accounts = try await inParallel(count: accountCount) { range in
            range.map { accountEntry(plan.workloads[$0], created: plan.birth,
                                     resourceVersion: firstResourceVersion + namespaceCount + $0, templates: templates) }
        }
        let podBase = firstResourceVersion + namespaceCount + accountCount
        let pods = try await inParallel(count: plan.podCount) { range in
            range.map { podEntry(plan, index: $0, resourceVersion: podBase + $0, templates: templates) }
        }
        return namespaces + accounts + pods
    }

    static func podEntry(_ plan: Plan, index: Int, resourceVersion: Int, templates: Templates) -> StoredEntry {
        let pod = placement(plan, index: index)
        let workload = pod.workload
        let created = ScaleHashing.timestamp(pod.created)
        let rv = String(resourceVersion)
        typealias Slot = ScaleTemplates.PodSlot
        var strings = [String](repeating: "", count: Slot.allCases.count)
        strings[Slot.name.rawValue] = pod.name
        strings[Slot.namespace.rawValue] = workload.namespace
        strings[Slot.uid.rawValue] = pod.uid
        strings[Slot.resourceVersion.rawValue] = rv
        strings[Slot.created.rawValue] = created
        strings[Slot.started.rawValue] = ScaleHashing.timestamp(pod.created + 4)
        strings[Slot.replicaSet.rawValue] = workload.replicaSet
        strings[Slot.replicaSetUID.rawValue] = workload.replicaSetUID
        strings[Slot.apiAccessSuffix.rawValue] = ScaleHashing.suffix("kaa/\(pod.uid)")
        strings[Slot.app.rawValue] = workload.name
        strings[Slot.image.rawValue] = workload.image
        strings[Slot.imageID.rawValue] = workload.imageID
        strings[Slot.containerHex.rawValue] = ScaleHashing.hex("ctr/\(pod.uid)/0")
        strings[Slot.serviceAccount.rawValue] = workload.name
        strings[Slot.nodeName.rawValue] = pod.node.name
        strings[Slot.nodeIP.rawValue] = pod.node.ip
        strings[Slot.podIP.rawValue] = pod.podIP
        strings[Slot.identity.rawValue] = workload.identity
        strings[Slot.identityScope.rawValue] = workload.identityScope
        var maps = [[UInt8]](repeating: [], count: ScaleTemplates.PodMap.allCases.count)
        maps[ScaleTemplates.PodMap.labels.rawValue] = workload.renderedPodLabels
        maps[ScaleTemplates.PodMap.annotations.rawValue] = workload.renderedPodAnnotations

        let template = templates.pods[workload.shape.rawValue]
        let (json, rvRange) = template.render(strings: strings, maps: maps, recording: Slot.resourceVersion.rawValue)
        let fields = [
            "metadata.name": pod.name, "metadata.namespace": workload.namespace, "spec.nodeName": pod.node.name,
            "spec.serviceAccountName": workload.name, "status.phase": "Running", "spec.restartPolicy": "Always",
            "spec.schedulerName": "default-scheduler", "status.podIP": pod.podIP,
        ]
        return entry(.pods, ObjectMeta(name: pod.name, namespace: workload.namespace, uid: pod.uid, resourceVersion: rv,
                                       creationTimestamp: created, labels: workload.podLabels),
                     json: json, resourceVersionRange: rvRange, fields: fields)
    }

    static func accountEntry(_ workload: Workload, created: Date, resourceVersion: Int, templates: Templates) -> StoredEntry {
        typealias Slot = ScaleTemplates.MetaSlot
        let timestamp = ScaleHashing.timestamp(Int(created.timeIntervalSince1970))
        let rv = String(resourceVersion)
        var strings = [String](repeating: "", count: Slot.allCases.count)
        strings[Slot.name.rawValue] = workload.name
        strings[Slot.namespace.rawValue] = workload.namespace
        strings[Slot.uid.rawValue] = workload.uid
        strings[Slot.resourceVersion.rawValue] = rv
        strings[Slot.created.rawValue] = timestamp
        let template = workload.accountAnnotations == nil ? templates.serviceAccount : templates.annotatedServiceAccount
        let (json, rvRange) = template.render(strings: strings,
                                              maps: [workload.renderedAccountLabels, workload.renderedAccountAnnotations],
                                              recording: Slot.resourceVersion.rawValue)
        return entry(.serviceAccounts,
                     ObjectMeta(name: workload.name, namespace: workload.namespace, uid: workload.uid, resourceVersion: rv,
                                creationTimestamp: timestamp, labels: workload.accountLabels,
                                annotations: workload.accountAnnotations),
                     json: json, resourceVersionRange: rvRange,
                     fields: ["metadata.name": workload.name, "metadata.namespace": workload.namespace])
    }

    static func namespaceEntry(_ plan: Plan, index: Int, resourceVersion: Int, templates: Templates) -> StoredEntry {
        typealias Slot = ScaleTemplates.MetaSlot
        let name = plan.namespaces[index]
        let uid = ScaleHashing.uid("ns/\(name)")
        let timestamp = ScaleHashing.timestamp(Int(plan.birth.timeIntervalSince1970))
        let rv = String(resourceVersion)
        var strings = [String](repeating: "", count: Slot.allCases.count)
        strings[Slot.name.rawValue] = name
        strings[Slot.uid.rawValue] = uid
        strings[Slot.resourceVersion.rawValue] = rv
        strings[Slot.created.rawValue] = timestamp
        let labels = [("kubernetes.io/metadata.name", name), ("widash.dev/scenario", "scale")]
        let (json, rvRange) = templates.namespace.render(strings: strings, maps: [ScaleJSONTemplate.renderMap(labels)],
                                                         recording: Slot.resourceVersion.rawValue)
        return entry(.namespaces,
                     ObjectMeta(name: name, uid: uid, resourceVersion: rv, creationTimestamp: timestamp,
                                labels: Dictionary(labels) { $1 }),
                     json: json, resourceVersionRange: rvRange, fields: ["metadata.name": name, "status.phase": "Active"])
    }

    private static func entry(_ resource: ResourceType, _ metadata: ObjectMeta, json: Data,
                              resourceVersionRange: Range<Int>?, fields: [String: String]) -> StoredEntry {
        let object = PreRenderedObject(metadata: metadata, json: json,
                                       resourceVersionRange: resourceVersionRange ?? json.count..<json.count,
                                       selectableFields: fields)
        return StoredEntry(resource: resource, object: object, json: json,
                           resourceVersion: Int(metadata.resourceVersion ?? "") ?? 0,
                           labels: metadata.labels ?? [:], fields: fields)
    }

    /// `body` over `0..<count` in chunks on all cores; the results in index order.
    static func inParallel<T: Sendable>(count: Int, _ body: @escaping @Sendable (Range<Int>) throws -> [T]) async throws -> [T] {
        guard count > 0 else { return [] }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        // A few chunks per worker, so one slow chunk does not leave the other cores idle.
        let chunkSize = max(64, (count + workers * 4 - 1) / (workers * 4))
        let chunks = stride(from: 0, to: count, by: chunkSize).map { $0..<min($0 + chunkSize, count) }
        return try await withThrowingTaskGroup(of: (Int, [T]).self) { group in
            for (index, range) in chunks.enumerated() {
                group.addTask { (index, try body(range)) }
            }
            var results = [[T]](repeating: [], count: chunks.count)
            for try await (index, values) in group { results[index] = values }
            return results.flatMap { $0 }
        }
    }
}
