import Crypto
import Foundation

/// Timestamp and identifier formats the Azure services put on the wire.
enum AzureWire {
    /// Entra's `timestamp` field and the "Timestamp:" line of `error_description`: `2024-03-01 07:41:07Z`.
    static func entraTimestamp(_ date: Date) -> String {
        format(date, "yyyy-MM-dd HH:mm:ss") + "Z"
    }

    /// Entra's precise times in AADSTS700024: `2023-05-30T05:19:20.3135329Z` (seven fraction digits).
    static func entraPreciseTime(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let ticks = Int((seconds - seconds.rounded(.down)) * 10_000_000)
        return format(date, "yyyy-MM-dd'T'HH:mm:ss") + "." + String(format: "%07d", ticks) + "Z"
    }

    /// ISO 8601 with seconds, as ARM and Storage error messages use.
    static func iso8601(_ date: Date) -> String {
        format(date, "yyyy-MM-dd'T'HH:mm:ss") + "Z"
    }

    /// RFC 1123, as HTTP `Date`/`Last-Modified` headers use.
    static func rfc1123(_ date: Date) -> String {
        format(date, "EEE, dd MMM yyyy HH:mm:ss") + " GMT"
    }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// A fresh lower-case UUID (trace ids, request ids).
    static func newID() -> String { UUID().uuidString.lowercased() }

    /// A UUID derived from a name, so that ids of demo objects stay the same across runs.
    static func stableID(_ name: String) -> String {
        let digest = Array(SHA256.hash(data: Data(name.utf8)))
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5 layout: name-based
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4),
                     hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.map(String.init).joined(separator: "-")
    }

    /// Escapes text for an XML element or attribute.
    static func xmlEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Base64url without padding (JWT segments and JWK members).
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

/// A JWT split into its decoded header and claims, without any verification: what a server reads
/// before it knows which key to verify with (and what it quotes back in error messages).
struct UnverifiedJWT: Sendable {
    var algorithm: String?
    var keyID: String?
    var issuer: String?
    var subject: String?
    var audiences: [String]
    var expiresAt: Date?
    var notBefore: Date?
    var issuedAt: Date?
    /// Every claim that is a string (appid, oid, tid, ver, …).
    var stringClaims: [String: String]

    /// Nil when the text is not three dot-separated base64url segments with JSON objects in the first two.
    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Base64URL.decode(parts[0]), let claimsData = Base64URL.decode(parts[1]),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
              let claims = (try? JSONSerialization.jsonObject(with: claimsData)) as? [String: Any]
        else { return nil }
        algorithm = header["alg"] as? String
        keyID = header["kid"] as? String
        issuer = claims["iss"] as? String
        subject = claims["sub"] as? String
        if let one = claims["aud"] as? String {
            audiences = [one]
        } else {
            audiences = (claims["aud"] as? [Any])?.compactMap { $0 as? String } ?? []
        }
        expiresAt = Self.date(claims["exp"])
        notBefore = Self.date(claims["nbf"])
        issuedAt = Self.date(claims["iat"])
        stringClaims = claims.compactMapValues { $0 as? String }
    }

    private static func date(_ value: Any?) -> Date? {
        guard let number = value as? NSNumber else { return nil }
        return Date(timeIntervalSince1970: number.doubleValue)
    }
}

/// Redaction for logs and messages: never a whole token.
enum Redact {
    static func token(_ token: String) -> String {
        guard token.count > 16 else { return "…" }
        return "\(token.prefix(6))…\(token.suffix(4))"
    }
}
