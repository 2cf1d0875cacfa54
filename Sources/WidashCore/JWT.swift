import Foundation

/// Why a text could not be decoded as a JWT. Messages say what is wrong and what to check; they
/// never contain the token itself.
public enum JWTDecodeError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The token is larger than ``JWT/maximumTokenBytes``.
    case tooLarge(bytes: Int)
    case empty
    /// The token does not have exactly three dot-separated parts.
    case wrongPartCount(Int)
    /// A part (`header`, `claims` or `signature`) is not base64url.
    case badBase64URL(part: String)
    /// A part decodes but is not JSON at all.
    case notJSON(part: String, reason: String)
    /// A part is JSON but not an object (e.g. an array or a string).
    case notJSONObject(part: String, kind: String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes):
            return "token too large: \(bytes) bytes, the limit is \(JWT.maximumTokenBytes) (64 KiB); "
                + "a service-account token is usually under 2 KiB — check that the input is a single token"
        case .empty:
            return "not a JWT: the input is empty; pass the token itself or the file that holds it"
        case .wrongPartCount(let n):
            return "not a JWT: expected 3 dot-separated parts (header.claims.signature), found \(n); "
                + "check that the whole token was copied"
        case .badBase64URL(let part):
            return "not a JWT: the \(part) part is not valid base64url; check that the token was not altered or wrapped"
        case .notJSON(let part, let reason):
            return "not a JWT: the \(part) part is not JSON (\(reason))"
        case .notJSONObject(let part, let kind):
            return "not a JWT: the \(part) part is a JSON \(kind), expected an object"
        }
    }

    public var errorDescription: String? { description }
}

/// A `kubernetes.io` object reference inside a service-account token (`pod`, `node`, …).
public struct KubernetesObjectRef: Sendable, Hashable, Codable {
    public var name: String?
    public var uid: String?
    public init(name: String?, uid: String?) { self.name = name; self.uid = uid }
}

/// The private `kubernetes.io` claim of a service-account token.
public struct KubernetesClaims: Sendable, Hashable, Codable {
    public var namespace: String?
    public var serviceAccount: KubernetesObjectRef?
    public var pod: KubernetesObjectRef?
    public var node: KubernetesObjectRef?
    public var secret: KubernetesObjectRef?
    /// `warnafter`: kubelet-issued extended tokens; using the token after this time is logged by
    /// the API server.
    public var warnAfter: Date?
}

/// A JWT split into its parts. The header and claims are kept as ordered JSON; the signature is
/// not kept (only its length), so a decoded token can be shown and passed around safely.
public struct DecodedJWT: Sendable, Hashable {
    public let header: JSONValue
    public let claims: JSONValue
    /// Length in characters of the base64url signature part (0 for an unsigned token).
    public let signatureLength: Int
    /// First characters of the base64url header and claims parts, for redacted display.
    public let headerPrefix: String
    public let claimsPrefix: String

    public init(header: JSONValue, claims: JSONValue, signatureLength: Int, headerPrefix: String, claimsPrefix: String) {
        self.header = header
        self.claims = claims
        self.signatureLength = signatureLength
        self.headerPrefix = headerPrefix
        self.claimsPrefix = claimsPrefix
    }

    // Header
    public var alg: String? { header["alg"]?.stringValue }
    public var kid: String? { header["kid"]?.stringValue }
    public var typ: String? { header["typ"]?.stringValue }
    /// True when the header says `alg: none` (any case): such a token carries no signature.
    public var isUnsigned: Bool { alg?.lowercased() == "none" }

    // Registered claims
    public var iss: String? { claims["iss"]?.stringValue }
    public var sub: String? { claims["sub"]?.stringValue }
    public var jti: String? { claims["jti"]?.stringValue }
    /// `aud` as a list, whether the token carries a string or an array of strings.
    public var aud: [String] {
        switch claims["aud"] {
        case .string(let s)?: return [s]
        case .array(let items)?: return items.compactMap(\.stringValue)
        default: return []
        }
    }
    public var exp: Date? { Self.date(claims["exp"]) }
    public var iat: Date? { Self.date(claims["iat"]) }
    public var nbf: Date? { Self.date(claims["nbf"]) }

    /// The `kubernetes.io` claim; nil when the token has none (not issued by Kubernetes).
    public var kubernetes: KubernetesClaims? {
        guard let k = claims["kubernetes.io"], case .object = k else { return nil }
        func ref(_ key: String) -> KubernetesObjectRef? {
            guard let o = k[key], case .object = o else { return nil }
            return KubernetesObjectRef(name: o["name"]?.stringValue, uid: o["uid"]?.stringValue)
        }
        return KubernetesClaims(namespace: k["namespace"]?.stringValue, serviceAccount: ref("serviceaccount"),
                                pod: ref("pod"), node: ref("node"), secret: ref("secret"),
                                warnAfter: Self.date(k["warnafter"]))
    }

    /// Seconds between `iat` (or `nbf`) and `exp`, when both are present.
    public var lifetimeSeconds: Int? {
        guard let exp, let start = iat ?? nbf else { return nil }
        return Int(exp.timeIntervalSince(start).rounded())
    }

    private static func date(_ value: JSONValue?) -> Date? {
        guard let seconds = value?.doubleValue else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// Decoding of JSON Web Tokens (RFC 7519) without verification; see ``JWTVerifier`` to verify.
public enum JWT {
    /// Larger inputs are refused before any parsing: 64 KiB.
    public static let maximumTokenBytes = 64 * 1024

    /// Splits and decodes a compact JWS. Surrounding whitespace (a trailing newline in a token
    /// file) is ignored. Throws ``JWTDecodeError``.
    public static func decode(_ token: String) throws -> DecodedJWT {
        let byteCount = token.utf8.count
        guard byteCount <= maximumTokenBytes else { throw JWTDecodeError.tooLarge(bytes: byteCount) }
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw JWTDecodeError.empty }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw JWTDecodeError.wrongPartCount(parts.count) }

        let header = try decodeObject(parts[0], part: "header")
        let claims = try decodeObject(parts[1], part: "claims")
        // The signature is not decoded for display, only checked to be base64url.
        guard parts[2].utf8.allSatisfy(Base64URL.isAlphabet), parts[2].utf8.count % 4 != 1 else {
            throw JWTDecodeError.badBase64URL(part: "signature")
        }
        return DecodedJWT(header: header, claims: claims, signatureLength: parts[2].count,
                          headerPrefix: String(parts[0].prefix(10)), claimsPrefix: String(parts[1].prefix(10)))
    }

    private static func decodeObject(_ segment: Substring, part: String) throws -> JSONValue {
        guard !segment.isEmpty, let data = Base64URL.decode(segment) else { throw JWTDecodeError.badBase64URL(part: part) }
        let value: JSONValue
        do {
            value = try JSONValue.parse(data)
        } catch let error as JSONParseError {
            throw JWTDecodeError.notJSON(part: part, reason: error.description)
        }
        guard case .object = value else { throw JWTDecodeError.notJSONObject(part: part, kind: value.kindName) }
        return value
    }
}
