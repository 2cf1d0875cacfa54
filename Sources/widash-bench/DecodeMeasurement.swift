import Foundation
import WidashCore
import WidashKubeJSON
import WidashKubeProtobuf
import WidashSandbox

/// The decoders compared by `widash-bench decode`.
enum DecoderKind: String, CaseIterable, Codable {
    /// Foundation's JSONDecoder into the WidashCore types (what a Codable client does).
    case jsonDecoder = "JSONDecoder"
    /// WidashKubeJSON's selective decoder, one intern table for the whole list.
    case widash = "widash"
    /// WidashKubeProtobuf's selective decoder on the same objects in Kubernetes' protobuf encoding
    /// (issue #17), one intern table for the whole list.
    case protobuf = "protobuf"
}

/// What one child process measured for one decoder.
struct DecodeMeasurement: Codable {
    var decoder: DecoderKind
    var pods: Int
    var serviceAccounts: Int
    var bytes: Int
    /// Bytes of the pod pages alone (the encoding's size per pod).
    var podBytes: Int
    /// Time spent decoding (pods + service accounts), not reading the page file.
    var decodeSeconds: Double
    var podSeconds: Double
    /// RSS held by the decoded pods (after trimming the heap), in bytes.
    var heldPodBytes: Int
    var peakRSSBytes: Int
    var baselineRSSBytes: Int
    /// A digest of what was decoded: equal for every decoder, or one of them is wrong.
    var digest: String
}

/// A summary of decoded objects that both decoders must agree on.
struct InventoryDigest {
    private var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    private var podCount = 0, federatedTokens = 0, envVars = 0, labels = 0, restarts = 0

    private mutating func mix(_ text: String?) {
        for byte in (text ?? "∅").utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash = (hash ^ 0xFF) &* 0x100_0000_01B3
    }

    mutating func add(_ pod: Pod) {
        podCount += 1
        mix(pod.metadata.name)
        mix(pod.metadata.namespace)
        mix(pod.metadata.uid)
        mix(pod.spec.nodeName)
        mix(pod.spec.serviceAccountName)
        labels += pod.metadata.labels?.count ?? 0
        for container in pod.spec.containers {
            mix(container.image)
            envVars += container.env?.count ?? 0
            for mount in container.volumeMounts ?? [] { mix(mount.mountPath) }
        }
        for volume in pod.spec.volumes ?? [] {
            for source in volume.projected?.sources ?? [] where source.serviceAccountToken?.audience == "api://AzureADTokenExchange" {
                federatedTokens += 1
            }
        }
        restarts += pod.status?.containerStatuses?.reduce(0) { $0 + ($1.restartCount ?? 0) } ?? 0
    }

    mutating func add(_ account: ServiceAccount) {
        mix(account.metadata.name)
        mix(account.metadata.annotations?["azure.workload.identity/client-id"])
    }

    var text: String {
        "pods=\(podCount) tokens=\(federatedTokens) env=\(envVars) labels=\(labels) restarts=\(restarts) hash=\(String(hash, radix: 16))"
    }
}

/// Foundation's view of a list page.
private struct FoundationList<Item: Decodable>: Decodable {
    var items: [Item]?
}

enum DecodeMeasurer {
    /// Decodes the generated pod and service-account pages with one decoder, keeping every object
    /// as an inventory would, and measures time, RSS and memory held per pod.
    static func measure(_ decoder: DecoderKind, pages: PageFiles) throws -> DecodeMeasurement {
        // Warm up code paths and the runtime on a tiny page so that one-time costs are not counted.
        let tiny = Data(#"{"items":[{"metadata":{"name":"w"},"spec":{"containers":[{"name":"c"}]}}]}"#.utf8)
        _ = try JSONDecoder().decode(FoundationList<Pod>.self, from: tiny)
        _ = try KubeListDecoder.decodePodList(tiny)
        _ = try KubeProtobufDecoder.decodePodList(try KubeProtobufEncoding.listFromJSON(tiny, itemKind: "Pod"))
        ProcessStats.trimHeap()
        let baseline = ProcessStats.currentRSS() ?? 0

        var pods: [Pod] = []
        var bytes = 0
        var podSeconds = 0.0
        let table = KubeInternTable()
        let protobufTable = KubeProtobufInternTable()
        let protobuf = decoder == .protobuf
        try PageFile.forEachPage(at: protobuf ? pages.protobufPodPages : pages.podPages) { page in
            bytes += page.count
            if pods.isEmpty, let remaining = try (protobuf ? KubeProtobufDecoder.peekListMetadata(page)
                                                          : KubeListDecoder.peekListMetadata(page)).remainingItemCount {
                // Both decoders get an exactly sized array, as a client that reads remainingItemCount would.
                pods.reserveCapacity(remaining + pages.pageSizeHint)
            }
            let start = ProcessStats.monotonicSeconds()
            let items: [Pod]
            switch decoder {
            case .jsonDecoder: items = try JSONDecoder().decode(FoundationList<Pod>.self, from: page).items ?? []
            case .widash: items = try KubeListDecoder.decodePodList(page, interner: table).items
            case .protobuf: items = try KubeProtobufDecoder.decodePodList(page, interner: protobufTable).items
            }
            pods += items
            podSeconds += ProcessStats.monotonicSeconds() - start
        }
        let podBytes = bytes
        ProcessStats.trimHeap()
        let heldPods = (ProcessStats.currentRSS() ?? 0) - baseline

        var accounts: [ServiceAccount] = []
        var accountSeconds = 0.0
        try PageFile.forEachPage(at: protobuf ? pages.protobufServiceAccountPages : pages.serviceAccountPages) { page in
            bytes += page.count
            let start = ProcessStats.monotonicSeconds()
            switch decoder {
            case .jsonDecoder: accounts += try JSONDecoder().decode(FoundationList<ServiceAccount>.self, from: page).items ?? []
            case .widash: accounts += try KubeListDecoder.decodeServiceAccountList(page, interner: table).items
            case .protobuf: accounts += try KubeProtobufDecoder.decodeServiceAccountList(page, interner: protobufTable).items
            }
            accountSeconds += ProcessStats.monotonicSeconds() - start
        }

        var digest = InventoryDigest()
        pods.forEach { digest.add($0) }
        accounts.forEach { digest.add($0) }
        return DecodeMeasurement(
            decoder: decoder, pods: pods.count, serviceAccounts: accounts.count, bytes: bytes, podBytes: podBytes,
            decodeSeconds: podSeconds + accountSeconds, podSeconds: podSeconds,
            heldPodBytes: heldPods, peakRSSBytes: ProcessStats.peakRSS() ?? 0, baselineRSSBytes: baseline,
            digest: digest.text)
    }
}

/// Where generated pages live.
struct PageFiles {
    var directory: String
    /// Items on the first page, added to its remainingItemCount to size the inventory.
    var pageSizeHint = 500
    var podPages: String { directory + "/pods.pages" }
    var serviceAccountPages: String { directory + "/serviceaccounts.pages" }
}
