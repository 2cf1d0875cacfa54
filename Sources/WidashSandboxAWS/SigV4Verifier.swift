import Foundation
import WidashSandboxKit

/// Checks a request's SigV4 `Authorization` header against the credential store, with the error
/// codes and messages real AWS endpoints return (query services and JSON services name them differently).
struct SigV4Verifier: Sendable {
    enum Flavor: Sendable { case query, json }

    let store: AWSCredentialStore
    /// The signing name the credential scope must carry (`sts`, `iam`, `eks`, `eks-auth`).
    let service: String
    let flavor: Flavor
    let now: @Sendable () -> Date
    /// How far the request's X-Amz-Date may be from the server's clock.
    var allowedSkew: TimeInterval = 15 * 60

    /// The credential that signed the request, or the error AWS would return.
    func authenticate(_ request: SandboxRequest) async -> Result<AWSCredential, AWSError> {
        guard let header = request.headers["authorization"] else {
            return .failure(flavor == .query
                ? AWSError(code: "MissingAuthenticationToken", message: "Request is missing Authentication Token", status: 403)
                : AWSError(code: "MissingAuthenticationTokenException", message: "Missing Authentication Token", status: 403))
        }
        let auth: SigV4.Authorization
        switch SigV4.Authorization.parse(header) {
        case .success(let parsed): auth = parsed
        case .failure(.missing(let names)):
            return .failure(incomplete(names.map { "Authorization header requires '\($0)' parameter." }.joined(separator: " ")))
        case .failure(.malformedCredential):
            return .failure(incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term."))
        case .failure(.unsupportedAlgorithm):
            return .failure(incomplete("Unsupported authorization type: only AWS4-HMAC-SHA256 (Signature Version 4) is accepted."))
        }
        if auth.terminator != "aws4_request" {
            return .failure(mismatch("Credential should be scoped with a valid terminator: 'aws4_request', not '\(auth.terminator)'."))
        }
        if auth.service != service {
            return .failure(mismatch("Credential should be scoped to correct service: '\(service)'. "))
        }
        guard let amzDate = request.headers["x-amz-date"], let signedAt = Self.parseAmzDate(amzDate) else {
            return .failure(incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."))
        }
        if !amzDate.hasPrefix(auth.date) {
            return .failure(mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(auth.date)' != '\(amzDate.prefix(8))', from '\(amzDate)'."))
        }
        if !auth.signedHeaders.contains("host") {
            return .failure(mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."))
        }
        guard let credential = await store.lookup(accessKeyID: auth.accessKeyID),
              credential.sessionToken == request.headers["x-amz-security-token"] else {
            return .failure(flavor == .query
                ? AWSError(code: "InvalidClientTokenId", message: "The security token included in the request is invalid.", status: 403)
                : AWSError(code: "UnrecognizedClientException", message: "The security token included in the request is invalid.", status: 403))
        }
        let clock = now()
        if let expiration = credential.expiration, expiration <= clock {
            return .failure(flavor == .query
                ? AWSError(code: "ExpiredToken", message: "The security token included in the request is expired", status: 403)
                : AWSError(code: "ExpiredTokenException", message: "The security token included in the request is expired", status: 403))
        }
        let expected = Self.expectedSignature(request, auth: auth, amzDate: amzDate, secret: credential.secretAccessKey)
        if expected != auth.signature {
            return .failure(mismatch(AWSError.signatureMismatchMessage))
        }
        if signedAt < clock.addingTimeInterval(-allowedSkew) {
            return .failure(mismatch("Signature expired: \(amzDate) is now earlier than \(Self.amzDate(clock.addingTimeInterval(-allowedSkew))) (\(Self.amzDate(clock)) - \(Int(allowedSkew / 60)) min.)"))
        }
        if signedAt > clock.addingTimeInterval(allowedSkew) {
            return .failure(mismatch("Signature not yet current: \(amzDate) is still later than \(Self.amzDate(clock.addingTimeInterval(allowedSkew))) (\(Self.amzDate(clock)) + \(Int(allowedSkew / 60)) min.)"))
        }
        return .success(credential)
    }

    /// The signature the request should carry if signed with `secret`.
    static func expectedSignature(_ request: SandboxRequest, auth: SigV4.Authorization, amzDate: String, secret: String) -> String {
        var headers = request.headers.map { (name: $0.key, value: $0.value) }
        if request.headers["host"] == nil { headers.append((name: "host", value: request.host)) }
        let canonical = SigV4.canonicalRequest(method: request.method, path: request.path, rawQuery: request.rawQuery,
                                               headers: headers, signedHeaders: auth.signedHeaders,
                                               payloadHash: AWSWire.sha256Hex(request.body))
        let toSign = SigV4.stringToSign(amzDate: amzDate, scope: auth.scope, canonicalRequest: canonical)
        return SigV4.signature(secret: secret, scope: auth, stringToSign: toSign)
    }

    private func incomplete(_ message: String) -> AWSError {
        AWSError(code: "IncompleteSignature", message: message, status: 400)
    }

    private func mismatch(_ message: String) -> AWSError {
        AWSError(code: flavor == .query ? "SignatureDoesNotMatch" : "InvalidSignatureException", message: message, status: 403)
    }

    static let utc = TimeZone(identifier: "UTC") ?? TimeZone.current

    /// Parses `yyyyMMddTHHmmssZ`.
    static func parseAmzDate(_ s: String) -> Date? {
        let chars = Array(s)
        guard chars.count == 16, chars[8] == "T", chars[15] == "Z" else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? { Int(String(chars[from..<(from + len)])) }
        guard let y = num(0, 4), let mo = num(4, 2), let d = num(6, 2), let h = num(9, 2), let mi = num(11, 2),
              let sec = num(13, 2) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        return calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: sec))
    }

    /// Formats `yyyyMMddTHHmmssZ`.
    static func amzDate(_ date: Date) -> String {
        AWSWire.iso8601(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
}
