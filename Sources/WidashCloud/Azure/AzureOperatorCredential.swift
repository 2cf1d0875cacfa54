import Foundation
import WidashCore
import WidashHTTP

/// An access token of the person running widash, used to read federated credentials (Graph, ARM).
public struct OperatorToken: Sendable, CustomStringConvertible {
    /// The bearer token. Do not log it.
    public var accessToken: String
    public var expiresOn: Date?
    /// Where it came from, e.g. `Azure CLI` or `service principal (AZURE_CLIENT_ID=…)`.
    public var source: String
    public init(accessToken: String, expiresOn: Date?, source: String) {
        self.accessToken = accessToken
        self.expiresOn = expiresOn
        self.source = source
    }
    public var description: String { "operator token from \(source) \(TokenRedaction.redactOpaque(accessToken))" }
}

/// A token, or why there is none. "Unavailable" is not an error: the cloud side is then "not checked".
public enum OperatorTokenResult: Sendable {
    case token(OperatorToken)
    case unavailable(reason: String)
}

/// A source of operator tokens for a resource such as `https://graph.microsoft.com`.
public protocol AzureOperatorCredential: Sendable {
    func token(resource: String) async throws -> OperatorTokenResult
}

/// `az account get-access-token --resource R -o json`, as a subprocess.
public struct AzureCLICredential: AzureOperatorCredential {
    public var runner: any CommandRunner
    public var timeout: Duration

    public init(runner: any CommandRunner = ProcessCommandRunner(), timeout: Duration = .seconds(30)) {
        self.runner = runner
        self.timeout = timeout
    }

    public func token(resource: String) async throws -> OperatorTokenResult {
        let output = try await runner.run("az", ["account", "get-access-token", "--resource", resource, "-o", "json"], timeout: timeout)
        if output.status == 127 {
            return .unavailable(reason: "the Azure CLI (az) is not installed")
        }
        guard output.status == 0 else {
            let message = String(decoding: output.stderr.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .unavailable(reason: "az account get-access-token failed (\(message.isEmpty ? "exit \(output.status)" : message)): run `az login`")
        }
        struct Wire: Decodable {
            var accessToken: String
            var expiresOn: String?
            var expires_on: FlexibleInt?
        }
        guard let w = try? JSONDecoder().decode(Wire.self, from: output.stdout) else {
            throw CloudError.command("az account get-access-token printed something that is not its JSON: upgrade the Azure CLI")
        }
        let expiry = w.expires_on.map { Date(timeIntervalSince1970: TimeInterval($0.value)) }
        return .token(OperatorToken(accessToken: w.accessToken, expiresOn: expiry, source: "Azure CLI"))
    }
}

/// azure-identity's service-principal environment variables: AZURE_CLIENT_ID, AZURE_TENANT_ID and
/// AZURE_CLIENT_SECRET, exchanged by a client-credentials POST.
public struct ServicePrincipalEnvCredential: AzureOperatorCredential {
    public var transport: any HTTPTransport
    public var environment: [String: String]

    public init(transport: any HTTPTransport, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.transport = transport
        self.environment = environment
    }

    public func token(resource: String) async throws -> OperatorTokenResult {
        guard let clientID = environment["AZURE_CLIENT_ID"], !clientID.isEmpty,
              let tenantID = environment["AZURE_TENANT_ID"], !tenantID.isEmpty,
              let secret = environment["AZURE_CLIENT_SECRET"], !secret.isEmpty else {
            return .unavailable(reason: "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET are not all set")
        }
        let host = EntraAuthority.host(environment: environment)
        let fields = [("client_id", clientID), ("client_secret", secret), ("grant_type", "client_credentials"),
                      ("scope", EntraTokenClient.scope(forResource: resource))]
        let request = HTTPRequest(method: "POST", url: EntraAuthority.tokenURL(host: host, tenantID: tenantID),
                                  headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                  body: Data(FormEncoding.encode(fields).utf8))
        let response = try await send(transport, request)
        try TokenExchangeRetry.check(response, request: request, exchange: "the operator's Entra token request (AZURE_CLIENT_SECRET)") {
            EntraError.parse(status: response.status, body: response.body)?.description
        }
        if (200..<300).contains(response.status), let token = EntraAccessToken.parse(response.body) {
            return .token(OperatorToken(accessToken: token.accessToken, expiresOn: token.expiresOn,
                                        source: "service principal (AZURE_CLIENT_ID=\(clientID))"))
        }
        if let error = EntraError.parse(status: response.status, body: response.body) { throw CloudError.entra(error) }
        throw CloudError.unexpectedResponse(endpoint: request.url, status: response.status, detail: bodyExcerpt(response.body))
    }
}

/// Tries credentials in order; the first token wins. When none has one, the reasons are joined.
public struct AzureOperatorCredentialChain: AzureOperatorCredential {
    public var credentials: [any AzureOperatorCredential]
    public init(_ credentials: [any AzureOperatorCredential]) { self.credentials = credentials }

    /// The default order: service-principal env vars, then the Azure CLI.
    public static func standard(transport: any HTTPTransport, environment: [String: String] = ProcessInfo.processInfo.environment,
                                runner: any CommandRunner = ProcessCommandRunner()) -> AzureOperatorCredentialChain {
        AzureOperatorCredentialChain([ServicePrincipalEnvCredential(transport: transport, environment: environment),
                                      AzureCLICredential(runner: runner)])
    }

    public func token(resource: String) async throws -> OperatorTokenResult {
        var reasons: [String] = []
        for credential in credentials {
            switch try await credential.token(resource: resource) {
            case .token(let t): return .token(t)
            case .unavailable(let reason): reasons.append(reason)
            }
        }
        return .unavailable(reason: reasons.isEmpty ? "no operator credentials configured" : reasons.joined(separator: "; "))
    }
}
