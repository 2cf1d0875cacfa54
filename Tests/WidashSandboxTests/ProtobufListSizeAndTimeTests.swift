import Foundation
@testable import WidashSandbox
import WidashCore
import WidashKubeJSON
import WidashKubeProtobuf
import XCTest

/// How long a full pod list takes to serve in JSON and in protobuf, and how big it is: printed,
/// not asserted (timing goals live in benchmarks). The first protobuf list fills the per-object
/// cache; the following ones only join cached bytes, as the JSON list joins pre-rendered JSON.
/// `WIDASH_PROTOBUF_LIST_PODS=50000` measures the scale scenario's full size.
final class ProtobufListSizeAndTimeTests: XCTestCase {
    func testFullPodListInJSONAndProtobuf() async throws {
        let pods = ProcessInfo.processInfo.environment["WIDASH_PROTOBUF_LIST_PODS"].flatMap(Int.init) ?? 2_000
        let sandbox = try await SandboxFixture.start(scenario: .scale(namespaces: max(1, pods / 250), serviceAccounts: max(1, pods / 5), pods: pods))
        addTeardownBlock { await sandbox.stop() }
        let protobufAccept = "application/vnd.kubernetes.protobuf, application/json"

        let cold = try sandbox.get("/api/v1/pods", accept: protobufAccept)
        var json: [RawResponse] = []
        var protobuf: [RawResponse] = []
        for _ in 0..<3 {
            json.append(try sandbox.get("/api/v1/pods", accept: "application/json"))
            protobuf.append(try sandbox.get("/api/v1/pods", accept: protobufAccept))
        }
        XCTAssertEqual(try KubeProtobufDecoder.decodePodList(protobuf[0].body).items.count, pods)
        XCTAssertEqual(try KubeListDecoder.decodePodList(json[0].body).items.count, pods)
        XCTAssertEqual(cold.body, protobuf[0].body, "the cached list must be the list encoded afresh")

        func best(_ responses: [RawResponse]) -> String { String(format: "%.3f s", responses.map(\.seconds).min() ?? 0) }
        print("""
            protobuf list serving, \(pods) pods (scale scenario, over HTTPS, curl time_total, best of 3):
              JSON      \(json[0].body.count) bytes  \(best(json))
              protobuf  \(protobuf[0].body.count) bytes  \(best(protobuf))  (first, filling the cache: \(String(format: "%.3f s", cold.seconds)))
            """)
    }
}
