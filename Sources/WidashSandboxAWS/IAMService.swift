import Foundation
import WidashSandboxKit

/// AWS IAM (query protocol, SigV4 with service `iam`): `GetRole`, `ListOpenIDConnectProviders`,
/// `GetOpenIDConnectProvider`. Accepts the operators' keys and any temporary credentials the sandbox
/// issued; the limited operator is denied every action (`AWSAuthorization`).
public struct IAMService: SandboxService {
    static let namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

    let catalog: AWSCatalog
    let store: AWSCredentialStore
    let now: @Sendable () -> Date

    public func answers(host: String) -> Bool { host == "iam.amazonaws.com" }

    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let params = AWSWire.queryParameters(request)
        let action = params["Action"] ?? ""
        let verifier = SigV4Verifier(store: store, service: "iam", flavor: .query, now: now)
        let result: Result<String, AWSError>
        switch await verifier.authenticate(request) {
        case .failure(let error):
            result = .failure(error)
        case .success(let credential):
            if let denied = authorize(credential.principal, action: action, params: params) {
                result = .failure(denied)
                break
            }
            switch params["Action"] {
            case "GetRole": result = getRole(params["RoleName"])
            case "ListOpenIDConnectProviders": result = .success(listProviders())
            case "GetOpenIDConnectProvider": result = getProvider(params["OpenIDConnectProviderArn"])
            case nil: result = .failure(AWSQuery.missingAction())
            case let other?: result = .failure(AWSQuery.invalidAction(other, version: "2010-05-08"))
            }
        }
        return AWSQuery.response(action: action, namespace: Self.namespace, result: result)
    }

    /// The caller's identity-based policy must allow `iam:ACTION` on the action's resource, as IAM
    /// names it in the denial: `role NAME` for GetRole (aws/aws-cdk#27067), the provider's ARN for
    /// GetOpenIDConnectProvider, `arn:aws:iam::ACCOUNT:oidc-provider/*` for the listing. Checked
    /// before the parameters, so a denied caller learns nothing about what exists.
    func authorize(_ principal: AWSPrincipal, action: String, params: [String: String]) -> AWSError? {
        let resource: String
        switch action {
        case "GetRole": resource = "role \(params["RoleName"] ?? "")"
        case "GetOpenIDConnectProvider": resource = params["OpenIDConnectProviderArn"] ?? ""
        case "ListOpenIDConnectProviders": resource = "arn:aws:iam::\(catalog.account):oidc-provider/*"
        default: return nil
        }
        return catalog.authorization.denial(principal, "iam:\(action)", resource: resource)
            .map { AWSError(code: "AccessDenied", message: $0, status: 403) }
    }

    func getRole(_ name: String?) -> Result<String, AWSError> {
        guard let name, !name.isEmpty else {
            return .failure(.validation("1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"))
        }
        guard let role = catalog.role(name: name) else {
            return .failure(AWSError(code: "NoSuchEntity", message: "The role with name \(name) cannot be found.", status: 404))
        }
        // Real IAM returns the trust policy URL-encoded; botocore decodes it back to a dict.
        return .success("""
            <Role>
              <Path>/</Path>
              \(AWSWire.element("AssumeRolePolicyDocument", FormCoding.escape(role.trustPolicy)))
              \(AWSWire.element("MaxSessionDuration", String(role.maxSessionDuration)))
              \(AWSWire.element("RoleId", role.roleID))
              \(AWSWire.element("RoleName", role.name))
              \(AWSWire.element("Arn", role.arn))
              \(AWSWire.element("CreateDate", AWSWire.iso8601(role.createDate)))
              <RoleLastUsed/>
            </Role>
        """)
    }

    func listProviders() -> String {
        let members = catalog.providers.map { "      <member>\(AWSWire.element("Arn", $0.arn))</member>" }.joined(separator: "\n")
        return """
            <OpenIDConnectProviderList>
        \(members)
            </OpenIDConnectProviderList>
        """
    }

    func getProvider(_ arn: String?) -> Result<String, AWSError> {
        guard let arn, !arn.isEmpty else {
            return .failure(.validation("1 validation error detected: Value null at 'openIDConnectProviderArn' failed to satisfy constraint: Member must not be null"))
        }
        guard arn.hasPrefix("arn:aws:iam::"), arn.contains(":oidc-provider/") else {
            return .failure(AWSError(code: "InvalidInput", message: "Invalid ARN: \(arn)", status: 400))
        }
        guard let provider = catalog.provider(arn: arn) else {
            return .failure(AWSError(code: "NoSuchEntity", message: "OpenIDConnect Provider not found for arn \(arn)", status: 404))
        }
        func members(_ list: [String]) -> String { list.map { AWSWire.element("member", $0) }.joined() }
        return .success("""
            <ThumbprintList>\(members(provider.thumbprints))</ThumbprintList>
            \(AWSWire.element("CreateDate", AWSWire.iso8601(provider.createDate)))
            <ClientIDList>\(members(provider.clientIDs))</ClientIDList>
            \(AWSWire.element("Url", provider.url))
            <Tags/>
        """)
    }
}
