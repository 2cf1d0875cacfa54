import Foundation
import WidashSandboxKit

/// `graph.microsoft.com` (v1.0): an application's federated identity credentials, by `appId` or
/// object id, and a service principal by `appId` (`/servicePrincipals(appId='{appId}')`,
/// https://learn.microsoft.com/graph/api/serviceprincipal-get) or object id. Reads need directory
/// read permission (Application.Read.All): every principal of the demo tenant holds it except the
/// limited operator, which gets Graph's 403 `Authorization_RequestDenied`.
///
/// Simplification: the demo keeps one object id per app (its service principal's, the `oid` of its
/// tokens) and answers `/applications/{id}` for it too; in Entra the application object has an id of its own.
struct GraphService: SandboxService {
    static let audiences: Set<String> = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]
    let access: ResourceAccess

    var directory: AzureDirectory { access.directory }

    func answers(host: String) -> Bool { host == "graph.microsoft.com" }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let claims: EntraAccessTokenClaims
        switch await access.check(request.bearerToken, audiences: Self.audiences) {
        case .valid(let valid): claims = valid
        case .missing: return error(401, "InvalidAuthenticationToken", "Access token is empty.", request)
        case .wrongAudience: return error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.", request)
        case .rejected(.expired): return error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", request)
        case .rejected: return error(401, "InvalidAuthenticationToken", "Access token validation failure.", request)
        }
        let path = request.path.removingPercentEncoding ?? request.path
        let parts = path.split(separator: "/").map(String.init)
        guard request.method == "GET", let target = GraphTarget(parts) else {
            return error(400, "BadRequest", "Resource not found for the segment '\(parts.last ?? "")'.", request)
        }
        // Graph checks the caller's permission before it looks the object up.
        if let caller = OperatorPrincipal.named(clientID: claims.appid), !caller.readsDirectory {
            return error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", request)
        }
        let notFound = error(404, "Request_ResourceNotFound",
                             "Resource '\(target.key)' does not exist or one of its queried reference-property objects are not present.", request)
        switch target {
        case .applicationCredentials(let key, let byAppID):
            guard let app = application(key, byAppID: byAppID) else { return notFound }
            return .json(200, Self.credentialList(app, clusterIssuer: access.clusterIssuer), headers: headers(request))
        case .servicePrincipal(let key, let byAppID):
            guard let principal = servicePrincipal(key, byAppID: byAppID) else { return notFound }
            return .json(200, principal.json, headers: headers(request))
        }
    }

    /// An app registration: a workload identity of kind `application`, or an operator's.
    private func application(_ key: String, byAppID: Bool) -> GraphPrincipal? {
        if let identity = byAppID ? directory.identity(clientID: key) : directory.identity(objectID: key) {
            return identity.kind == .application ? GraphPrincipal(identity) : nil
        }
        return (byAppID ? OperatorPrincipal.named(clientID: key) : OperatorPrincipal.named(objectID: key)).map(GraphPrincipal.init)
    }

    /// A service principal: every workload identity has one (a user-assigned identity's is of type
    /// ManagedIdentity), and so do the operators.
    private func servicePrincipal(_ key: String, byAppID: Bool) -> GraphPrincipal? {
        if let identity = byAppID ? directory.identity(clientID: key) : directory.identity(objectID: key) {
            return GraphPrincipal(identity)
        }
        return (byAppID ? OperatorPrincipal.named(clientID: key) : OperatorPrincipal.named(objectID: key)).map(GraphPrincipal.init)
    }

    static func credentialList(_ app: GraphPrincipal, clusterIssuer: String) -> [String: Any] {
        let value: [[String: Any]] = app.credentials(clusterIssuer: clusterIssuer).map { record in
            let id = AzureWire.stableID("\(app.objectID)/\(record.name)")
            return [
                "@odata.id": "https://graph.microsoft.com/v2/\(DemoDirectory.tenantID)/directoryObjects/$/Microsoft.DirectoryServices.Application('\(app.objectID)')/federatedIdentityCredentials/\(id)",
                "id": id, "name": record.name, "issuer": record.issuer, "subject": record.subject,
                "description": NSNull(), "audiences": record.audiences,
            ]
        }
        return ["@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications('\(app.objectID)')/federatedIdentityCredentials",
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

/// What a Graph path names.
enum GraphTarget: Equatable {
    /// `/v1.0/applications(appId='…')/federatedIdentityCredentials` or `/v1.0/applications/{id}/federatedIdentityCredentials`.
    case applicationCredentials(String, byAppID: Bool)
    /// `/v1.0/servicePrincipals(appId='…')` or `/v1.0/servicePrincipals/{id}`.
    case servicePrincipal(String, byAppID: Bool)

    init?(_ parts: [String]) {
        guard parts.first == "v1.0", parts.count >= 2 else { return nil }
        if parts.count == 3, parts[2] == "federatedIdentityCredentials", let appID = Self.appID(parts[1], collection: "applications") {
            self = .applicationCredentials(appID, byAppID: true)
        } else if parts.count == 4, parts[1] == "applications", parts[3] == "federatedIdentityCredentials" {
            self = .applicationCredentials(parts[2], byAppID: false)
        } else if parts.count == 2, let appID = Self.appID(parts[1], collection: "servicePrincipals") {
            self = .servicePrincipal(appID, byAppID: true)
        } else if parts.count == 3, parts[1] == "servicePrincipals" {
            self = .servicePrincipal(parts[2], byAppID: false)
        } else {
            return nil
        }
    }

    var key: String {
        switch self {
        case .applicationCredentials(let key, _), .servicePrincipal(let key, _): return key
        }
    }

    /// `collection(appId='X')` → X.
    static func appID(_ segment: String, collection: String) -> String? {
        let prefix = "\(collection)(appId='"
        guard segment.hasPrefix(prefix), segment.hasSuffix("')") else { return nil }
        return String(segment.dropFirst(prefix.count).dropLast(2))
    }
}

/// A principal as Graph shows it: a workload identity (application or managed identity) or an operator.
struct GraphPrincipal {
    var appID: String
    var objectID: String
    var displayName: String
    /// "Application" or "ManagedIdentity" (servicePrincipal resource, `servicePrincipalType`).
    var type: String
    var managedIdentityResourceID: String?
    var identity: DemoDirectory.AzureIdentitySpec?

    init(_ identity: DemoDirectory.AzureIdentitySpec) {
        appID = identity.clientID
        objectID = identity.objectID
        displayName = identity.displayName
        type = identity.kind == .application ? "Application" : "ManagedIdentity"
        managedIdentityResourceID = identity.kind == .userAssignedIdentity ? ManagedIdentityJSON.id(identity) : nil
        self.identity = identity
    }

    init(_ principal: OperatorPrincipal) {
        appID = principal.clientID
        objectID = principal.objectID
        displayName = principal.displayName
        type = "Application"
    }

    func credentials(clusterIssuer: String) -> [FederatedCredentialRecord] {
        identity.map { FederatedCredentialRecord.records(of: $0, clusterIssuer: clusterIssuer) } ?? []
    }

    /// The servicePrincipal resource (https://learn.microsoft.com/graph/api/resources/serviceprincipal),
    /// the properties a default GET returns that matter here.
    var json: [String: Any] {
        var alternativeNames: [String] = []
        if let resource = managedIdentityResourceID { alternativeNames = ["isExplicit=True", resource] }
        return [
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
            "id": objectID, "deletedDateTime": NSNull(), "accountEnabled": true, "alternativeNames": alternativeNames,
            "appDisplayName": displayName, "appDescription": NSNull(), "appId": appID,
            "appOwnerOrganizationId": type == "Application" ? DemoDirectory.tenantID as Any : NSNull(),
            "appRoleAssignmentRequired": false, "displayName": displayName, "servicePrincipalNames": [appID],
            "servicePrincipalType": type, "signInAudience": type == "Application" ? "AzureADMyOrg" as Any : NSNull(),
            "tags": [String](), "keyCredentials": [Any](), "passwordCredentials": [Any](),
        ]
    }
}
