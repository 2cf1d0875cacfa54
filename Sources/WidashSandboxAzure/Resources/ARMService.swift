import Foundation
import WidashSandboxKit

/// `management.azure.com`: subscriptions, user-assigned managed identities with their federated
/// identity credentials (api-version 2023-01-31 and 2024-11-30), and role assignments and role
/// definitions (`Microsoft.Authorization`, api-version 2022-04-01). Paths are case-insensitive, as in
/// ARM. Every read is authorized as ARM does, by the caller's role assignments: some assignment at the
/// scope or above whose role allows the operation's action (`AzureDirectory.allows`); otherwise 403
/// AuthorizationFailed naming the action and scope.
struct ARMService: SandboxService {
    static let audiences: Set<String> = ["https://management.azure.com", "https://management.core.windows.net"]
    static let identityAPIVersions = ["2024-11-30", "2023-01-31"]
    static let subscriptionAPIVersions = ["2022-12-01", "2021-01-01", "2020-01-01", "2016-06-01"]
    static let authorizationAPIVersions = ["2022-04-01", "2022-05-01-preview", "2015-07-01"]
    static let identityType = "Microsoft.ManagedIdentity/userAssignedIdentities"
    static let subscriptionRead = "Microsoft.Resources/subscriptions/read"
    let access: ResourceAccess

    var directory: AzureDirectory { access.directory }
    static var subscriptionScope: String { "/subscriptions/\(DemoDirectory.subscriptionID)" }

    func answers(host: String) -> Bool { host == DemoDirectory.armHost }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let claims: EntraAccessTokenClaims
        switch await access.check(request.bearerToken, audiences: Self.audiences) {
        case .valid(let valid): claims = valid
        case .missing:
            return ARMError.response(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                                     challenge: "The authentication failed because of missing 'Authorization' header.")
        case .wrongAudience(let audience):
            return ARMError.response(401, "InvalidAuthenticationTokenAudience",
                                     "The access token has been obtained for wrong audience or resource '\(audience)'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.",
                                     challenge: "The access token has been obtained for wrong audience or resource.")
        case .rejected(.expired(let expiry)):
            return ARMError.response(401, "ExpiredAuthenticationToken",
                                     "The access token expiry UTC time '\(Self.armTime(expiry))' is earlier than current UTC time '\(Self.armTime(access.now()))'.",
                                     challenge: "The access token expiry UTC time is earlier than current UTC time.")
        case .rejected(.wrongIssuer(let issuer)):
            return ARMError.response(401, "InvalidAuthenticationTokenTenant",
                                     "The access token is from the wrong issuer '\(issuer)'. It must match the tenant 'https://sts.windows.net/\(DemoDirectory.tenantID)/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/\(DemoDirectory.tenantID)' to get the token.",
                                     challenge: "The access token is from the wrong issuer.")
        case .rejected:
            return ARMError.response(401, "InvalidAuthenticationToken", "The access token is invalid.", challenge: "The access token is invalid.")
        }
        guard request.method == "GET" else {
            return ARMError.response(405, "MethodNotAllowed", "The emulated ARM serves GET requests only.")
        }
        let parts = request.path.split(separator: "/").map { String($0) }
        let lower = parts.map { $0.lowercased() }
        let version = request.query["api-version"] ?? ""
        guard !version.isEmpty else {
            return ARMError.response(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
        }
        let supported = lower.contains("microsoft.authorization") ? Self.authorizationAPIVersions
            : lower.contains("microsoft.managedidentity") ? Self.identityAPIVersions : Self.subscriptionAPIVersions
        guard supported.contains(version) else {
            return ARMError.response(400, "InvalidApiVersionParameter",
                                     "The api-version '\(version)' is invalid. The supported versions are '\(supported.joined(separator: ","))'.")
        }
        if lower == ["subscriptions"] {
            // ARM lists the subscriptions the caller may read.
            let visible = directory.allows(principalID: claims.oid, action: Self.subscriptionRead, scope: Self.subscriptionScope)
            return .json(200, ["value": visible ? [Self.subscription] : [], "count": ["type": "Total", "value": visible ? 1 : 0]],
                         headers: ARMError.headers())
        }
        // Tenant-level role definitions (`/providers/Microsoft.Authorization/roleDefinitions/{id}`): the
        // built-in roles, readable by any principal of the tenant.
        if lower.count == 4, lower[0] == "providers", lower[1] == "microsoft.authorization", lower[2] == "roledefinitions" {
            return AuthorizationRoutes(directory: directory, request: request, version: version)
                .roleDefinition(parts[3], scope: "")
        }
        guard lower.count >= 2, lower[0] == "subscriptions" else {
            return ARMError.response(404, "InvalidResourceType", "The resource type could not be found in the namespace for api version '\(version)'.")
        }
        guard lower[1] == DemoDirectory.subscriptionID.lowercased() else {
            return ARMError.response(404, "SubscriptionNotFound", "The subscription '\(parts[1])' could not be found.")
        }
        let operation: ARMOperation
        switch route(Array(lower.dropFirst(2)), original: Array(parts.dropFirst(2)), request: request, version: version) {
        case .success(let found): operation = found
        case .failure(let refusal): return refusal.response
        }
        guard directory.allows(principalID: claims.oid, action: operation.action, scope: operation.scope) else {
            return ARMError.authorizationFailed(claims, action: operation.action, scope: operation.errorScope)
        }
        return operation.respond()
    }

    /// Routes below `/subscriptions/{sub}` to the operation they ask for.
    private func route(_ lower: [String], original: [String], request: SandboxRequest, version: String) -> Result<ARMOperation, ARMRefusal> {
        let subscription = Self.subscriptionScope
        if lower.isEmpty {
            return .success(ARMOperation(action: Self.subscriptionRead, scope: subscription, errorScope: subscription) {
                .json(200, Self.subscription, headers: ARMError.headers())
            })
        }
        if let providerIndex = zip(lower, lower.dropFirst()).enumerated().first(where: { $0.element == ("providers", "microsoft.authorization") })?.offset {
            let scopeParts = original[..<providerIndex]
            if scopeParts.count >= 2, scopeParts.first?.lowercased() == "resourcegroups",
               scopeParts[scopeParts.startIndex + 1].lowercased() != DemoDirectory.resourceGroup.lowercased() {
                return .failure(ARMRefusal(ARMError.resourceGroupNotFound(scopeParts[scopeParts.startIndex + 1])))
            }
            let scope = ([subscription] + scopeParts).joined(separator: "/")
            return AuthorizationRoutes(directory: directory, request: request, version: version)
                .operation(Array(lower.dropFirst(providerIndex + 2)), original: Array(original.dropFirst(providerIndex + 2)), scope: scope)
        }
        return ManagedIdentityRoutes(directory: directory, clusterIssuer: access.clusterIssuer, request: request, version: version)
            .operation(lower, original: original)
    }

    static var subscription: [String: Any] { [
        "id": "/subscriptions/\(DemoDirectory.subscriptionID)", "authorizationSource": "RoleBased",
        "managedByTenants": [Any](), "subscriptionId": DemoDirectory.subscriptionID, "tenantId": DemoDirectory.tenantID,
        "displayName": "widash-demo", "state": "Enabled",
        "subscriptionPolicies": ["locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"],
    ] }

    /// ARM's time format in ExpiredAuthenticationToken: `11/29/2026 1:05:00 AM`.
    static func armTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "M/d/yyyy h:mm:ss a"
        return formatter.string(from: date)
    }
}

/// One ARM read, before authorization: the action it needs over `scope`, how a refusal names the
/// scope, and the answer once allowed. Real ARM checks authorization before it looks the resource
/// up, so a caller without the permission learns nothing about what exists.
struct ARMOperation {
    var action: String
    /// The resource id the action is performed on (authorization: an assignment must cover it).
    var scope: String
    /// The scope as AuthorizationFailed words it: the request path, or for a collection the path
    /// without the collection's last segment (a listing of role assignments at a resource group is
    /// refused "over scope '…/resourceGroups/rg/providers/Microsoft.Authorization'": azure-powershell#6628).
    var errorScope: String
    var respond: () -> SandboxResponse
}

/// A request ARM answers before authorization (unknown route, resource group or api-version).
struct ARMRefusal: Error {
    var response: SandboxResponse

    init(_ response: SandboxResponse) { self.response = response }
}

/// ARM's error envelope (`{"error": {"code", "message"}}`) and response headers.
enum ARMError {
    static func headers() -> [(name: String, value: String)] {
        let id = AzureWire.newID()
        return [("x-ms-request-id", id), ("x-ms-correlation-request-id", id), ("x-ms-routing-request-id", "EASTUS:\(id)")]
    }

    static func response(_ status: Int, _ code: String, _ message: String, challenge: String? = nil) -> SandboxResponse {
        var extra = headers()
        if let challenge {
            extra.append(("WWW-Authenticate", "Bearer authorization_uri=\"https://login.microsoftonline.com/\(DemoDirectory.tenantID)\", error=\"invalid_token\", error_description=\"\(challenge)\""))
        }
        return .json(status, ["error": ["code": code, "message": message]], headers: extra)
    }

    /// 403 AuthorizationFailed, worded as ARM words it (quoted in azure-powershell#6628 and
    /// microsoft/planetary-computer-tasks#294, among many).
    static func authorizationFailed(_ claims: EntraAccessTokenClaims, action: String, scope: String) -> SandboxResponse {
        response(403, "AuthorizationFailed",
                 "The client '\(claims.appid)' with object id '\(claims.oid)' does not have authorization to perform action '\(action)' over scope '\(scope)' or the scope is invalid. If access was recently granted, please refresh your credentials.")
    }

    static func resourceGroupNotFound(_ name: String) -> SandboxResponse {
        response(404, "ResourceGroupNotFound", "Resource group '\(name)' could not be found.")
    }

    static func invalidResourceType(_ version: String, namespace: String? = nil) -> SandboxResponse {
        let within = namespace.map { " '\($0)'" } ?? ""
        return response(404, "InvalidResourceType", "The resource type could not be found in the namespace\(within) for api version '\(version)'.")
    }
}
