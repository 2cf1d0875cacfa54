import Foundation
import WidashSandboxKit

/// `graph.microsoft.com`: an application's federated identity credentials, by `appId` or object id.
/// Any valid Graph token of the demo tenant may read them (as if it held Application.Read.All), the
/// demo operator's included.
struct GraphService: SandboxService {
    static let audiences: Set<String> = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]
    let access: ResourceAccess

    func answers(host: String) -> Bool { host == "graph.microsoft.com" }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        switch await access.check(request.bearerToken, audiences: Self.audiences) {
        case .valid: break
        case .missing: return error(401, "InvalidAuthenticationToken", "Access token is empty.", request)
        case .wrongAudience: return error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.", request)
        case .rejected(.expired): return error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", request)
        case .rejected: return error(401, "InvalidAuthenticationToken", "Access token validation failure.", request)
        }
        let path = request.path.removingPercentEncoding ?? request.path
        let parts = path.split(separator: "/").map(String.init)
        guard request.method == "GET", let key = Self.applicationKey(parts) else {
            return error(400, "BadRequest", "Resource not found for the segment '\(parts.last ?? "")'.", request)
        }
        let identity = DemoDirectory.azureIdentities.first {
            $0.kind == .application && (key.byAppID ? $0.clientID.lowercased() : $0.objectID.lowercased()) == key.id.lowercased()
        }
        guard let identity else {
            return error(404, "Request_ResourceNotFound",
                         "Resource '\(key.id)' does not exist or one of its queried reference-property objects are not present.", request)
        }
        return .json(200, Self.credentialList(identity, clusterIssuer: access.clusterIssuer), headers: headers(request))
    }

    /// `/v1.0/applications(appId='…')/federatedIdentityCredentials` or `/v1.0/applications/{id}/federatedIdentityCredentials`.
    static func applicationKey(_ parts: [String]) -> (id: String, byAppID: Bool)? {
        guard parts.first == "v1.0", parts.last == "federatedIdentityCredentials" else { return nil }
        let prefix = "applications(appId='"
        if parts.count == 3, parts[1].hasPrefix(prefix), parts[1].hasSuffix("')") {
            return (String(parts[1].dropFirst(prefix.count).dropLast(2)), true)
        }
        if parts.count == 4, parts[1] == "applications" { return (parts[2], false) }
        return nil
    }

    static func credentialList(_ identity: DemoDirectory.AzureIdentitySpec, clusterIssuer: String) -> [String: Any] {
        let records = FederatedCredentialRecord.records(of: identity, clusterIssuer: clusterIssuer)
        let value: [[String: Any]] = records.map { record in
            let id = AzureWire.stableID("\(identity.objectID)/\(record.name)")
            return [
                "@odata.id": "https://graph.microsoft.com/v2/\(DemoDirectory.tenantID)/directoryObjects/$/Microsoft.DirectoryServices.Application('\(identity.objectID)')/federatedIdentityCredentials/\(id)",
                "id": id, "name": record.name, "issuer": record.issuer, "subject": record.subject,
                "description": NSNull(), "audiences": record.audiences,
            ]
        }
        return ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications('\(identity.objectID)')/federatedIdentityCredentials",
                "value": value]
    }

    private func headers(_ request: SandboxRequest) -> [(name: String, value: String)] {
        [("request-id", AzureWire.newID()), ("client-request-id", request.headers["client-request-id"] ?? AzureWire.newID()),
         ("OData-Version", "4.0")]
    }

    private func error(_ status: Int, _ code: String, _ message: String, _ request: SandboxRequest) -> SandboxResponse {
        let inner: [String: Any] = ["date": AzureWire.iso8601(access.now()), "request-id": AzureWire.newID(),
                                    "client-request-id": request.headers["client-request-id"] ?? AzureWire.newID()]
        var extra: [(name: String, value: String)] = headers(request)
        if status == 401 {
            extra.append(("WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\""))
        }
        return .json(status, ["error": ["code": code, "message": message, "innerError": inner]], headers: extra)
    }
}
