import Foundation
import WidashSandboxKit

/// `management.azure.com`: subscriptions and user-assigned managed identities with their federated
/// identity credentials (api-version 2023-01-31 and 2024-11-30). Paths are case-insensitive, as in ARM.
struct ARMService: SandboxService {
    static let audiences: Set<String> = ["https://management.azure.com", "https://management.core.windows.net"]
    static let identityAPIVersions = ["2024-11-30", "2023-01-31"]
    static let subscriptionAPIVersions = ["2022-12-01", "2021-01-01", "2020-01-01", "2016-06-01"]
    static let identityType = "Microsoft.ManagedIdentity/userAssignedIdentities"
    let access: ResourceAccess

    func answers(host: String) -> Bool { host == DemoDirectory.armHost }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let claims: EntraAccessTokenClaims
        switch await access.check(request.bearerToken, audiences: Self.audiences) {
        case .valid(let valid): claims = valid
        case .missing:
            return error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
                         challenge: "The authentication failed because of missing 'Authorization' header.")
        case .wrongAudience(let audience):
            return error(401, "InvalidAuthenticationTokenAudience",
                         "The access token has been obtained for wrong audience or resource '\(audience)'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.",
                         challenge: "The access token has been obtained for wrong audience or resource.")
        case .rejected(.expired(let expiry)):
            return error(401, "ExpiredAuthenticationToken",
                         "The access token expiry UTC time '\(Self.armTime(expiry))' is earlier than current UTC time '\(Self.armTime(access.now()))'.",
                         challenge: "The access token expiry UTC time is earlier than current UTC time.")
        case .rejected(.wrongIssuer(let issuer)):
            return error(401, "InvalidAuthenticationTokenTenant",
                         "The access token is from the wrong issuer '\(issuer)'. It must match the tenant 'https://sts.windows.net/\(DemoDirectory.tenantID)/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/\(DemoDirectory.tenantID)' to get the token.",
                         challenge: "The access token is from the wrong issuer.")
        case .rejected:
            return error(401, "InvalidAuthenticationToken", "The access token is invalid.", challenge: "The access token is invalid.")
        }
        guard request.method == "GET" else {
            return error(405, "MethodNotAllowed", "The emulated ARM serves GET requests only.")
        }
        let parts = request.path.split(separator: "/").map { String($0) }
        let lower = parts.map { $0.lowercased() }
        let version = request.query["api-version"] ?? ""
        guard !version.isEmpty else {
            return error(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
        }
        let isIdentityPath = lower.contains("microsoft.managedidentity")
        let supported = isIdentityPath ? Self.identityAPIVersions : Self.subscriptionAPIVersions
        guard supported.contains(version) else {
            return error(400, "InvalidApiVersionParameter",
                         "The api-version '\(version)' is invalid. The supported versions are '\(supported.joined(separator: ","))'.")
        }
        let granted = ResourceAccess.isGranted(claims, host: request.host, path: request.path)
        if lower == ["subscriptions"] {
            return .json(200, ["value": granted ? [Self.subscription] : [], "count": ["type": "Total", "value": granted ? 1 : 0]],
                         headers: headers())
        }
        guard lower.count >= 2, lower[0] == "subscriptions" else {
            return error(404, "InvalidResourceType", "The resource type could not be found in the namespace for api version '\(version)'.")
        }
        guard granted else {
            return error(403, "AuthorizationFailed",
                         "The client '\(claims.appid)' with object id '\(claims.oid)' does not have authorization to perform action '\(isIdentityPath ? "Microsoft.ManagedIdentity/userAssignedIdentities/read" : "Microsoft.Resources/subscriptions/read")' over scope '\(request.path)' or the scope is invalid. If access was recently granted, please refresh your credentials.")
        }
        guard lower[1] == DemoDirectory.subscriptionID.lowercased() else {
            return error(404, "SubscriptionNotFound", "The subscription '\(parts[1])' could not be found.")
        }
        return route(Array(lower.dropFirst(2)), original: Array(parts.dropFirst(2)), version: version)
    }

    /// Routes below `/subscriptions/{sub}`.
    private func route(_ lower: [String], original: [String], version: String) -> SandboxResponse {
        let providerPath = ["providers", "microsoft.managedidentity", "userassignedidentities"]
        let all = DemoDirectory.azureIdentities.filter { $0.kind == .userAssignedIdentity }
        if lower.isEmpty { return .json(200, Self.subscription, headers: headers()) }
        if lower == providerPath {
            return .json(200, ["value": all.map { ManagedIdentityJSON.identity($0, apiVersion: version) }], headers: headers())
        }
        guard lower.count >= 5, lower[0] == "resourcegroups", Array(lower[2..<5]) == providerPath else {
            return error(404, "InvalidResourceType", "The resource type could not be found in the namespace for api version '\(version)'.")
        }
        guard lower[1] == DemoDirectory.resourceGroup.lowercased() else {
            return error(404, "ResourceGroupNotFound", "Resource group '\(original[1])' could not be found.")
        }
        if lower.count == 5 {
            return .json(200, ["value": all.map { ManagedIdentityJSON.identity($0, apiVersion: version) }], headers: headers())
        }
        let name = original[5]
        guard let identity = all.first(where: { $0.displayName.lowercased() == lower[5] }) else {
            return error(404, "ResourceNotFound",
                         "The Resource '\(Self.identityType)/\(name)' under resource group '\(original[1])' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
        }
        let rest = Array(lower.dropFirst(6))
        let ficJSON = { (record: FederatedCredentialRecord) in ManagedIdentityJSON.credential(record, of: identity) }
        let records = FederatedCredentialRecord.records(of: identity, clusterIssuer: access.clusterIssuer)
        switch rest.count {
        case 0:
            return .json(200, ManagedIdentityJSON.identity(identity, apiVersion: version), headers: headers())
        case 1 where rest[0] == "federatedidentitycredentials":
            return .json(200, ["value": records.map(ficJSON)], headers: headers())
        case 2 where rest[0] == "federatedidentitycredentials":
            guard let record = records.first(where: { $0.name.lowercased() == rest[1] }) else {
                return error(404, "NotFound", "Federated Identity Credential '\(original[7])' was not found under identity '\(identity.displayName)'.")
            }
            return .json(200, ficJSON(record), headers: headers())
        default:
            return error(404, "InvalidResourceType", "The resource type could not be found in the namespace 'Microsoft.ManagedIdentity' for api version '\(version)'.")
        }
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

    private func headers() -> [(name: String, value: String)] {
        let id = AzureWire.newID()
        return [("x-ms-request-id", id), ("x-ms-correlation-request-id", id), ("x-ms-routing-request-id", "EASTUS:\(id)")]
    }

    private func error(_ status: Int, _ code: String, _ message: String, challenge: String? = nil) -> SandboxResponse {
        var extra = headers()
        if let challenge {
            extra.append(("WWW-Authenticate", "Bearer authorization_uri=\"https://login.microsoftonline.com/\(DemoDirectory.tenantID)\", error=\"invalid_token\", error_description=\"\(challenge)\""))
        }
        return .json(status, ["error": ["code": code, "message": message]], headers: extra)
    }
}

/// ARM bodies of user-assigned identities and their federated identity credentials.
enum ManagedIdentityJSON {
    static func id(_ identity: DemoDirectory.AzureIdentitySpec) -> String {
        "/subscriptions/\(DemoDirectory.subscriptionID)/resourcegroups/\(DemoDirectory.resourceGroup)/providers/\(ARMService.identityType)/\(identity.displayName)"
    }

    static func identity(_ identity: DemoDirectory.AzureIdentitySpec, apiVersion: String) -> [String: Any] {
        var properties: [String: Any] = ["tenantId": DemoDirectory.tenantID, "principalId": identity.objectID, "clientId": identity.clientID]
        if apiVersion >= "2024-11-30" { properties["isolationScope"] = "None" }
        return ["id": id(identity), "name": identity.displayName, "type": ARMService.identityType, "location": "eastus",
                "tags": ["widash-demo": "\(identity.namespace)/\(identity.serviceAccount)"], "properties": properties]
    }

    static func credential(_ record: FederatedCredentialRecord, of identity: DemoDirectory.AzureIdentitySpec) -> [String: Any] {
        ["id": "\(id(identity))/federatedIdentityCredentials/\(record.name)", "name": record.name,
         "type": "\(ARMService.identityType)/federatedIdentityCredentials",
         "properties": ["issuer": record.issuer, "subject": record.subject, "audiences": record.audiences]]
    }
}
