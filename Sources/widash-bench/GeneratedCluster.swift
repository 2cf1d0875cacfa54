import Foundation

/// Generates realistic Kubernetes list pages for benchmarks: pods of about 3 KB each as the API
/// server writes them (compact JSON, managed by ReplicaSets, with env, mounts, resources, probes,
/// projected service-account tokens, conditions and container statuses), and service accounts.
///
/// Deterministic for a seed, so that every run and every decoder sees the same bytes.
struct GeneratedCluster {
    var namespaces: Int
    var pods: Int
    var serviceAccounts: Int
    var pageSize: Int
    var seed: UInt64 = 42

    /// Replicas per ReplicaSet: pods of one ReplicaSet share everything but names, uid, node and times.
    static let replicas = 10

    /// The pod list as pages (`limit` = pageSize), each a complete `PodList` response.
    func podPages() -> [[UInt8]] {
        pages(total: pods, kind: "PodList") { index, out in appendPod(index, to: &out) }
    }

    func serviceAccountPages() -> [[UInt8]] {
        pages(total: serviceAccounts, kind: "ServiceAccountList") { index, out in appendServiceAccount(index, to: &out) }
    }

    private func pages(total: Int, kind: String, item: (Int, inout [UInt8]) -> Void) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var first = 0
        repeat {
            let last = min(total, first + max(1, pageSize))
            let remaining = total - last
            var out: [UInt8] = []
            out.reserveCapacity((last - first) * 3300 + 256)
            var meta = #"{"resourceVersion":"987654""#
            if remaining > 0 { meta += #","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OTg3NjU0LCJzdGFydCI6Im5zLTAwMDEvd2ViLTEyMzQifQ\#(first)","remainingItemCount":\#(remaining)"# }
            out.append(contentsOf: #"{"kind":"\#(kind)","apiVersion":"v1","metadata":\#(meta)},"items":["#.utf8)
            for index in first..<last {
                if index > first { out.append(UInt8(ascii: ",")) }
                item(index, &out)
            }
            out.append(contentsOf: "]}".utf8)
            result.append(out)
            first = last
        } while first < total
        return result
    }

    // MARK: - Objects

    private func namespace(ofReplicaSet replicaSet: Int) -> String {
        "team-\(String(format: "%04d", replicaSet % max(1, namespaces)))"
    }

    private func hex(_ value: UInt64, digits: Int) -> String {
        var text = String(value, radix: 16)
        while text.count < digits { text = "0" + text }
        return String(text.suffix(digits))
    }

    private func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ seed &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private func suffix(_ x: UInt64, length: Int) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var value = mix(x)
        var out = ""
        for _ in 0..<length {
            out.append(alphabet[Int(value % UInt64(alphabet.count))])
            value /= UInt64(alphabet.count)
        }
        return out
    }

    private func uid(_ x: UInt64) -> String {
        let a = mix(x), b = mix(x ^ 0xABCDEF)
        return "\(hex(a >> 32, digits: 8))-\(hex(a >> 16, digits: 4))-4\(hex(a, digits: 3))-a\(hex(b >> 48, digits: 3))-\(hex(b, digits: 12))"
    }

    private func time(_ seconds: Int) -> String {
        let s = 1_736_935_425 + seconds
        let date = Date(timeIntervalSince1970: TimeInterval(s))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 2025)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }

    private static let apps = ["web", "api", "worker", "checkout", "cart", "search", "payments", "inventory", "gateway", "ledger"]

    func appendPod(_ index: Int, to out: inout [UInt8]) {
        let replicaSet = index / Self.replicas
        let ns = namespace(ofReplicaSet: replicaSet)
        let app = Self.apps[replicaSet % Self.apps.count]
        let hash = suffix(UInt64(replicaSet) << 20, length: 10)
        let rsName = "\(app)-\(hash)"
        let podSuffix = suffix(UInt64(index) &* 7919, length: 5)
        let name = "\(rsName)-\(podSuffix)"
        let created = time(replicaSet * 37)
        let started = time(replicaSet * 37 + 2)
        let node = "aks-nodepool1-\(17_000_000 + (index * 7) % 97)-vmss\(hex(UInt64((index * 13) % 60), digits: 6))"
        let image = "contoso.azurecr.io/\(ns)/\(app):1.\(replicaSet % 7).\(replicaSet % 13)"
        let federated = replicaSet % 3 != 2
        let sa = federated ? "\(app)-identity" : "default"
        let ip = "10.244.\(index / 250 % 250).\(index % 250 + 2)"
        let hostIP = "10.224.0.\(index % 97 + 4)"
        let containerID = hex(mix(UInt64(index) ^ 0x1234), digits: 16) + hex(mix(UInt64(index) ^ 0x5678), digits: 16)
            + hex(mix(UInt64(index) ^ 0x9ABC), digits: 16) + hex(mix(UInt64(index) ^ 0xDEF0), digits: 16)
        let apiAccess = "kube-api-access-\(suffix(UInt64(index) &* 104_729, length: 5))"
        let identityLabel = federated ? #","azure.workload.identity/use":"true""# : ""
        let identityEnv = federated ? #"{"name":"AZURE_CLIENT_ID","value":"\#(uid(UInt64(replicaSet % 50)))"},{"name":"AZURE_TENANT_ID","value":"72f988bf-86f1-41af-91ab-2d7cd011db47"},{"name":"AZURE_FEDERATED_TOKEN_FILE","value":"/var/run/secrets/azure/tokens/azure-identity-token"},{"name":"AZURE_AUTHORITY_HOST","value":"https://login.microsoftonline.com/"},"# : ""
        let identityMount = federated ? #",{"name":"azure-identity-token","readOnly":true,"mountPath":"/var/run/secrets/azure/tokens"}"# : ""
        let identityVolume = federated ? #"{"name":"azure-identity-token","projected":{"sources":[{"serviceAccountToken":{"audience":"api://AzureADTokenExchange","expirationSeconds":3600,"path":"azure-identity-token"}}],"defaultMode":420}},"# : ""
        let restarts = index % 17 == 0 ? 3 : 0
        let json = #"""
        {"metadata":{"name":"\#(name)","generateName":"\#(rsName)-","namespace":"\#(ns)","uid":"\#(uid(UInt64(index) + 1_000_000))","resourceVersion":"\#(4_000_000 + index)","creationTimestamp":"\#(created)","labels":{"app":"\#(app)","app.kubernetes.io/part-of":"shop","pod-template-hash":"\#(hash)","version":"v1"\#(identityLabel)},"annotations":{"prometheus.io/scrape":"true","prometheus.io/port":"9090","description":"\#(app) \"primary\" – café ✓"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"\#(rsName)","uid":"\#(uid(UInt64(replicaSet)))","controller":true,"blockOwnerDeletion":true}]},"spec":{"volumes":[\#(identityVolume){"name":"config","configMap":{"name":"\#(app)-config","defaultMode":420}},{"name":"\#(apiAccess)","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],"containers":[{"name":"\#(app)","image":"\#(image)","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":[\#(identityEnv){"name":"LOG_LEVEL","value":"info"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"DB_HOST","value":"\#(app)-db.\#(ns).svc.cluster.local"}],"resources":{"limits":{"cpu":"500m","memory":"512Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},"volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/\#(app)"},{"name":"\#(apiAccess)","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}\#(identityMount)],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"\#(sa)","serviceAccount":"\#(sa)","nodeName":"\#(node)","securityContext":{"fsGroup":2000},"schedulerName":"default-scheduler","priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"\#(created)"},{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"\#(started)"},{"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"\#(started)"},{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"\#(created)"}],"hostIP":"\#(hostIP)","podIP":"\#(ip)","podIPs":[{"ip":"\#(ip)"}],"startTime":"\#(created)","containerStatuses":[{"name":"\#(app)","state":{"running":{"startedAt":"\#(started)"}},"lastState":{},"ready":true,"restartCount":\#(restarts),"image":"\#(image)","imageID":"\#(image)@sha256:\#(containerID)","containerID":"containerd://\#(containerID)","started":true}],"qosClass":"Burstable"}}
        """#
        out.append(contentsOf: json.utf8)
    }

    func appendServiceAccount(_ index: Int, to out: inout [UInt8]) {
        let ns = namespace(ofReplicaSet: index)
        let app = Self.apps[(index / max(1, namespaces)) % Self.apps.count]
        let federated = index % 3 != 2
        let annotations = federated
            ? #","annotations":{"azure.workload.identity/client-id":"\#(uid(UInt64(index % 50)))","azure.workload.identity/tenant-id":"72f988bf-86f1-41af-91ab-2d7cd011db47"}"#
            : ""
        let labels = federated ? #","labels":{"azure.workload.identity/use":"true"}"# : ""
        let json = #"{"metadata":{"name":"\#(app)-identity","namespace":"\#(ns)","uid":"\#(uid(UInt64(index) + 9_000_000))","resourceVersion":"\#(3_000_000 + index)","creationTimestamp":"\#(time(index * 11))"\#(labels)\#(annotations)}}"#
        out.append(contentsOf: json.utf8)
    }
}
