import Foundation
import WidashSandboxKit

/// An error the emulated Entra token endpoint answers with, worded as Entra words it (wording
/// taken from real responses quoted in public issue threads; see the report of issue 3).
struct EntraError: Error, Equatable, Sendable {
    var status: Int
    /// OAuth `error`: invalid_client, invalid_request, unauthorized_client, invalid_scope, …
    var error: String
    var code: Int
    /// The text after `AADSTSnnn: ` and before the trace lines.
    var message: String
    /// Newer FIC errors put the trace lines on the same line; older errors use CRLF.
    var traceSeparator: String = "\r\n"

    static let ficDocs = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
    static let ficHint = "Check your federated identity credential Subject, Audience and Issuer against the presented assertion."

    /// The JSON body and status, with fresh trace id and the caller's correlation id.
    func response(now: Date, correlationID: String) -> SandboxResponse {
        let traceID = AzureWire.newID()
        let timestamp = AzureWire.entraTimestamp(now)
        let sep = traceSeparator
        let description = "AADSTS\(code): \(message)\(sep)Trace ID: \(traceID)\(sep)Correlation ID: \(correlationID)\(sep)Timestamp: \(timestamp)"
        let body: [String: Any] = [
            "error": error, "error_description": description, "error_codes": [code], "timestamp": timestamp,
            "trace_id": traceID, "correlation_id": correlationID,
            "error_uri": "https://login.microsoftonline.com/error?code=\(code)",
        ]
        return .json(status, body, headers: [("x-ms-request-id", traceID), ("Cache-Control", "no-store, no-cache")])
    }

    // MARK: - Request errors

    static func tenantNotFound(_ tenant: String) -> EntraError {
        EntraError(status: 400, error: "invalid_request", code: 90002,
                   message: "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.")
    }

    static func missingParameter(_ name: String) -> EntraError {
        EntraError(status: 400, error: "invalid_request", code: 900144,
                   message: "The request body must contain the following parameter: '\(name)'.")
    }

    static func unsupportedGrantType(_ grant: String) -> EntraError {
        EntraError(status: 400, error: "unsupported_grant_type", code: 70003,
                   message: "The app requested an unsupported grant type '\(grant)'.")
    }

    static func invalidAssertionType(_ type: String) -> EntraError {
        EntraError(status: 400, error: "invalid_request", code: 900023,
                   message: "Specified client_assertion_type '\(type)' is not supported. Use 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.")
    }

    static func applicationNotFound(clientID: String, tenant: String) -> EntraError {
        EntraError(status: 400, error: "unauthorized_client", code: 700016,
                   message: "Application with identifier '\(clientID)' was not found in the directory '\(tenant)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.")
    }

    static func invalidScope(_ scope: String) -> EntraError {
        EntraError(status: 400, error: "invalid_scope", code: 1002012,
                   message: "The provided value for scope \(scope) is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
    }

    static func resourceNotFound(_ resource: String, tenant: String) -> EntraError {
        EntraError(status: 400, error: "invalid_resource", code: 500011,
                   message: "The resource principal named \(resource) was not found in the tenant named \(tenant). This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.")
    }

    // MARK: - Assertion errors

    static let malformedAssertion = EntraError(status: 400, error: "invalid_request", code: 50027,
                                               message: "JWT token is invalid or malformed.")

    static func assertionOutsideValidTime(now: Date, notBefore: Date?, expiry: Date?) -> EntraError {
        let from = notBefore.map(AzureWire.entraPreciseTime) ?? "(none)"
        let until = expiry.map(AzureWire.entraPreciseTime) ?? "(none)"
        return EntraError(status: 401, error: "invalid_client", code: 700024,
                          message: "Client assertion is not within its valid time range. Current time: \(AzureWire.entraPreciseTime(now)), assertion valid from \(from), expiry time of assertion \(until). Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .")
    }

    /// The issuer's discovery document could not be fetched.
    static let discoveryUnreachable = EntraError(status: 400, error: "invalid_request", code: 90061,
                                                 message: "Request to External OIDC endpoint failed.")
    /// The issuer's JWKS could not be fetched.
    static let keysUnreachable = EntraError(status: 400, error: "invalid_request", code: 50166,
                                            message: "Request to External OIDC endpoint failed.")
    /// The issuer's JWKS was fetched but is not a usable key set.
    static let keysUnparseable = EntraError(status: 400, error: "invalid_request", code: 900612,
                                            message: "Failed to parse provider signing keys.", traceSeparator: " ")

    static func signingKeyNotFound(keyID: String, issuer: String) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 7000272,
                   message: "The certificate with identifier \(keyID) used to sign the federated credential could not be found in the metadata of identity provider \(issuer). Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.",
                   traceSeparator: " ")
    }

    static let invalidSignature = EntraError(status: 401, error: "invalid_client", code: 700027,
                                             message: "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]")

    // MARK: - Federated identity credential matching

    static func noMatchingIssuer(_ issuer: String) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 700211,
                   message: "No matching federated identity record found for presented assertion issuer '\(issuer)'. \(ficHint) \(ficDocs)",
                   traceSeparator: " ")
    }

    static func noMatchingSubject(_ subject: String) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 700213,
                   message: "No matching federated identity record found for presented assertion subject '\(subject)'. \(ficHint) \(ficDocs)",
                   traceSeparator: " ")
    }

    static func noMatchingAudience(_ audience: String) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 700212,
                   message: "No matching federated identity record found for presented assertion audience '\(audience)'. \(ficHint) \(ficDocs)",
                   traceSeparator: " ")
    }

    static func noMatchingRecord(issuer: String, subject: String, audience: String) -> EntraError {
        EntraError(status: 400, error: "invalid_request", code: 70021,
                   message: "No matching federated identity record found for presented assertion. Assertion Issuer: '\(issuer)'. Assertion Subject: '\(subject)'. Assertion Audience: '\(audience)'. \(ficDocs)")
    }
}

extension EntraError {
    static let missingClientCredential = EntraError(status: 401, error: "invalid_client", code: 7000218,
                                                    message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")

    static func invalidInstance() -> EntraError {
        EntraError(status: 400, error: "invalid_instance", code: 50049, message: "Unknown or invalid instance.")
    }
}

// MARK: - Client secrets

extension EntraError {
    /// A client secret that is not one of the app's (wording from real responses, e.g.
    /// OfficeDev/microsoft-365-agents-toolkit#8621, Azure/sap-automation#418).
    static func invalidClientSecret(clientID: String) -> EntraError {
        EntraError(status: 401, error: "invalid_client", code: 7000215,
                   message: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(clientID)'.")
    }

    /// A client secret for an app (or managed identity) that has no secrets or certificates at all
    /// (AzureAD/microsoft-authentication-library-for-dotnet#2938).
    static let noConfiguredKeys = EntraError(status: 401, error: "invalid_client", code: 700026,
                                             message: "Client application has no configured keys.")
}
