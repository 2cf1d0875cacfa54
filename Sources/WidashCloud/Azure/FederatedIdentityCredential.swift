import Foundation
import WidashCore

/// Who holds a federated identity credential: an app registration (Graph) or a user-assigned
/// managed identity (ARM).
public enum FederatedCredentialHolder: Sendable, Hashable {
    case application(appID: String)
    case userAssignedIdentity(resourceID: String, name: String, resourceGroup: String, subscriptionID: String)

    /// "application <appId>" or "managed identity <name> (resource group <rg>)".
    public var label: String {
        switch self {
        case .application(let appID): return "application \(appID)"
        case .userAssignedIdentity(_, let name, let rg, _): return "managed identity \(name) (resource group \(rg))"
        }
    }
}

/// One federated identity credential (Graph `federatedIdentityCredential` or ARM
/// `Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials`).
public struct FederatedIdentityCredential: Sendable, Hashable, Codable {
    public var name: String
    public var issuer: String
    public var subject: String
    public var audiences: [String]
    public var id: String?
    public var description: String?
    /// A flexible credential's expression (`claims['sub'] matches '…'`) instead of a subject; nil for
    /// the usual kind.
    public var claimsMatchingExpression: String?

    public init(name: String, issuer: String, subject: String, audiences: [String], id: String? = nil, description: String? = nil,
                claimsMatchingExpression: String? = nil) {
        self.name = name
        self.issuer = issuer
        self.subject = subject
        self.audiences = audiences
        self.id = id
        self.description = description
        self.claimsMatchingExpression = claimsMatchingExpression
    }

    /// Entra's rule: issuer and subject match exactly (case and trailing slash matter) and the
    /// token carries one of the audiences. A flexible credential matches when its expression holds
    /// for the subject; one widash cannot evaluate never matches here (see `ClaimsExpression`).
    public func matches(issuer: String, subject: String, audiences tokenAudiences: [String]) -> Bool {
        guard self.issuer == issuer, !Set(self.audiences).isDisjoint(with: tokenAudiences) else { return false }
        if let expression = claimsMatchingExpression { return ClaimsExpression(expression)?.holds(claims: ["sub": subject]) == true }
        return self.subject == subject
    }
}

/// The wire form of a flexible credential's expression (`{"value": "…", "languageVersion": 1}`).
struct ClaimsMatchingExpression: Decodable {
    var value: String
}

/// The result of comparing a token with an identity's federated credentials.
public struct FederatedCredentialEvaluation: Sendable, Hashable {
    /// The credential Entra would accept, when one matches.
    public var match: FederatedIdentityCredential?
    /// The credential closest to the token (most fields equal), when none matches.
    public var closest: FederatedIdentityCredential?
    /// Fields of `closest` that differ: expected = the credential's value, actual = the token's.
    public var mismatches: [Mismatch]
    /// Hints such as "differs only by a trailing slash" or "differs only in case".
    public var hints: [String]

    /// Compares the token's issuer/subject/audiences with every credential.
    public static func evaluate(_ credentials: [FederatedIdentityCredential], issuer: String, subject: String,
                                audiences: [String]) -> FederatedCredentialEvaluation {
        if let m = credentials.first(where: { $0.matches(issuer: issuer, subject: subject, audiences: audiences) }) {
            return FederatedCredentialEvaluation(match: m, closest: m, mismatches: [], hints: [])
        }
        func score(_ c: FederatedIdentityCredential) -> Int {
            (c.issuer == issuer ? 4 : 0) + (c.subject == subject ? 2 : 0) + (Set(c.audiences).isDisjoint(with: audiences) ? 0 : 1)
        }
        // The closest is a credential with a subject; flexible ones are reported by the audit apart.
        let exact = credentials.filter { $0.claimsMatchingExpression == nil }
        guard let closest = exact.max(by: { score($0) < score($1) }) else {
            return FederatedCredentialEvaluation(match: nil, closest: nil, mismatches: [], hints: [])
        }
        var mismatches: [Mismatch] = []
        var hints: [String] = []
        if closest.issuer != issuer {
            mismatches.append(Mismatch(field: "issuer", expected: closest.issuer, actual: issuer))
            if closest.issuer.trimmingSlashes == issuer.trimmingSlashes {
                hints.append("the issuers differ only by a trailing slash: Entra compares them exactly")
            } else if closest.issuer.lowercased() == issuer.lowercased() {
                hints.append("the issuers differ only in case: Entra compares them exactly")
            }
        }
        if closest.subject != subject {
            mismatches.append(Mismatch(field: "subject", expected: closest.subject, actual: subject))
            if closest.subject.lowercased() == subject.lowercased() {
                hints.append("the subjects differ only in case: Entra compares them case-sensitively")
            }
        }
        if Set(closest.audiences).isDisjoint(with: audiences) {
            mismatches.append(Mismatch(field: "audience", expected: closest.audiences.joined(separator: ","),
                                       actual: audiences.joined(separator: ",")))
        }
        return FederatedCredentialEvaluation(match: nil, closest: closest, mismatches: mismatches, hints: hints)
    }
}

extension String {
    var trimmingSlashes: String {
        var s = self
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}

/// The commands that create or correct a federated credential, for diagnoses.
public enum AzureFixCommands {
    /// Shell single-quoting.
    static func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A credential name derived from the service account, e.g. `widash-shop-frontend`.
    public static func suggestedName(namespace: String, serviceAccount: String) -> String {
        let raw = "\(namespace)-\(serviceAccount)"
        return String(raw.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.prefix(120))
    }

    /// `az identity federated-credential create|update …` or `az ad app federated-credential create|update …`.
    /// With `holder` nil (credentials not readable), the managed-identity form with placeholders.
    public static func command(holder: FederatedCredentialHolder?, existingName: String?, name: String,
                               issuer: String, subject: String, audience: String) -> String {
        switch holder {
        case .application(let appID):
            let params = "{\"name\":\"\(existingName ?? name)\",\"issuer\":\"\(issuer)\",\"subject\":\"\(subject)\",\"audiences\":[\"\(audience)\"]}"
            if let existing = existingName {
                return "az ad app federated-credential update --id \(appID) --federated-credential-id \(q(existing)) --parameters \(q(params))"
            }
            return "az ad app federated-credential create --id \(appID) --parameters \(q(params))"
        case .userAssignedIdentity(_, let identity, let rg, let sub):
            let verb = existingName == nil ? "create" : "update"
            return "az identity federated-credential \(verb) --name \(q(existingName ?? name)) --identity-name \(q(identity)) --resource-group \(q(rg)) --subscription \(sub) --issuer \(q(issuer)) --subject \(q(subject)) --audiences \(q(audience))"
        case nil:
            return "az identity federated-credential create --name \(q(name)) --identity-name <identity-name> --resource-group <resource-group> --issuer \(q(issuer)) --subject \(q(subject)) --audiences \(q(audience))"
                + "  (for an app registration: az ad app federated-credential create --id <app-id> --parameters …)"
        }
    }
}
