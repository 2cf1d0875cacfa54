import Foundation
import WidashSandboxKit

/// `login.microsoftonline.com`: the token endpoint with federated-credential matching (and a client
/// secret for the demo operators only, see `OperatorPrincipal`), the
/// tenant's discovery documents and keys, and MSAL's instance discovery.
struct EntraService: SandboxService {
    static let hosts: Set<String> = ["login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net"]
    static let jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    let context: SandboxContext
    let authority: EntraTokenAuthority
    let directory: AzureDirectory
    let verifier: AssertionVerifier

    init(context: SandboxContext, authority: EntraTokenAuthority, directory: AzureDirectory) {
        self.context = context
        self.authority = authority
        self.directory = directory
        self.verifier = AssertionVerifier(metadata: IssuerMetadataCache(transport: context.transport, now: context.now))
    }

    func answers(host: String) -> Bool { Self.hosts.contains(host) }
    func answersLoopback(_ request: SandboxRequest) -> Bool { AzureSandbox.isEntraPath(request.path) }

    /// Whether `path` is one Entra serves; lets the server route loopback hosts by path.
    static func servesPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { return false }
        let tenant = parts[0].lowercased()
        let isTenant = UUID(uuidString: tenant) != nil || ["common", "organizations", "consumers"].contains(tenant)
            || tenant.contains(".")
        return isTenant && ["oauth2", "v2.0", "discovery", ".well-known", "error"].contains(parts[1])
    }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        let correlationID = request.headers["client-request-id"] ?? AzureWire.newID()
        let base = "https://" + (request.headers["host"] ?? request.host)
        guard let tenant = parts.first else { return notFound() }
        let rest = Array(parts.dropFirst())

        switch (request.method, rest) {
        case ("POST", ["oauth2", "v2.0", "token"]), ("POST", ["oauth2", "token"]):
            do {
                return try await token(request, tenant: tenant, v1: rest.count == 2)
            } catch {
                return error.response(now: context.now(), correlationID: correlationID)
            }
        case ("GET", ["discovery", "instance"]):
            return instanceDiscovery(request, correlationID: correlationID)
        case ("GET", ["v2.0", ".well-known", "openid-configuration"]), ("GET", [".well-known", "openid-configuration"]):
            guard let tenantID = resolveTenant(tenant, allowCommon: true) else {
                return EntraError.tenantNotFound(tenant).response(now: context.now(), correlationID: correlationID)
            }
            return .json(200, EntraDiscovery.document(base: base, tenant: tenant, tenantID: tenantID, v2: rest.count == 3))
        case ("GET", ["discovery", "v2.0", "keys"]), ("GET", ["discovery", "keys"]):
            guard resolveTenant(tenant, allowCommon: true) != nil else {
                return EntraError.tenantNotFound(tenant).response(now: context.now(), correlationID: correlationID)
            }
            return .json(200, authority.jwks(issuerHost: request.host))
        default:
            return notFound()
        }
    }

    private func notFound() -> SandboxResponse {
        SandboxResponse(status: 404, headers: [("Content-Type", "text/plain")], body: Data("Not Found".utf8))
    }

    /// The demo tenant by id (case-insensitive); `common`/`organizations` only where Entra allows them.
    private func resolveTenant(_ tenant: String, allowCommon: Bool) -> String? {
        if tenant.lowercased() == DemoDirectory.tenantID { return DemoDirectory.tenantID }
        if allowCommon, ["common", "organizations"].contains(tenant.lowercased()) { return "{tenantid}" }
        return nil
    }

    // MARK: - Token endpoint

    private func token(_ request: SandboxRequest, tenant: String, v1: Bool) async throws(EntraError) -> SandboxResponse {
        guard resolveTenant(tenant, allowCommon: false) != nil else { throw .tenantNotFound(tenant) }
        let form = request.form
        guard let grant = form["grant_type"], !grant.isEmpty else { throw .missingParameter("grant_type") }
        guard grant == "client_credentials" else { throw .unsupportedGrantType(grant) }
        guard let clientID = form["client_id"], !clientID.isEmpty else { throw .missingParameter("client_id") }
        guard let assertionText = form["client_assertion"], !assertionText.isEmpty else {
            guard let secret = form["client_secret"], !secret.isEmpty else { throw .missingClientCredential }
            return try await secretToken(clientID: clientID, secret: secret, form: form, v1: v1)
        }
        let assertionType = form["client_assertion_type"] ?? ""
        guard assertionType == Self.jwtBearer else { throw .invalidAssertionType(assertionType) }
        guard let identity = directory.identity(clientID: clientID) else {
            throw .applicationNotFound(clientID: clientID, tenant: DemoDirectory.tenantID)
        }
        let resource = try requestedResource(form, v1: v1)

        let now = context.now()
        try await checkFederation(assertionText, identity: identity, now: now)
        return try await issue(authority.claims(for: identity, resource: resource, now: now))
    }

    /// The resource named by `scope` (v2.0) or `resource` (v1.0), if the tenant knows it.
    private func requestedResource(_ form: [String: String], v1: Bool) throws(EntraError) -> String {
        let resource: String
        if v1 {
            guard let named = form["resource"], !named.isEmpty else { throw .missingParameter("resource") }
            resource = named
        } else {
            guard let scope = form["scope"], !scope.isEmpty else { throw .missingParameter("scope") }
            resource = try EntraResources.resource(fromScope: scope)
        }
        guard EntraResources.isKnown(resource) else { throw .resourceNotFound(resource, tenant: DemoDirectory.tenantID) }
        return resource
    }

    /// Client credentials with a secret: only the demo operators have one.
    private func secretToken(clientID: String, secret: String, form: [String: String], v1: Bool) async throws(EntraError) -> SandboxResponse {
        guard OperatorPrincipal.named(clientID: clientID) != nil || directory.identity(clientID: clientID) != nil else {
            throw .applicationNotFound(clientID: clientID, tenant: DemoDirectory.tenantID)
        }
        let resource = try requestedResource(form, v1: v1)
        let principal = try OperatorPrincipal.authenticate(clientID: clientID, secret: secret, directory: directory)
        return try await issue(principal.claims(authority: authority, resource: resource, now: context.now()))
    }

    /// Issuer first (without network, as Entra only contacts issuers it trusts), then the issuer's
    /// keys, signature and lifetime, then subject and audience.
    private func checkFederation(_ token: String, identity: DemoDirectory.AzureIdentitySpec, now: Date) async throws(EntraError) {
        guard let assertion = UnverifiedJWT(token), let issuer = assertion.issuer, let subject = assertion.subject else {
            throw .malformedAssertion
        }
        let presented = PresentedAssertion(issuer: issuer, subject: subject, audiences: assertion.audiences)
        let records = FederatedCredentialRecord.records(of: identity, clusterIssuer: context.clusterIssuer)
        let result = FederatedCredentialMatcher.match(presented, against: records)
        if result == .issuerMismatch || result == .noMatch,
           let error = FederatedCredentialMatcher.error(for: result, assertion: presented) {
            throw error
        }
        try await verifier.verify(token, assertion: assertion, issuer: issuer, now: now)
        if let error = FederatedCredentialMatcher.error(for: result, assertion: presented) { throw error }
    }

    private func issue(_ claims: EntraAccessTokenClaims) async throws(EntraError) -> SandboxResponse {
        let accessToken: String
        do {
            accessToken = try await authority.sign(claims)
        } catch {
            throw EntraError(status: 500, error: "temporarily_unavailable", code: 90033,
                             message: "A transient error has occurred. Please try again. (signing failed: \(error))")
        }
        let body: [String: Any] = [
            "token_type": "Bearer", "expires_in": EntraTokenAuthority.accessTokenLifetime,
            "ext_expires_in": EntraTokenAuthority.accessTokenLifetime, "access_token": accessToken,
        ]
        return .json(200, body, headers: [("Cache-Control", "no-store, no-cache"), ("x-ms-request-id", AzureWire.newID())])
    }

    // MARK: - Instance discovery (MSAL)

    private func instanceDiscovery(_ request: SandboxRequest, correlationID: String) -> SandboxResponse {
        let query = request.query
        guard let endpoint = query["authorization_endpoint"], let url = URL(string: endpoint), let host = url.host?.lowercased(),
              let tenant = url.path.split(separator: "/").first.map(String.init)
        else {
            return EntraError.missingParameter("authorization_endpoint").response(now: context.now(), correlationID: correlationID)
        }
        let loopback = ["localhost", "127.0.0.1", "::1", request.host]
        guard Self.hosts.contains(host) || loopback.contains(host) else {
            return EntraError.invalidInstance().response(now: context.now(), correlationID: correlationID)
        }
        let authority = url.port.map { "\(host):\($0)" } ?? host
        let version = url.path.contains("/v2.0/") ? "/v2.0" : ""
        let aliases = Self.hosts.contains(host)
            ? ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"] : [authority]
        let body: [String: Any] = [
            "tenant_discovery_endpoint": "https://\(authority)/\(tenant)\(version)/.well-known/openid-configuration",
            "api-version": query["api-version"] ?? "1.1",
            "metadata": [["preferred_network": aliases[0], "preferred_cache": aliases.count > 1 ? aliases[1] : aliases[0],
                          "aliases": aliases]],
        ]
        return .json(200, body)
    }
}

/// Entra's OpenID Connect discovery documents (v1 and v2 shapes).
enum EntraDiscovery {
    static func document(base: String, tenant: String, tenantID: String, v2: Bool) -> [String: Any] {
        let root = "\(base)/\(tenant)"
        let oauth = v2 ? "\(root)/oauth2/v2.0" : "\(root)/oauth2"
        return [
            "token_endpoint": "\(oauth)/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": v2 ? "\(root)/discovery/v2.0/keys" : "\(root)/discovery/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": v2 ? "\(base)/\(tenantID)/v2.0" : "https://sts.windows.net/\(tenantID)/",
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": "\(oauth)/authorize",
            "device_authorization_endpoint": "\(oauth)/devicecode",
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": "\(oauth)/logout",
            "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                                 "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
                                 "name", "tid", "ver", "at_hash", "c_hash", "email"],
            "kerberos_endpoint": "\(root)/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        ]
    }
}
