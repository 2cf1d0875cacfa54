import Foundation
import XCTest

/// Read access to `widash trace -o json` output:
/// `{"pod", "provider", "steps": [{"number", "title", "status", "durationMs", "evidence", "diagnosis"}], "result"}`.
struct TraceDocument {
    static let topLevelKeys: Set<String> = ["pod", "provider", "steps", "result"]
    static let stepKeys: Set<String> = ["number", "title", "status", "durationMs", "evidence", "diagnosis"]
    static let titles = ["token projected", "token sent", "trust checked", "token issued", "resource called"]

    let root: [String: Any]

    init(json text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        root = try decodeJSONObject(text, file: file, line: line)
    }

    var steps: [[String: Any]] { root["steps"] as? [[String: Any]] ?? [] }
    var statuses: [String] { steps.map { $0["status"] as? String ?? "?" } }

    func step(_ number: Int) -> [String: Any]? { steps.first { ($0["number"] as? NSNumber)?.intValue == number } }

    static func evidence(_ step: [String: Any]?) -> [String: Any] { step?["evidence"] as? [String: Any] ?? [:] }
    static func diagnosis(_ step: [String: Any]?) -> [String: Any]? { step?["diagnosis"] as? [String: Any] }

    /// (field, expected, actual) of a diagnosis' mismatches.
    static func mismatches(_ step: [String: Any]?) -> [(field: String, expected: String, actual: String)] {
        (diagnosis(step)?["mismatches"] as? [[String: Any]] ?? []).map {
            ($0["field"] as? String ?? "", $0["expected"] as? String ?? "", $0["actual"] as? String ?? "")
        }
    }

    /// The whole diagnosis as text (summary, mismatches, fix), for "mentions" checks.
    static func diagnosisText(_ step: [String: Any]?) -> String {
        guard let diagnosis = diagnosis(step),
              let data = try? JSONSerialization.data(withJSONObject: diagnosis, options: [.withoutEscapingSlashes]) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
