import Foundation

/// Safe renderings of secrets: what may be shown, logged or written instead of a token.
/// None of them ever contains a signature or a whole secret.
public enum TokenRedaction {
    /// A short stand-in for a token: for a JWT `eyJhbGciOi….eyJhdWQiOl….<sig 342 chars>` (the
    /// first characters of the public header and claims parts); for anything else the first and
    /// last four characters of a long value, or only its length when it is short.
    public static func redact(_ token: String) -> String {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].hasPrefix("eyJ"), parts.allSatisfy({ $0.utf8.allSatisfy(Base64URL.isAlphabet) }) {
            return "\(parts[0].prefix(10))….\(parts[1].prefix(10))….<sig \(parts[2].count) chars>"
        }
        return redactOpaque(trimmed)
    }

    /// A secret that is not a JWT (an AWS secret key, a session token): `wJal…EKEY (40 chars)`
    /// when long enough that eight characters give nothing useful away, else `<N chars>`.
    public static func redactOpaque(_ secret: String) -> String {
        let n = secret.count
        guard n >= 24 else { return "<\(n) chars>" }
        return "\(secret.prefix(4))…\(secret.suffix(4)) (\(n) chars)"
    }

    /// The header and claims as compact JSON followed by `.…` in place of the signature, e.g.
    /// `{"alg":"RS256","kid":"k1"}.{"aud":["api://AzureADTokenExchange"],…}.…`. Falls back to
    /// ``redact(_:)`` when the token does not decode.
    public static func summary(_ token: String) -> String {
        guard let jwt = try? JWT.decode(token) else { return redact(token) }
        return "\(jwt.header.serialized()).\(jwt.claims.serialized()).…"
    }

    /// Replaces everything secret-looking in free text (log lines, error bodies): JWT-shaped
    /// strings (three base64url segments starting `eyJ`), AWS secret access keys and session
    /// tokens after their usual names (`SecretAccessKey`, `aws_secret_access_key`,
    /// `AWS_SESSION_TOKEN`, …) and bare 40-character AWS secret keys.
    public static func scrub(_ text: String) -> String {
        var out = scrubJWTs(text)
        out = scrubBearerTokens(out)
        out = scrubNamedSecrets(out)
        out = scrubBareAWSSecretKeys(out)
        return out
    }

    // MARK: JWTs

    /// A scanner rather than a regex: linear in the text, even for a megabyte of base64.
    static func scrubJWTs(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let marker = Array("eyJ".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let atBoundary = i == 0 || !Base64URL.isAlphabet(bytes[i - 1])
            if atBoundary, i + 3 <= bytes.count, bytes[i] == marker[0], bytes[i + 1] == marker[1], bytes[i + 2] == marker[2],
               let end = jwtEnd(bytes, from: i) {
                let token = String(decoding: bytes[i..<end], as: UTF8.self)
                out.append(contentsOf: Array(redact(token).utf8))
                i = end
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The end of a `segment.segment.segment` run starting at `start` (the signature may be
    /// empty, as for `alg: none`), or nil when the text there is not JWT-shaped.
    private static func jwtEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        var segmentLengths: [Int] = [0]
        while i < bytes.count {
            let b = bytes[i]
            if Base64URL.isAlphabet(b) {
                segmentLengths[segmentLengths.count - 1] += 1
            } else if b == UInt8(ascii: "."), segmentLengths.count < 3 {
                segmentLengths.append(0)
            } else {
                break
            }
            i += 1
        }
        guard segmentLengths.count == 3, segmentLengths[0] >= 4, segmentLengths[1] >= 2 else { return nil }
        return i
    }

    /// Opaque bearer tokens (`Authorization: Bearer …`); JWT ones are already replaced.
    static func scrubBearerTokens(_ text: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: "(Bearer\\s+)([A-Za-z0-9._~+/=-]{16,})", options: [.caseInsensitive]) else {
            return text
        }
        return replace(regex, in: text) { match, ns in
            let value = ns.substring(with: match.range(at: 2))
            if value.hasPrefix("eyJ") { return nil }
            return ns.substring(with: match.range(at: 1)) + redactOpaque(value)
        }
    }

    // MARK: AWS secrets

    /// Names after which a value is an AWS secret, in JSON, XML, env, INI or header form.
    static let secretNames = ["SecretAccessKey", "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY",
                              "SessionToken", "aws_session_token", "AWS_SESSION_TOKEN", "X-Amz-Security-Token",
                              "Token"]

    static func scrubNamedSecrets(_ text: String) -> String {
        var result = text
        for name in secretNames {
            // name, then up to a few separator characters (`":"`, `>`, `=`, `: `), then the value.
            let pattern = "(\(NSRegularExpression.escapedPattern(for: name))\"?\\s*(?:[:=>]|\"\\s*:)\\s*\"?)([A-Za-z0-9/+=_%-]{16,})"
            guard let regex = try? NSRegularExpression(pattern: pattern, options: name == "Token" ? [] : [.caseInsensitive]) else { continue }
            result = replace(regex, in: result) { match, ns in
                let prefix = ns.substring(with: match.range(at: 1))
                let value = ns.substring(with: match.range(at: 2))
                // JWTs were already replaced; do not redact the redaction.
                if value.hasPrefix("eyJ") { return nil }
                return prefix + redactOpaque(value)
            }
        }
        return result
    }

    /// Bare 40-character values of the AWS secret-key alphabet with a `/` or `+` and mixed case:
    /// git hashes and most identifiers do not look like that.
    static func scrubBareAWSSecretKeys(_ text: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: "(?<![A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])") else { return text }
        return replace(regex, in: text) { match, ns in
            let value = ns.substring(with: match.range(at: 1))
            let hasSlash = value.contains("/") || value.contains("+")
            let hasLower = value.contains(where: \.isLowercase)
            let hasUpper = value.contains(where: \.isUppercase)
            guard hasSlash, hasLower, hasUpper else { return nil }
            return redactOpaque(value)
        }
    }

    private static func replace(_ regex: NSRegularExpression, in text: String,
                                with replacement: (NSTextCheckingResult, NSString) -> String?) -> String {
        let ns = text as NSString
        let matches = regex.matches(in: text, range: NSRange(location: 0, length: ns.length))
        guard !matches.isEmpty else { return text }
        var out = ""
        var cursor = 0
        for match in matches {
            guard let new = replacement(match, ns) else { continue }
            out += ns.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            out += new
            cursor = match.range.location + match.range.length
        }
        out += ns.substring(from: cursor)
        return out
    }
}

extension TokenRedaction {
    /// An AWS access key id keeps its prefix (ASIA/AKIA tells temporary from long-term) and last 4.
    public static func accessKeyID(_ id: String) -> String {
        guard id.count > 8 else { return "…" }
        return "\(id.prefix(4))…\(id.suffix(4))"
    }
}
