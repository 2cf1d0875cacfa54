import Foundation
import WidashSandboxKit

/// `*.vault.azure.net`: `GET /secrets/{name}[/{version}]?api-version=7.4`.
struct KeyVaultService: SandboxService {
    static let audience = "https://vault.azure.net"
    let access: ResourceAccess

    func answers(host: String) -> Bool { host.hasSuffix(".vault.azure.net") }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let vault = request.host.split(separator: ".").first.map(String.init) ?? request.host
        let challenge = ("WWW-Authenticate",
                         "Bearer authorization=\"https://login.microsoftonline.com/\(DemoDirectory.tenantID)\", resource=\"\(Self.audience)\"")
        let claims: EntraAccessTokenClaims
        // The SDKs send a first request without a token to learn the challenge: 401 comes before anything else.
        switch await access.check(request.bearerToken, audiences: [Self.audience]) {
        case .missing:
            return error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.", challenge)
        case .wrongAudience(let audience):
            return error(401, "Unauthorized", "AKV10022: Invalid audience. Expected \(Self.audience), found: \(audience).", challenge)
        case .rejected(.expired):
            return error(401, "Unauthorized", "[TokenExpired] Error validating token: 'S2S12086'.", challenge)
        case .rejected(.wrongIssuer(let issuer)):
            return error(401, "Unauthorized", "AKV10032: Invalid issuer. Expected one of https://sts.windows.net/\(DemoDirectory.tenantID)/, found \(issuer).", challenge)
        case .rejected:
            return error(401, "Unauthorized", "[BearerReadAccessTokenFailed] Error validating token: 'S2S12005'.", challenge)
        case .valid(let valid):
            claims = valid
        }
        guard request.query["api-version"]?.isEmpty == false else {
            return error(400, "BadParameter", "The request URI contains an invalid or missing API version (api-version).", nil)
        }
        let parts = request.path.split(separator: "/").map(String.init)
        guard request.method == "GET", parts.count >= 2, parts[0] == "secrets" else {
            return error(404, "NotFound", "The requested resource was not found.", nil)
        }
        let name = parts[1]
        guard access.isGranted(claims, host: request.host, path: request.path) else {
            let message = """
            Caller is not authorized to perform action on resource.\r
            If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r
            Caller: appid=\(claims.appid);oid=\(claims.oid);iss=\(claims.iss)\r
            Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r
            Resource: '/subscriptions/\(DemoDirectory.subscriptionID)/resourcegroups/\(DemoDirectory.resourceGroup.lowercased())/providers/microsoft.keyvault/vaults/\(vault)/secrets/\(name)'\r
            Assignment: (not found)\r
            DenyAssignmentId: null\r
            DecisionReason: null \r
            Vault: \(vault);location=eastus\r

            """
            return .json(403, ["error": ["code": "Forbidden", "message": message, "innererror": ["code": "ForbiddenByRbac"]]])
        }
        guard let value = DemoResourceData.secrets[name] else {
            return error(404, "SecretNotFound", "A secret with (name/id) \(name) was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", nil)
        }
        let secretVersion = AzureWire.stableID("\(vault)/\(name)").replacingOccurrences(of: "-", with: "")
        let created = Int(DemoResourceData.created.timeIntervalSince1970)
        let bundle: [String: Any] = [
            "value": value,
            "id": "https://\(request.host)/secrets/\(name)/\(secretVersion)",
            "attributes": ["enabled": true, "created": created, "updated": created,
                           "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90],
            "tags": [String: String](),
        ]
        return .json(200, bundle, headers: [("x-ms-keyvault-service-version", "1.9.1963.1"), ("x-ms-request-id", AzureWire.newID())])
    }

    private func error(_ status: Int, _ code: String, _ message: String, _ header: (String, String)?) -> SandboxResponse {
        .json(status, ["error": ["code": code, "message": message]],
              headers: [header].compactMap { $0 }.map { (name: $0.0, value: $0.1) } + [("x-ms-request-id", AzureWire.newID())])
    }
}
