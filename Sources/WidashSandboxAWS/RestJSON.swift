import Foundation
import WidashSandboxKit

/// Helpers for the rest-json services (EKS, eks-auth): path matching and timestamps.
enum RestJSON {
    /// Splits `/a/b%2Fc` into percent-decoded segments `["a", "b/c"]`.
    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
    }

    /// rest-json timestamps default to epoch seconds.
    static func epoch(_ date: Date) -> Double { date.timeIntervalSince1970.rounded() }

    static func notFoundRoute(_ request: SandboxRequest) -> SandboxResponse {
        AWSError(code: "UnknownOperationException", message: "No operation matches \(request.method) \(request.path)", status: 404)
            .jsonResponse()
    }

    /// The JSON object in the body, or nil.
    static func body(_ request: SandboxRequest) -> [String: Any]? {
        if request.body.isEmpty { return [:] }
        return (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
    }
}
