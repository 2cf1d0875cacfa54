import Foundation

/// The kubelet's rotation of projected service-account tokens, as its token manager decides it
/// (kubernetes/kubernetes `pkg/kubelet/token/token_manager.go`, `requiresRefresh`):
///
/// ```go
/// maxTTL = 24 * time.Hour
/// // requiresRefresh returns true if: 1. token is older than 80% of its total. 2. token is older than 24 hours.
/// // 3. If system time leaps, the token time may be later than the system time.
/// iat := exp.Add(-1 * time.Duration(*tr.Spec.ExpirationSeconds) * time.Second)
/// if now.After(iat.Add(maxTTL - jitter)) { return true }
/// if now.After(exp.Add(-1*time.Duration((*tr.Spec.ExpirationSeconds*20)/100)*time.Second - jitter)) { return true }
/// if now.Before(iat) { return true }
/// ```
///
/// (also api core/v1 `ServiceAccountTokenProjection.expirationSeconds`: "The kubelet will start trying
/// to rotate the token if the token is older than 80 percent of its time to live or if the token is
/// older than 24 hours"). The sandbox takes the jitter (0–10 s upstream) as 0 and refreshes at the
/// first whole second at which `requiresRefresh` holds; the real kubelet notices on its next pod
/// resync (about a minute later at most).
///
/// When a refresh fails (the kubelet cannot reach the API server), `projected.go` `SetUpAt` returns
/// before its AtomicWriter writes anything, so the previous token stays in the file, expired or not
/// (kubernetes/kubernetes `pkg/volume/projected/projected.go`; token_manager.go: "If refresh fails and
/// the old token is no longer valid, return an error").
enum KubeletTokenRotation {
    /// `maxTTL` of token_manager.go: a token older than this is refreshed whatever its TTL.
    static let maxTTLSeconds = 24 * 3600

    /// token_manager.go `requiresRefresh` with whole seconds (`now.After(t)` is `now > t`).
    static func requiresRefresh(now: Int, issuedAt: Int, expirationSeconds: Int, jitter: Int = 0) -> Bool {
        let expires = issuedAt + expirationSeconds
        if now > issuedAt + maxTTLSeconds - jitter { return true }
        if now > expires - (expirationSeconds * 20) / 100 - jitter { return true }
        if now < issuedAt { return true }
        return false
    }

    /// The age at which a token of this TTL is due for refresh (the later of the two thresholds
    /// that `requiresRefresh` checks first): 80 % of the TTL, at most 24 h.
    static func refreshDueAge(expirationSeconds: Int) -> Int {
        min(maxTTLSeconds, expirationSeconds - (expirationSeconds * 20) / 100)
    }

    /// When the token that is in the file at `time` was minted: the pod's volume was set up at
    /// `podStart` (the first token), and each token is replaced at the first second after it is due,
    /// as long as the kubelet is in contact with the API server. `lastContact` is when the node's
    /// kubelet last reached it (nil: it still does); refreshes after it fail and leave the old token.
    static func issuedAt(podStart: Int, lastContact: Int?, at time: Int, expirationSeconds: Int) -> Int {
        let horizon = min(time, lastContact ?? time)
        let period = refreshDueAge(expirationSeconds: expirationSeconds) + 1
        guard horizon > podStart, period > 0 else { return podStart }
        return podStart + ((horizon - podStart) / period) * period
    }

    /// When the token minted at `issuedAt` is (or was) due for refresh.
    static func refreshDue(issuedAt: Int, expirationSeconds: Int) -> Int {
        issuedAt + refreshDueAge(expirationSeconds: expirationSeconds)
    }
}

/// The parts of a stored pod that the kubelet's projected volumes and `exec` need, decoded from the
/// pod's JSON as the API serves it (so pods of the scale scenario, held only as bytes, work too).
struct PodFacts: Decodable, Sendable {
    struct Metadata: Decodable, Sendable { var name: String; var namespace: String?; var uid: String }
    struct Spec: Decodable, Sendable {
        var volumes: [Volume]?
        var containers: [Container]
        var initContainers: [Container]?
        var serviceAccountName: String?
        var nodeName: String?
    }
    struct Container: Decodable, Sendable { var name: String; var volumeMounts: [VolumeMount]? }
    struct Status: Decodable, Sendable { var phase: String?; var startTime: String? }
    var metadata: Metadata
    var spec: Spec
    var status: Status?
}

/// The parts of a stored node that tell whether its kubelet is in contact with the API server.
struct NodeFacts: Decodable, Sendable {
    struct Metadata: Decodable, Sendable { var name: String; var uid: String }
    struct Status: Decodable, Sendable { var conditions: [Node.Condition]? }
    var metadata: Metadata
    var status: Status?

    /// When the kubelet last reached the API server, if it no longer does: the node lifecycle
    /// controller turns `Ready` to `Unknown` once the kubelet stops posting status and leaves
    /// `lastHeartbeatTime` at the kubelet's last post (kubernetes/kubernetes
    /// `pkg/controller/nodelifecycle/node_lifecycle_controller.go` `tryUpdateNodeHealth`). nil while
    /// the kubelet posts status (Ready True or False).
    var kubeletLastContact: Date? {
        guard let ready = status?.conditions?.first(where: { $0.type == "Ready" }), ready.status == "Unknown" else { return nil }
        return ready.lastHeartbeatTime.flatMap(KubeTime.parse)
    }
}

/// RFC 3339 times as the API writes them (`2025-01-02T03:04:05Z`).
enum KubeTime {
    static func parse(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: false)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}

/// One projected service-account token file of a pod, as the kubelet last wrote it.
struct ProjectedTokenFile: Sendable {
    var volume: String
    /// The path inside the volume (`token`, `token/azure-identity-token`).
    var path: String
    /// nil: the API server's own audience (kube-api-access).
    var audience: String?
    var expirationSeconds: Int
    var issuedAt: Int
    /// When the kubelet should have replaced it (token_manager.go's threshold).
    var refreshDue: Int
}

/// A pod's projected volumes at one instant: every file the kubelet has written into them, with
/// the tokens minted as the kubelet minted them (TokenRequest bound to the pod, signed by the
/// cluster's service-account issuer). Computed when read: no timers.
struct KubeletVolumes: Sendable {
    /// One written volume: its files by path inside the volume, and when the kubelet last wrote it.
    struct Written: Sendable {
        var files: [String: Data]
        var writtenAt: Int
    }

    var volumes: [String: Written]
    var tokens: [ProjectedTokenFile]

    /// The token files a pod's projected volumes hold at `time`, given the pod's start and its node's
    /// last contact. Volumes without service-account tokens are not the sandbox's business, except
    /// the configMap and downward API items of kube-api-access (ca.crt, namespace), which it knows.
    static func tokenFiles(of pod: PodFacts, lastContact: Date?, at time: Date) -> [ProjectedTokenFile] {
        let start = pod.status?.startTime.flatMap(KubeTime.parse) ?? time
        var files: [ProjectedTokenFile] = []
        for volume in pod.spec.volumes ?? [] {
            for source in volume.projected?.sources ?? [] {
                guard let token = source.serviceAccountToken else { continue }
                let issued = KubeletTokenRotation.issuedAt(
                    podStart: Int(start.timeIntervalSince1970), lastContact: lastContact.map { Int($0.timeIntervalSince1970) },
                    at: Int(time.timeIntervalSince1970), expirationSeconds: token.expirationSeconds)
                files.append(ProjectedTokenFile(
                    volume: volume.name, path: token.path, audience: token.audience, expirationSeconds: token.expirationSeconds,
                    issuedAt: issued, refreshDue: KubeletTokenRotation.refreshDue(issuedAt: issued, expirationSeconds: token.expirationSeconds)))
            }
        }
        return files
    }
}

extension KubeAPI {
    /// The pod's projected volumes now, with tokens minted for it: what `exec` reads.
    func kubeletVolumes(of pod: PodFacts, namespace: String) async throws -> KubeletVolumes {
        var node: NodeFacts?
        if let nodeName = pod.spec.nodeName, let entry = await store.get(.nodes, namespace: nil, name: nodeName) {
            node = try? JSONDecoder().decode(NodeFacts.self, from: entry.json)
        }
        let time = now()
        let tokens = KubeletVolumes.tokenFiles(of: pod, lastContact: node?.kubeletLastContact, at: time)
        let serviceAccountName = pod.spec.serviceAccountName ?? "default"
        let serviceAccountUID = await store.get(.serviceAccounts, namespace: namespace, name: serviceAccountName)?.object.metadata.uid
        var volumes: [String: KubeletVolumes.Written] = [:]
        for volume in pod.spec.volumes ?? [] {
            guard let projected = volume.projected else { continue }
            var written = KubeletVolumes.Written(files: [:], writtenAt: Int((pod.status?.startTime.flatMap(KubeTime.parse) ?? time).timeIntervalSince1970))
            for source in projected.sources {
                if let projection = source.serviceAccountToken,
                   let file = tokens.first(where: { $0.volume == volume.name && $0.path == projection.path }) {
                    // The kubelet's TokenRequest for the pod (token_manager.go → TokenRequest with
                    // BoundObjectRef Pod and the projection's audience and expirationSeconds).
                    let key = "\(pod.metadata.uid)/\(volume.name)/\(file.path)/\(file.issuedAt)"
                    if let cached = kubeletTokens.withLock({ $0[key] }) {
                        written.files[projection.path] = Data(cached.utf8)
                        written.writtenAt = max(written.writtenAt, file.issuedAt)
                        continue
                    }
                    let token = try await mintServiceAccountToken(
                        namespace: namespace, serviceAccount: serviceAccountName, serviceAccountUID: serviceAccountUID ?? "",
                        audiences: file.audience.map { [$0] } ?? [], expirationSeconds: file.expirationSeconds,
                        issuedAt: file.issuedAt, pod: .init(name: pod.metadata.name, uid: pod.metadata.uid),
                        node: node.map { .init(name: $0.metadata.name, uid: $0.metadata.uid) },
                        jti: Deterministic.uid("kubelet-token/\(key)"))
                    kubeletTokens.withLock { cache in
                        if cache.count >= 10_000 { cache.removeAll() }  // bounded: refreshes add keys
                        cache[key] = token.token
                    }
                    written.files[projection.path] = Data(token.token.utf8)
                    written.writtenAt = max(written.writtenAt, file.issuedAt)
                }
                for item in source.configMap?.items ?? [] where source.configMap?.name == "kube-root-ca.crt" && item.key == "ca.crt" {
                    // The root CA publisher's ConfigMap holds the cluster CA (pkg/controller/certificates/rootcacertpublisher).
                    written.files[item.path] = Data(clusterCAPEM.utf8)
                }
                for item in source.downwardAPI?.items ?? [] {
                    switch item.fieldRef.fieldPath {
                    case "metadata.namespace": written.files[item.path] = Data(namespace.utf8)
                    case "metadata.name": written.files[item.path] = Data(pod.metadata.name.utf8)
                    case "metadata.uid": written.files[item.path] = Data(pod.metadata.uid.utf8)
                    case "spec.serviceAccountName": written.files[item.path] = Data(serviceAccountName.utf8)
                    default: break
                    }
                }
            }
            volumes[volume.name] = written
        }
        return KubeletVolumes(volumes: volumes, tokens: tokens)
    }
}
