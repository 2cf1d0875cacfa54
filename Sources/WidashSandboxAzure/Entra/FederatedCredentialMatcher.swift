import Foundation
import WidashSandboxKit

/// A federated identity credential as Entra stores it (issuer resolved to a full URL).
struct FederatedCredentialRecord: Equatable, Sendable {
    var name: String
    var issuer: String
    var subject: String
    var audiences: [String]

    /// The records of a demo identity; the cluster issuer is the sandbox's, plus the credential's suffix.
    static func records(of identity: DemoDirectory.AzureIdentitySpec, clusterIssuer: String) -> [FederatedCredentialRecord] {
        identity.credentials.map {
            FederatedCredentialRecord(name: $0.name, issuer: clusterIssuer + $0.issuerSuffix,
                                      subject: $0.subject, audiences: [$0.audience])
        }
    }
}

/// What a validated assertion presents.
struct PresentedAssertion: Equatable, Sendable {
    var issuer: String
    var subject: String
    var audiences: [String]
}

enum FederatedMatchResult: Equatable, Sendable {
    case matched(credentialName: String)
    /// No credential has the assertion's issuer (AADSTS700211).
    case issuerMismatch
    /// Credentials have the issuer, none of them the subject (AADSTS700213).
    case subjectMismatch
    /// Credentials have issuer and subject, none of them the audience (AADSTS700212).
    case audienceMismatch
    /// Nothing lines up (no credentials, or issuer and subject both unknown): AADSTS70021.
    case noMatch
}

/// Entra's federated-credential matching: exact, case-sensitive string comparison of issuer,
/// subject and audience (a trailing slash is a different issuer).
enum FederatedCredentialMatcher {
    static func match(_ assertion: PresentedAssertion, against records: [FederatedCredentialRecord]) -> FederatedMatchResult {
        guard !records.isEmpty else { return .noMatch }
        let sameIssuer = records.filter { $0.issuer == assertion.issuer }
        guard !sameIssuer.isEmpty else {
            // Only the issuer is off when some credential names this subject; otherwise several differ.
            return records.contains { $0.subject == assertion.subject } ? .issuerMismatch : .noMatch
        }
        let sameSubject = sameIssuer.filter { $0.subject == assertion.subject }
        guard !sameSubject.isEmpty else { return .subjectMismatch }
        guard let hit = sameSubject.first(where: { !Set($0.audiences).isDisjoint(with: assertion.audiences) }) else {
            return .audienceMismatch
        }
        return .matched(credentialName: hit.name)
    }

    /// The Entra error for a failed match.
    static func error(for result: FederatedMatchResult, assertion: PresentedAssertion) -> EntraError? {
        let audience = assertion.audiences.joined(separator: ",")
        switch result {
        case .matched: return nil
        case .issuerMismatch: return .noMatchingIssuer(assertion.issuer)
        case .subjectMismatch: return .noMatchingSubject(assertion.subject)
        case .audienceMismatch: return .noMatchingAudience(audience)
        case .noMatch: return .noMatchingRecord(issuer: assertion.issuer, subject: assertion.subject, audience: audience)
        }
    }
}
