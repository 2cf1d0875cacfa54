import Foundation

/// The scale scenario's templates: pods, service accounts and namespaces encoded once each (per
/// shape) from prototypes whose varying fields are markers. A pod prototype is made by
/// `PodFactory.make`, so a template pod has exactly the structure the factory gives a pod (the
/// tests compare the two), and only the per-pod values are substituted.
enum ScaleTemplates {
    /// Per-pod string values of a pod template.
    enum PodSlot: Int, CaseIterable {
        case name, namespace, uid, resourceVersion, created, started, replicaSet, replicaSetUID, apiAccessSuffix
        case app, image, imageID, containerHex, serviceAccount, nodeName, nodeIP, podIP
        /// Azure: client id; IRSA: role ARN.
        case identity
        /// Azure: tenant id; IRSA and EKS Pod Identity: region.
        case identityScope
    }

    enum PodMap: Int, CaseIterable { case labels, annotations }

    /// The pod shapes (one template each): what the identity webhook injected.
    enum PodShape: Int, CaseIterable, Sendable {
        case plain, azure, azureWithoutClientID, irsa, eksPodIdentity

        init(_ injection: PodIdentityInjection) {
            switch injection {
            case .none: self = .plain
            case .azure(let clientID, _, _): self = clientID == nil ? .azureWithoutClientID : .azure
            case .irsa, .irsaAndPodIdentity: self = .irsa
            case .eksPodIdentity: self = .eksPodIdentity
            }
        }
    }

    static func marker(_ slot: PodSlot) -> String { ScaleJSONTemplate.marker(slot.rawValue) }

    /// A pod template of one shape. Pods rendered from it have restartCount 0 and no lastState, as
    /// every scale pod has (a restarted pod's `startedAt` would be the time of the restart).
    static func podTemplate(_ shape: PodShape) throws -> ScaleJSONTemplate {
        let injection: PodIdentityInjection
        var required = Set(PodSlot.allCases.map(\.rawValue))
        switch shape {
        case .plain:
            injection = .none
            required.subtract([PodSlot.identity.rawValue, PodSlot.identityScope.rawValue])
        // The scale cluster's pods were created by a v1.5 webhook (its token layout needs no per-pod
        // volume name, so one template serves every pod).
        case .azure: injection = .azure(clientID: marker(.identity), tenantID: marker(.identityScope), layout: .legacy)
        case .azureWithoutClientID:
            injection = .azure(clientID: nil, tenantID: marker(.identityScope), layout: .legacy)
            required.remove(PodSlot.identity.rawValue)
        case .irsa: injection = .irsa(roleARN: marker(.identity), region: marker(.identityScope))
        case .eksPodIdentity:
            injection = .eksPodIdentity(region: marker(.identityScope))
            required.remove(PodSlot.identity.rawValue)
        }
        let prototype = PodBlueprint(
            namespace: marker(.namespace), name: marker(.name), serviceAccount: marker(.serviceAccount), app: marker(.app),
            image: marker(.image), nodeName: marker(.nodeName), nodeIP: marker(.nodeIP), podIP: marker(.podIP),
            injection: injection, created: Date(timeIntervalSince1970: 0))
        var pod = PodFactory.make(prototype)
        // Everything PodFactory derives from the blueprint (hashes, times) becomes a marker too.
        pod.metadata.uid = marker(.uid)
        pod.metadata.resourceVersion = marker(.resourceVersion)
        pod.metadata.creationTimestamp = marker(.created)
        pod.metadata.labels = ScaleJSONTemplate.mapMarker(PodMap.labels.rawValue)
        pod.metadata.annotations = ScaleJSONTemplate.mapMarker(PodMap.annotations.rawValue)
        pod.metadata.generateName = marker(.replicaSet) + "-"
        let apiAccess = "kube-api-access-" + marker(.apiAccessSuffix)
        guard var owner = pod.metadata.ownerReferences?.first, var volumes = pod.spec.volumes, !volumes.isEmpty,
              var container = pod.spec.containers.first, var mounts = container.volumeMounts, !mounts.isEmpty,
              var status = pod.status.containerStatuses.first else {
            throw ScaleJSONTemplate.BuildError(detail: "PodFactory's pod lacks an owner, volume, mount or container status")
        }
        owner.name = marker(.replicaSet)
        owner.uid = marker(.replicaSetUID)
        pod.metadata.ownerReferences = [owner]
        volumes[0].name = apiAccess
        pod.spec.volumes = volumes
        mounts[0].name = apiAccess
        container.volumeMounts = mounts
        pod.spec.containers = [container]
        pod.status.startTime = marker(.created)
        pod.status.conditions = pod.status.conditions.map { condition in
            var condition = condition
            condition.lastTransitionTime = condition.type == "PodScheduled" ? marker(.created) : marker(.started)
            return condition
        }
        status.state = .init(running: .init(startedAt: marker(.started)))
        status.imageID = marker(.imageID)
        status.containerID = "containerd://" + marker(.containerHex)
        pod.status.containerStatuses = [status]
        return try ScaleJSONTemplate(prototype: pod, requiredStrings: required,
                                     requiredMaps: Set(PodMap.allCases.map(\.rawValue)))
    }

    enum MetaSlot: Int, CaseIterable { case name, namespace, uid, resourceVersion, created }
    enum MetaMap: Int, CaseIterable { case labels, annotations }

    /// A service account template, with or without annotations.
    static func serviceAccountTemplate(annotated: Bool) throws -> ScaleJSONTemplate {
        let prototype = ServiceAccount(metadata: metaPrototype(namespaced: true, annotated: annotated))
        return try ScaleJSONTemplate(prototype: prototype, requiredStrings: Set(MetaSlot.allCases.map(\.rawValue)),
                                     requiredMaps: annotated ? [MetaMap.labels.rawValue, MetaMap.annotations.rawValue]
                                                             : [MetaMap.labels.rawValue])
    }

    static func namespaceTemplate() throws -> ScaleJSONTemplate {
        let prototype = Namespace(metadata: metaPrototype(namespaced: false, annotated: false))
        var required = Set(MetaSlot.allCases.map(\.rawValue))
        required.remove(MetaSlot.namespace.rawValue)
        return try ScaleJSONTemplate(prototype: prototype, requiredStrings: required, requiredMaps: [MetaMap.labels.rawValue])
    }

    private static func metaPrototype(namespaced: Bool, annotated: Bool) -> ObjectMeta {
        func marker(_ slot: MetaSlot) -> String { ScaleJSONTemplate.marker(slot.rawValue) }
        return ObjectMeta(
            name: marker(.name), namespace: namespaced ? marker(.namespace) : nil, uid: marker(.uid),
            resourceVersion: marker(.resourceVersion), creationTimestamp: marker(.created),
            labels: ScaleJSONTemplate.mapMarker(MetaMap.labels.rawValue),
            annotations: annotated ? ScaleJSONTemplate.mapMarker(MetaMap.annotations.rawValue) : nil)
    }
}
