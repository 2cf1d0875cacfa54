import Foundation
import WidashSandboxKit

/// Google's JSON wire conventions: bodies, RFC 3339 times, opaque token strings.
enum GCPWire {
    /// The JSON object in the body (`{}` for an empty body); nil when it is not a JSON object.
    static func body(_ request: SandboxRequest) -> [String: Any]? {
        if request.body.isEmpty { return [:] }
        return (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
    }

    static func json(_ status: Int, _ object: [String: Any]) -> SandboxResponse {
        SandboxResponse.json(status, object)
    }

    /// `2026-12-02T13:00:00Z`, as Google's APIs print `expireTime`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// An opaque access token: `prefix` and 160 random URL-safe characters (system CSPRNG).
    static func token(prefix: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var rng = SystemRandomNumberGenerator()
        return prefix + String((0..<160).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] })
    }
}
