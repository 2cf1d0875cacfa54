import Foundation
import WidashCore
import Crypto
import WidashHTTP

/// AWS credentials. The secret parts are never printed.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyID: String
    /// Do not log.
    public var secretAccessKey: String
    /// Do not log.
    public var sessionToken: String?
    public var expiration: Date?
    /// Where they came from, e.g. `environment` or `profile default (~/.aws/credentials)`.
    public var source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil, source: String = "") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String {
        "AWS credentials \(TokenRedaction.accessKeyID(accessKeyID))\(sessionToken == nil ? "" : " (temporary)") from \(source)"
    }
}

/// The intermediate values of one signature, exposed so tests can compare them with reference vectors.
public struct SigV4Signature: Sendable, Hashable {
    public var canonicalRequest: String
    public var stringToSign: String
    /// Lower-case hex HMAC-SHA256.
    public var signature: String
    /// The `Authorization` header value.
    public var authorization: String
    /// Headers the signer adds to the request (X-Amz-Date, X-Amz-Security-Token, x-amz-content-sha256).
    public var addedHeaders: [(name: String, value: String)]
    public var signedHeaders: String

    public static func == (a: SigV4Signature, b: SigV4Signature) -> Bool {
        a.authorization == b.authorization && a.canonicalRequest == b.canonicalRequest
    }
    public func hash(into h: inout Hasher) { h.combine(authorization) }
}

/// AWS Signature Version 4, header signing (the `Authorization: AWS4-HMAC-SHA256 …` form).
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    /// Signing name, e.g. `sts`, `iam`, `eks`, `eks-auth`.
    public var service: String
    /// Adds `x-amz-content-sha256` (S3 style); off for the services widash calls, as botocore does.
    public var addContentSHA256Header: Bool
    /// Adds the session token after signing instead of signing it (an old STS-compatible variant).
    public var omitSessionTokenFromSignature: Bool
    /// Removes dot segments and repeated slashes from the path before encoding.
    public var normalizePath: Bool
    /// URI-encodes the path a second time (every service but S3; S3's rules set `disableDoubleEncoding`).
    public var doubleEncodePath: Bool

    /// Headers never signed: hop-by-hop headers and ones proxies or HTTP clients rewrite (botocore's list).
    static let unsignedHeaders: Set<String> = ["authorization", "baggage", "connection", "expect", "keep-alive",
                                               "proxy-authenticate", "proxy-authorization", "te", "traceparent", "tracestate",
                                               "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"]

    public init(credentials: AWSCredentials, region: String, service: String, addContentSHA256Header: Bool = false,
                omitSessionTokenFromSignature: Bool = false, normalizePath: Bool = true, doubleEncodePath: Bool = true) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.addContentSHA256Header = addContentSHA256Header
        self.omitSessionTokenFromSignature = omitSessionTokenFromSignature
        self.normalizePath = normalizePath
        self.doubleEncodePath = doubleEncodePath
    }

    /// A signer for a call to `host`'s service: S3 signs `x-amz-content-sha256` on every request
    /// and encodes the path once without normalising it (botocore `auth.py` S3SigV4Auth).
    public static func forResource(_ host: AWSResourceHost, credentials: AWSCredentials) -> SigV4Signer {
        SigV4Signer(credentials: credentials, region: host.region, service: host.service, addContentSHA256Header: host.isS3,
                    normalizePath: !host.isS3, doubleEncodePath: !host.isS3)
    }

    /// Signs `request` and returns it with the signing headers added.
    public func sign(_ request: HTTPRequest, date: Date = Date()) -> HTTPRequest {
        let components = URLComponents(string: request.url)
        var headers = request.headers
        if !headers.contains(where: { $0.name.lowercased() == "host" }), let host = Self.hostHeader(components) {
            // Signed with the host the URL names; libcurl sends the same Host (CONNECT_TO keeps it).
            headers.append(("Host", host))
        }
        let parts = signature(method: request.method, path: components?.percentEncodedPath ?? "/",
                              query: components?.percentEncodedQuery ?? "", headers: headers,
                              body: request.body ?? Data(), date: date)
        var signed = request
        signed.headers = request.headers + parts.addedHeaders + [("Authorization", parts.authorization)]
        return signed
    }

    /// Computes the signature for a request given as its parts. `path` is the path as sent on the
    /// wire; it is URI-encoded once more (SigV4's double encoding for services other than S3).
    public func signature(method: String, path: String, query: String, headers: [(name: String, value: String)],
                          body: Data, date: Date) -> SigV4Signature {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        let payloadHash = Self.hex(SHA256.hash(data: body))

        var added: [(name: String, value: String)] = []
        if let token = credentials.sessionToken, !omitSessionTokenFromSignature { added.append(("X-Amz-Security-Token", token)) }
        added.append(("X-Amz-Date", amzDate))
        if addContentSHA256Header { added.append(("x-amz-content-sha256", payloadHash)) }

        // Canonical headers: lower-case names, trimmed values with inner whitespace runs folded to one
        // space, repeated names joined with commas in order, sorted by name.
        var grouped: [String: [String]] = [:]
        for (name, value) in headers + added {
            let lower = name.lowercased()
            guard !Self.unsignedHeaders.contains(lower) else { continue }
            grouped[lower, default: []].append(Self.foldWhitespace(value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(grouped[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalRequest = [method.uppercased(), canonicalPath(path), Self.canonicalQuery(query),
                                canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope,
                            Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")

        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        if let token = credentials.sessionToken, omitSessionTokenFromSignature { added.insert(("X-Amz-Security-Token", token), at: 0) }
        return SigV4Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
                              authorization: authorization, addedHeaders: added, signedHeaders: signedHeaders)
    }

    // MARK: - canonical parts

    func canonicalPath(_ path: String) -> String {
        let p = path.isEmpty ? "/" : path
        let normalized = normalizePath ? Self.removeDotSegments(p) : p
        // `path` is the wire form (encoded once): encoding it again is SigV4's double encoding; S3's
        // canonical path is the decoded path encoded once.
        return Self.uriEncode(doubleEncodePath ? normalized : (normalized.removingPercentEncoding ?? normalized), keepSlash: true)
    }

    /// RFC 3986 dot-segment removal plus collapsing empty segments (`//`), keeping a trailing slash.
    static func removeDotSegments(_ path: String) -> String {
        var out: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !out.isEmpty { out.removeLast() }
            default: out.append(segment)
            }
        }
        var result = "/" + out.joined(separator: "/")
        if path.hasSuffix("/") && result != "/" { result += "/" }
        return result
    }

    /// Parameters percent-decoded then re-encoded with the unreserved set, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
            let value = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            return (uriEncode(key, keepSlash: false), uriEncode(value, keepSlash: false))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Percent-encodes every UTF-8 byte outside `A-Z a-z 0-9 - _ . ~` (and `/` when kept), upper-case hex.
    static func uriEncode(_ s: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func foldWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    static func hostHeader(_ c: URLComponents?) -> String? {
        guard let c, let host = c.host?.lowercased() else { return nil }
        if let port = c.port, !((c.scheme == "https" && port == 443) || (c.scheme == "http" && port == 80)) {
            return "\(host):\(port)"
        }
        return host
    }

    static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
