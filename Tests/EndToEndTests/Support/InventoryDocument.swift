import Foundation
import XCTest

/// Read access to `widash identities -o json` output (field names as documented in the README).
struct InventoryDocument {
    let root: [String: Any]

    init(json text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        root = try decodeJSONObject(text, file: file, line: line)
    }

    var identities: [[String: Any]] { root["identities"] as? [[String: Any]] ?? [] }

    /// `namespace/name` of every listed service account.
    var identityKeys: [String] { identities.map { "\($0["namespace"] ?? "?")/\($0["name"] ?? "?")" } }

    func identity(_ namespace: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(identities.first { $0["namespace"] as? String == namespace && $0["name"] as? String == name },
                      "service account \(namespace)/\(name) is not in the inventory: \(identityKeys)", file: file, line: line)
    }

    static func bindings(_ identity: [String: Any]) -> [[String: Any]] { identity["bindings"] as? [[String: Any]] ?? [] }
    static func pods(_ identity: [String: Any]) -> [[String: Any]] { identity["pods"] as? [[String: Any]] ?? [] }

    /// Finding codes of a service account and of its pods.
    static func findingCodes(_ identity: [String: Any]) -> [String] {
        let own = (identity["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        let ofPods = pods(identity).flatMap { ($0["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String } }
        return own + ofPods
    }

    var clusterFindingCodes: [String] {
        (root["clusterFindings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    var webhookKinds: [String] { (root["webhooks"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String } }
}
