import Foundation
import Crypto

/// AWS Signature Version 4 (header form), computed per the AWS "Create a signed AWS API request"
/// guide. Pure functions: the verifier and the tests both build canonical requests with these.
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"

    /// The parsed `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header.
    public struct Authorization: Sendable, Equatable {
        public var accessKeyID: String
        /// `yyyyMMdd` from the credential scope.
        public var date: String
        public var region: String
        public var service: String
        /// The scope's terminator; must be `aws4_request`.
        public var terminator: String
        public var signedHeaders: [String]
        public var signature: String

        public var scope: String { "\(date)/\(region)/\(service)/\(terminator)" }

        /// Parses the header; fails when it is not SigV4 or misses a part (the error says which).
        public static func parse(_ header: String) -> Result<Authorization, ParseError> {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(algorithm + " ") else { return .failure(.unsupportedAlgorithm) }
            var fields: [String: String] = [:]
            for part in trimmed.dropFirst(algorithm.count + 1).split(separator: ",") {
                let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
            }
            var missing: [String] = []
            for name in ["Credential", "Signature", "SignedHeaders"] where fields[name] == nil { missing.append(name) }
            guard missing.isEmpty, let credential = fields["Credential"], let signed = fields["SignedHeaders"],
                  let signature = fields["Signature"] else { return .failure(.missing(missing)) }
            let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard scope.count == 5 else { return .failure(.malformedCredential(credential)) }
            return .success(Authorization(accessKeyID: scope[0], date: scope[1], region: scope[2], service: scope[3],
                                          terminator: scope[4],
                                          signedHeaders: signed.split(separator: ";").map { $0.lowercased() },
                                          signature: signature.lowercased()))
        }
    }

    public enum ParseError: Error, Sendable, Equatable {
        case unsupportedAlgorithm
        case missing([String])
        case malformedCredential(String)
    }

    /// The canonical request. `path` is the path as it appears on the wire; it is normalised
    /// (unless `normalizePath` is false) and URI-encoded once more, as AWS does for every service but S3.
    public static func canonicalRequest(method: String, path: String, rawQuery: String,
                                        headers: [(name: String, value: String)], signedHeaders: [String],
                                        payloadHash: String, normalizePath: Bool = true) -> String {
        let uri = encode(normalizePath ? normalize(path) : (path.isEmpty ? "/" : path), keepSlash: true)
        let canonicalHeaders = signedHeaders.map { name in "\(name):\(headerValue(name, in: headers))\n" }.joined()
        return [method.uppercased(), uri, canonicalQuery(rawQuery), canonicalHeaders,
                signedHeaders.joined(separator: ";"), payloadHash].joined(separator: "\n")
    }

    public static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope, AWSWire.sha256Hex(Data(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
    public static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secret)".utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    public static func signature(secret: String, scope auth: Authorization, stringToSign: String) -> String {
        let key = signingKey(secret: secret, date: auth.date, region: auth.region, service: auth.service)
        return AWSWire.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// Signs a request (header form) and returns the `Authorization` value; the tests' client side.
    public static func authorizationHeader(method: String, path: String, rawQuery: String,
                                           headers: [(name: String, value: String)], body: Data,
                                           accessKeyID: String, secret: String, region: String, service: String,
                                           amzDate: String) -> String {
        let signed = Array(Set(headers.map { $0.name.lowercased() })).sorted()
        let auth = Authorization(accessKeyID: accessKeyID, date: String(amzDate.prefix(8)), region: region,
                                 service: service, terminator: "aws4_request", signedHeaders: signed, signature: "")
        let canonical = canonicalRequest(method: method, path: path, rawQuery: rawQuery, headers: headers,
                                         signedHeaders: signed, payloadHash: AWSWire.sha256Hex(body))
        let sts = stringToSign(amzDate: amzDate, scope: auth.scope, canonicalRequest: canonical)
        let sig = signature(secret: secret, scope: auth, stringToSign: sts)
        return "\(algorithm) Credential=\(accessKeyID)/\(auth.scope), SignedHeaders=\(signed.joined(separator: ";")), Signature=\(sig)"
    }

    // MARK: - Canonical parts

    /// All values of a header, trimmed, inner runs of spaces collapsed, joined with ",".
    static func headerValue(_ name: String, in headers: [(name: String, value: String)]) -> String {
        headers.filter { $0.name.lowercased() == name }.map { collapse($0.value) }.joined(separator: ",")
    }

    static func collapse(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }

    /// Sorted `key=value` pairs, each decoded and re-encoded with AWS's strict encoding.
    static func canonicalQuery(_ rawQuery: String) -> String {
        let pairs: [(String, String)] = rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = encode(decode(String(kv[0])), keepSlash: false)
            let value = kv.count > 1 ? encode(decode(String(kv[1])), keepSlash: false) : ""
            return (key, value)
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func decode(_ s: String) -> String { s.removingPercentEncoding ?? s }

    /// Percent-encodes every byte except the unreserved characters (and "/" when asked).
    static func encode(_ s: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Removes "." and ".." segments and empty segments, keeping a trailing slash (as botocore's
    /// `normpath` plus trailing-slash rule).
    static func normalize(_ path: String) -> String {
        var stack: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = stack.popLast()
            default: stack.append(segment)
            }
        }
        var result = "/" + stack.joined(separator: "/")
        if path.hasSuffix("/"), !stack.isEmpty { result += "/" }
        return result
    }
}
