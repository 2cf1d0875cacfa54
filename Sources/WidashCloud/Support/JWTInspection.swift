import Foundation
import WidashCore

/// A JWT's header and claims decoded without verifying the signature: what widash shows as
/// evidence. The signature and the raw token are not kept.
public struct JWTInspection: Sendable, Hashable {
    public var algorithm: String?
    public var keyID: String?
    public var issuer: String?
    public var subject: String?
    public var audiences: [String]
    public var issuedAt: Date?
    public var notBefore: Date?
    public var expiresAt: Date?
    /// `kubernetes.io` claims, when present.
    public var kubernetesNamespace: String?
    public var kubernetesServiceAccount: String?
    public var kubernetesPod: String?
    public var kubernetesPodUID: String?
    public var kubernetesNode: String?
    public var warnAfter: Date?
    /// The claims as compact JSON with sorted keys (nothing secret: a JWT's claims are readable by design).
    public var claimsJSON: String
    public var headerJSON: String

    /// Decodes `token`; nil when it is not a three-part JWT with JSON header and claims.
    public init?(token: String) {
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
        if let a = claims["aud"] as? String { audiences = [a] } else { audiences = claims["aud"] as? [String] ?? [] }
        issuedAt = Self.date(claims["iat"])
        notBefore = Self.date(claims["nbf"])
        expiresAt = Self.date(claims["exp"])
        if let k = claims["kubernetes.io"] as? [String: Any] {
            kubernetesNamespace = k["namespace"] as? String
            kubernetesServiceAccount = (k["serviceaccount"] as? [String: Any])?["name"] as? String
            kubernetesPod = (k["pod"] as? [String: Any])?["name"] as? String
            kubernetesPodUID = (k["pod"] as? [String: Any])?["uid"] as? String
            kubernetesNode = (k["node"] as? [String: Any])?["name"] as? String
            warnAfter = Self.date(k["warnafter"])
        }
        claimsJSON = Self.compact(claims)
        headerJSON = Self.compact(header)
    }

    /// Lifetime in seconds (exp − iat), when both are present.
    public var lifetimeSeconds: Int? {
        guard let e = expiresAt, let i = issuedAt else { return nil }
        return Int(e.timeIntervalSince(i))
    }

    static func date(_ value: Any?) -> Date? {
        if let n = value as? NSNumber { return Date(timeIntervalSince1970: n.doubleValue) }
        return nil
    }

    static func compact(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// ISO 8601 formatting used in evidence (UTC, seconds).
public enum EvidenceTime {
    public static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// Parses ISO 8601 with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}
