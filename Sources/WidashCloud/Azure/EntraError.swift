import Foundation

/// The values Entra says the presented assertion carried, read from `error_description`.
public struct PresentedAssertion: Sendable, Hashable, Codable {
    public var issuer: String?
    public var subject: String?
    public var audience: String?
    public init(issuer: String? = nil, subject: String? = nil, audience: String? = nil) {
        self.issuer = issuer
        self.subject = subject
        self.audience = audience
    }
}

/// The time window of AADSTS700024 ("Client assertion is not within its valid time range").
public struct AssertionTimeWindow: Sendable, Hashable, Codable {
    public var currentTime: String?
    public var validFrom: String?
    public var expiry: String?
}

/// An Entra token-endpoint error: `{"error","error_description","error_codes","timestamp","trace_id","correlation_id","error_uri"}`.
public struct EntraError: Error, Sendable, Hashable, CustomStringConvertible {
    public var httpStatus: Int
    /// OAuth error, e.g. `invalid_client`, `invalid_request`, `unauthorized_client`.
    public var error: String
    public var errorDescription: String
    public var errorCodes: [Int]
    public var timestamp: String?
    public var traceID: String?
    public var correlationID: String?
    public var errorURI: String?

    /// `AADSTS700213`, from `error_codes` or the description's prefix.
    public var code: String? {
        if let first = errorCodes.first { return "AADSTS\(first)" }
        return EntraDescription.leadingCode(errorDescription)
    }
    /// Numeric code without the prefix.
    public var numericCode: Int? { errorCodes.first ?? code.flatMap { Int($0.dropFirst(6)) } }

    /// Issuer/subject/audience that Entra says the assertion presented.
    public var presented: PresentedAssertion { EntraDescription.presented(errorDescription) }
    /// The subject Entra says the credential should have (some codes name it).
    public var expectedSubject: String? { EntraDescription.quoted(errorDescription, after: "federated identity credential Subject is '") }
    /// AADSTS700024's time window.
    public var timeWindow: AssertionTimeWindow? { EntraDescription.timeWindow(errorDescription) }
    /// What the code means for workload identity, when widash knows it.
    public var meaning: EntraErrorMeaning? { numericCode.flatMap(EntraErrorMeaning.init(code:)) }

    /// The first sentence of the description (without trace/correlation ids), for one-line summaries.
    public var shortDescription: String {
        var text = errorDescription
        for marker in ["\r\n", "\n", " Trace ID:"] {
            if let r = text.range(of: marker) { text = String(text[..<r.lowerBound]) }
        }
        return text
    }

    public var description: String {
        "Entra refused the token request (HTTP \(httpStatus) \(error)): \(shortDescription)"
            + (traceID.map { " [trace \($0)" + (correlationID.map { ", correlation \($0)]" } ?? "]") } ?? "")
    }

    public init(httpStatus: Int, error: String, errorDescription: String, errorCodes: [Int] = [],
                timestamp: String? = nil, traceID: String? = nil, correlationID: String? = nil, errorURI: String? = nil) {
        self.httpStatus = httpStatus
        self.error = error
        self.errorDescription = errorDescription
        self.errorCodes = errorCodes
        self.timestamp = timestamp
        self.traceID = traceID
        self.correlationID = correlationID
        self.errorURI = errorURI
    }

    /// Parses an error body; nil when the body is not Entra's error JSON.
    public static func parse(status: Int, body: Data) -> EntraError? {
        struct Wire: Decodable {
            var error: String
            var error_description: String?
            var error_codes: [Int]?
            var timestamp: String?
            var trace_id: String?
            var correlation_id: String?
            var error_uri: String?
        }
        guard let w = try? JSONDecoder().decode(Wire.self, from: body) else { return nil }
        let description = w.error_description ?? ""
        return EntraError(httpStatus: status, error: w.error, errorDescription: description,
                          errorCodes: w.error_codes ?? [], timestamp: w.timestamp,
                          traceID: w.trace_id ?? EntraDescription.quotedID(description, label: "Trace ID: "),
                          correlationID: w.correlation_id ?? EntraDescription.quotedID(description, label: "Correlation ID: "),
                          errorURI: w.error_uri)
    }
}

/// What an AADSTS code means for a federated token exchange, and which field it is about.
public enum EntraErrorMeaning: Sendable, Hashable {
    /// 70021: no credential matched issuer + subject + audience together.
    case noMatchingCredential
    /// 700211: no credential has the presented issuer.
    case issuerMismatch
    /// 700212: no credential has the presented audience.
    case audienceMismatch
    /// 700213 (and 7002137/7002138): no credential has the presented subject.
    case subjectMismatch
    /// 700024: the assertion is expired or not yet valid.
    case assertionOutsideValidTime
    /// 90061 / 50166: Entra could not fetch the issuer's discovery document or keys.
    case issuerDiscoveryUnreachable
    /// 700016: no application with this client id in the tenant.
    case applicationNotFound
    /// 90002: the tenant does not exist.
    case tenantNotFound
    /// 50027 / 700027 / 50013: the assertion is malformed or its signature does not verify.
    case invalidAssertion
    /// 700238 / 70011 / 1002012: the scope is wrong.
    case invalidScope
    /// 7000215: a client secret was sent and is wrong: something authenticates with a static
    /// secret instead of the federated token (Microsoft's AADSTS reference: "Invalid client secret
    /// is provided").
    case invalidClientSecret
    /// 53003: Conditional Access blocked the token ("BlockedByConditionalAccess"): a policy for
    /// workload identities (location, risk) applies to this service principal.
    case blockedByConditionalAccess

    public init?(code: Int) {
        switch code {
        case 70021: self = .noMatchingCredential
        case 700211: self = .issuerMismatch
        case 700212: self = .audienceMismatch
        case 700213, 7002137, 7002138: self = .subjectMismatch
        case 700024: self = .assertionOutsideValidTime
        case 90061, 50166: self = .issuerDiscoveryUnreachable
        case 700016: self = .applicationNotFound
        case 90002: self = .tenantNotFound
        case 50027, 700027, 50013: self = .invalidAssertion
        case 70011, 1002012, 700238: self = .invalidScope
        case 7000215: self = .invalidClientSecret
        case 53003: self = .blockedByConditionalAccess
        default: return nil
        }
    }

    /// True for the codes that are about the trust relationship (step 3 of a trace).
    public var isTrustFailure: Bool {
        switch self {
        case .noMatchingCredential, .issuerMismatch, .audienceMismatch, .subjectMismatch,
             .assertionOutsideValidTime, .issuerDiscoveryUnreachable, .invalidAssertion, .blockedByConditionalAccess: return true
        case .applicationNotFound, .tenantNotFound, .invalidScope, .invalidClientSecret: return false
        }
    }
}

/// Reads the values Entra puts in its human-readable `error_description`.
enum EntraDescription {
    /// `AADSTS700213` at the start of a description.
    static func leadingCode(_ text: String) -> String? {
        guard let r = text.range(of: "AADSTS") else { return nil }
        let digits = text[r.upperBound...].prefix { $0.isNumber }
        return digits.isEmpty ? nil : "AADSTS\(digits)"
    }

    /// The text between `after` (case-insensitive) and the next `'`.
    static func quoted(_ text: String, after marker: String) -> String? {
        guard let r = text.range(of: marker, options: .caseInsensitive) else { return nil }
        let rest = text[r.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<end])
    }

    /// A GUID-like id after a label such as `Trace ID: `.
    static func quotedID(_ text: String, label: String) -> String? {
        guard let r = text.range(of: label) else { return nil }
        let id = text[r.upperBound...].prefix { $0.isHexDigit || $0 == "-" }
        return id.isEmpty ? nil : String(id)
    }

    static func presented(_ text: String) -> PresentedAssertion {
        PresentedAssertion(
            issuer: quoted(text, after: "Assertion Issuer: '") ?? quoted(text, after: "presented assertion issuer '"),
            subject: quoted(text, after: "Assertion Subject: '") ?? quoted(text, after: "presented assertion subject '"),
            audience: quoted(text, after: "Assertion Audience: '") ?? quoted(text, after: "presented assertion audience '"))
    }

    /// "Current time: T, assertion valid from F, expiry time of assertion E."
    static func timeWindow(_ text: String) -> AssertionTimeWindow? {
        func time(after marker: String) -> String? {
            guard let r = text.range(of: marker, options: .caseInsensitive) else { return nil }
            let rest = text[r.upperBound...].drop { $0 == " " }
            guard let z = rest.firstIndex(where: { $0 == "Z" || $0 == "," }) else { return nil }
            let value = rest[...z].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
            return value.isEmpty ? nil : value
        }
        let w = AssertionTimeWindow(currentTime: time(after: "Current time:"), validFrom: time(after: "valid from"),
                                    expiry: time(after: "expiry time of assertion"))
        return (w.currentTime ?? w.validFrom ?? w.expiry) == nil ? nil : w
    }
}
