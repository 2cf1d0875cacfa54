import Foundation

/// How secrets appear in evidence and messages: never whole.
public enum Redaction {
    /// First and last few characters with the length, e.g. `eyJhbGci…x9Qw (912 chars)`.
    public static func secret(_ value: String, keep: Int = 6) -> String {
        guard value.count > keep * 3 else { return "…(\(value.count) chars)" }
        return "\(value.prefix(keep))…\(value.suffix(4)) (\(value.count) chars)"
    }

    /// A JWT as `header.claims.…`: the two readable parts are not secret, the signature is dropped.
    public static func jwt(_ token: String) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return secret(token) }
        return "\(parts[0].prefix(12))….\(parts[1].prefix(12))….… (\(token.count) chars, signature hidden)"
    }

    /// An AWS access key id keeps its prefix (ASIA/AKIA tells temporary from long-term) and last 4.
    public static func accessKeyID(_ id: String) -> String {
        guard id.count > 8 else { return "…" }
        return "\(id.prefix(4))…\(id.suffix(4))"
    }
}
