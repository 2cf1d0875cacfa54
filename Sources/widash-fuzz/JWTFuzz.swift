import Foundation
import WidashCloud
import WidashCore

/// JWT decoding and every redaction of tokens. Invariant: no redaction shows a token's signature.
enum JWTFuzz {
    /// Signatures shorter than this could occur in the redacted text by chance (`chars`, a prefix).
    static let minimumCheckedSignature = 12

    static func run(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        decodeAndRedact(text)
        redactEmbeddedToken(data)
    }

    /// The input as a token: decode it, read every accessor, redact it all ways.
    static func decodeAndRedact(_ text: String) {
        var decoded: DecodedJWT?
        do {
            decoded = try JWT.decode(text)
        } catch {
            _ = String(describing: error)
        }
        if let jwt = decoded { readAll(jwt) }

        let redacted = TokenRedaction.redact(text)
        let summary = TokenRedaction.summary(text)
        let scrubbed = TokenRedaction.scrub(text)
        _ = TokenRedaction.redactOpaque(text)
        _ = TokenRedaction.accessKeyID(text)

        guard let jwt = decoded else { return }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return }
        let signature = String(parts[2])
        // Only when the signature cannot legitimately appear elsewhere in what is shown.
        guard signature.count >= minimumCheckedSignature,
              !parts[0].contains(signature), !parts[1].contains(signature),
              !jwt.header.serialized().contains(signature), !jwt.claims.serialized().contains(signature)
        else { return }
        fuzzExpect(!redacted.contains(signature), "TokenRedaction.redact shows the signature: \(redacted)")
        fuzzExpect(!summary.contains(signature), "TokenRedaction.summary shows the signature: \(summary)")
        // scrub finds tokens by their `eyJ` start (a JSON object header).
        if trimmed.hasPrefix("eyJ") {
            fuzzExpect(!scrubbed.contains(signature), "TokenRedaction.scrub shows the signature: \(scrubbed)")
        }
    }

    /// Free text (the input) with a well-formed token in the middle whose signature comes from the
    /// input: `scrub` must remove the signature whatever surrounds it.
    static func redactEmbeddedToken(_ data: Data) {
        guard data.count >= 24 else { return }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let signatureBytes = data.prefix(64).map { alphabet[Int($0 & 63)] }
        let signature = String(decoding: signatureBytes, as: UTF8.self)
        let rest = data.dropFirst(64)
        let split = rest.count / 2
        let before = String(decoding: rest.prefix(split), as: UTF8.self)
        let after = String(decoding: rest.dropFirst(split), as: UTF8.self)
        guard !before.contains(signature), !after.contains(signature) else { return }
        // {"alg":"RS256","kid":"fuzz"} . {"sub":"fuzz"}
        let token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZ1enoifQ.eyJzdWIiOiJmdXp6In0." + signature
        let text = before + " " + token + " " + after
        let scrubbed = TokenRedaction.scrub(text)
        fuzzExpect(!scrubbed.contains(signature), "TokenRedaction.scrub kept an embedded signature: \(scrubbed)")
        let bearer = TokenRedaction.scrub(before + " Authorization: Bearer " + token + "\n" + after)
        fuzzExpect(!bearer.contains(signature), "TokenRedaction.scrub kept a bearer token's signature: \(bearer)")
    }

    static func readAll(_ jwt: DecodedJWT) {
        _ = (jwt.alg, jwt.kid, jwt.typ, jwt.isUnsigned, jwt.iss, jwt.sub, jwt.jti, jwt.aud)
        _ = (jwt.exp, jwt.iat, jwt.nbf, jwt.kubernetes, jwt.lifetimeSeconds)
        _ = (jwt.header.serialized(), jwt.claims.serialized(), jwt.signatureLength)
    }
}
