import Foundation
import XCTest
import WidashCore
import WidashKubeJSON
@testable import WidashKubeProtobuf

/// The protobuf decoder must give exactly what the JSON decoder gives for the equivalent JSON.
final class ProtobufEquivalenceTests: XCTestCase {
    func testPodListEqualsTheJSONDecodersResult() throws {
        let fromJSON = try KubeListDecoder.decodePodList(Array(SamplePods.json.utf8))
        let fromProtobuf = try KubeProtobufDecoder.decodePodList(SamplePods.protobuf)
        XCTAssertEqual(fromProtobuf, fromJSON)
        // Spot checks, so that a decoder that loses a field on both sides cannot pass.
        XCTAssertEqual(fromProtobuf.items.count, 2)
        XCTAssertEqual(fromProtobuf.remainingItemCount, 1500)
        XCTAssertEqual(fromProtobuf.continueToken, "eyJydiI6OTg3NjU0fQ")
        XCTAssertEqual(fromProtobuf.resourceVersion, "987654")
        let pod = try XCTUnwrap(fromProtobuf.items.first)
        XCTAssertEqual(pod.metadata.creationTimestamp, "2026-01-15T10:03:45Z")
        XCTAssertEqual(pod.metadata.labels?["azure.workload.identity/use"], "true")
        XCTAssertEqual(pod.metadata.annotations?["description"], "web \"primary\" – café ✓")
        XCTAssertEqual(pod.metadata.ownerReferences, [OwnerReference(kind: "ReplicaSet", name: "web-7d4b9c6f5d")])
        XCTAssertEqual(pod.spec.serviceAccountName, "web-identity")
        XCTAssertEqual(pod.spec.initContainers?.map(\.name), ["init-config"])
        let env = try XCTUnwrap(pod.spec.containers.first?.env)
        XCTAssertEqual(env.map(\.origin), ["a literal value", "pod field metadata.name", "secret web-db key password",
                                           "configmap ? key mode", "container resource limits.cpu", "a literal value"])
        XCTAssertNil(env.last?.value)
        XCTAssertEqual(pod.spec.containers.first?.volumeMounts?.map(\.readOnly), [true, nil])
        let token = pod.spec.volumes?.first?.projected?.sources?.first?.serviceAccountToken
        XCTAssertEqual(token, ServiceAccountTokenProjection(audience: "api://AzureADTokenExchange", expirationSeconds: 3600,
                                                            path: "azure-identity-token"))
        XCTAssertNil(pod.spec.volumes?[1].projected)
        XCTAssertEqual(pod.status?.phase, "Running")
        XCTAssertEqual(pod.status?.startTime, "2026-01-15T10:03:45Z")
        XCTAssertEqual(pod.status?.containerStatuses, [ContainerStatus(name: "web", ready: true, restartCount: 2),
                                                       ContainerStatus(name: "sidecar", ready: false, restartCount: 0)])
    }

    func testOneInternTableAcrossPagesGivesTheSameValues() throws {
        let table = KubeProtobufInternTable()
        let first = try KubeProtobufDecoder.decodePodList(SamplePods.protobuf, interner: table)
        let second = try KubeProtobufDecoder.decodePodList(Data(SamplePods.protobuf), interner: table)
        XCTAssertEqual(first, second)
        XCTAssertGreaterThan(table.entryCount, 0)
        XCTAssertEqual(first, try KubeListDecoder.decodePodList(Array(SamplePods.json.utf8)))
    }

    func testServiceAccountListEqualsTheJSONDecodersResult() throws {
        let json = #"{"kind":"ServiceAccountList","apiVersion":"v1","metadata":{"resourceVersion":"55"},"items":[{"metadata":{"name":"web-identity","namespace":"shop","uid":"u-1","resourceVersion":"7","creationTimestamp":"1999-12-31T23:59:59Z","annotations":{"azure.workload.identity/client-id":"6a1e8a11-3f4e-4b8e-9c51-6f3c2d1e0a9b"}},"secrets":[{"name":"web-identity-token"}],"automountServiceAccountToken":false},{"metadata":{"name":"default","namespace":"shop"}}]}"#
        var list = ProtobufWriter()
        list.message(1) { meta in
            meta.string(1, "")
            meta.string(2, "55")
            meta.string(3, "")
        }
        list.message(2) { account in
            account.message(1) { meta in
                meta.string(1, "web-identity")
                meta.string(3, "shop")
                meta.string(5, "u-1")
                meta.string(6, "7")
                meta.time(8, seconds: 946_684_799)
                meta.stringMap(12, ["azure.workload.identity/client-id": "6a1e8a11-3f4e-4b8e-9c51-6f3c2d1e0a9b"])
            }
            account.message(2) { $0.string(2, "web-identity-token") }
            account.bool(4, false)
        }
        list.message(2) { account in
            account.message(1) { meta in
                meta.string(1, "default")
                meta.string(3, "shop")
                meta.message(8) { _ in }
            }
        }
        let bytes = ProtobufWriter.envelope(kind: "ServiceAccountList", raw: list.bytes)
        let fromProtobuf = try KubeProtobufDecoder.decodeServiceAccountList(bytes)
        XCTAssertEqual(fromProtobuf, try KubeListDecoder.decodeServiceAccountList(Array(json.utf8)))
        XCTAssertEqual(fromProtobuf.items.first?.metadata.creationTimestamp, "1999-12-31T23:59:59Z")
        XCTAssertNil(fromProtobuf.continueToken)
        XCTAssertNil(fromProtobuf.remainingItemCount)
    }

    /// Protobuf semantics where JSON has none: a repeated field split by other fields still forms
    /// one list, the last of repeated map keys wins (Go's unmarshalling), and a pod without status
    /// gets the empty status that Go's JSON always writes (`"status":{}`).
    func testSplitRepeatedFieldsRepeatedMapKeysAndAbsentStatus() throws {
        var list = ProtobufWriter()
        list.message(2) { pod in
            pod.message(1) { meta in
                meta.string(1, "split")
                meta.stringMap(11, ["app": "old"])
                meta.string(3, "shop")
                meta.stringMap(11, ["app": "web", "tier": "front"])
            }
            pod.message(2) { spec in
                spec.message(2) { container in
                    container.string(1, "web")
                    container.message(7) { $0.string(1, "A") }
                    container.string(2, "web:1")
                    container.message(7) { $0.string(1, "B") }
                }
            }
        }
        let json = #"{"items":[{"metadata":{"name":"split","namespace":"shop","labels":{"app":"web","tier":"front"}},"spec":{"containers":[{"name":"web","image":"web:1","env":[{"name":"A"},{"name":"B"}]}]},"status":{}}]}"#
        let fromProtobuf = try KubeProtobufDecoder.decodePodList(ProtobufWriter.envelope(kind: "PodList", raw: list.bytes))
        XCTAssertEqual(fromProtobuf, try KubeListDecoder.decodePodList(Array(json.utf8)))
        XCTAssertEqual(fromProtobuf.items.first?.spec.containers.first?.env?.map(\.name), ["A", "B"])
        XCTAssertEqual(fromProtobuf.items.first?.status, PodStatus())
    }

    func testPeekListMetadataReadsOnlyTheListMeta() throws {
        XCTAssertEqual(try KubeProtobufDecoder.peekListMetadata(SamplePods.protobuf),
                       KubeListMetadata(resourceVersion: "987654", continueToken: "eyJydiI6OTg3NjU0fQ", remainingItemCount: 1500))
    }

    /// Timestamps are formatted as the API server's JSON writes them, for dates across four
    /// centuries (leap years, centuries, before 1970), checked against Foundation's formatter.
    func testTimestampsMatchRFC3339InUTC() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds: [Int64] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 4_107_542_400, 1_768_471_425, -2_208_988_800,
                                -2_203_891_200, 253_402_300_799]
        var state: UInt64 = 0x5EED
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds.append(Int64(state >> 33) % 12_000_000_000 - 3_000_000_000)  // 1874 … 2250
        }
        for value in seconds {
            let text = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
                ProtobufTimestamp.format(seconds: value, into: buffer)
                return String(decoding: UnsafeBufferPointer(buffer), as: UTF8.self)
            }
            XCTAssertEqual(text, formatter.string(from: Date(timeIntervalSince1970: TimeInterval(value))), "\(value) s")
        }
    }
}
