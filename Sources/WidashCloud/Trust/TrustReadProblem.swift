import Foundation

/// Why a cloud read gave no answer: what failed, and the permission whose absence caused it when
/// the cloud refused (403), named as the cloud names it.
public struct TrustReadProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    /// e.g. `Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read`, `iam:GetRole`.
    public var permission: String?
    /// Worth reading again soon (unreachable, throttled, a server error): not kept in the cache.
    public var transient: Bool

    public init(reason: String, permission: String? = nil, transient: Bool = false) {
        self.reason = reason
        self.permission = permission
        self.transient = transient
    }

    public var description: String { reason }

    /// Reads a client error: `what` says what was being read ("the federated credentials of id-x"),
    /// `permission` is the one that call needs, used when the cloud's message does not name it.
    static func from(_ error: Error, what: String, permission: String) -> TrustReadProblem {
        switch error {
        case let e as CloudError:
            switch e {
            case .http(_, let status, let code, let message):
                let detail = [code, message].compactMap { $0 }.joined(separator: ": ")
                return answered(status: status, what: what, detail: detail,
                                named: message.flatMap { between($0, "action '", "'") }, permission: permission)
            case .aws(let a):
                let named = between(a.message, "perform: ", " ")
                return answered(status: a.httpStatus, what: what, detail: "\(a.code): \(a.message)", named: named, permission: permission,
                                refused: ["AccessDenied", "AccessDeniedException"].contains(a.code))
            case .gcp(let g):
                return answered(status: g.httpStatus, what: what, detail: "\(g.code): \(g.message)",
                                named: between(g.message, "Permission '", "'"), permission: permission)
            case .unreachable:
                return TrustReadProblem(reason: "\(what) could not be read: \(e)", transient: true)
            case .retryLater:
                return TrustReadProblem(reason: "\(what) could not be read: \(e)", transient: true)
            default:
                return TrustReadProblem(reason: "\(what) could not be read: \(e)")
            }
        case is CancellationError:
            return TrustReadProblem(reason: "\(what): cancelled", transient: true)
        default:
            return TrustReadProblem(reason: "\(what) could not be read: \(error)", transient: true)
        }
    }

    private static func answered(status: Int, what: String, detail: String, named: String?, permission: String,
                                 refused: Bool = false) -> TrustReadProblem {
        if status == 403 || refused {
            let needed = named ?? permission
            return TrustReadProblem(reason: "\(what) could not be read: the operator lacks \(needed) (HTTP \(status) \(detail))",
                                    permission: needed)
        }
        if status == 401 {
            return TrustReadProblem(reason: "\(what) could not be read: the operator's credentials were not accepted (HTTP 401 \(detail))")
        }
        return TrustReadProblem(reason: "\(what) could not be read (HTTP \(status) \(detail))", transient: status == 429 || status >= 500)
    }

    /// The text between `start` and the next `end` (or the end of the text), e.g. the action an ARM
    /// AuthorizationFailed message names.
    static func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let s = text.range(of: start) else { return nil }
        let rest = text[s.upperBound...]
        let value = rest.range(of: end).map { rest[..<$0.lowerBound] } ?? rest
        let trimmed = value.trimmingCharacters(in: CharacterSet(charactersIn: " .,;"))
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The permissions each read needs, as the clouds name them (README "Trust audit").
    public enum Permission {
        public static let armSubscriptions = "Microsoft.Resources/subscriptions/read"
        public static let armIdentities = "Microsoft.ManagedIdentity/userAssignedIdentities/read"
        public static let armFederatedCredentials = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read"
        public static let armRoleAssignments = "Microsoft.Authorization/roleAssignments/read"
        public static let armRoleDefinitions = "Microsoft.Authorization/roleDefinitions/read"
        public static let graphApplications = "Application.Read.All (Microsoft Graph)"
        public static let iamGetRole = "iam:GetRole"
        public static let iamGetOIDCProvider = "iam:GetOpenIDConnectProvider"
        public static let eksListAssociations = "eks:ListPodIdentityAssociations"
        public static let eksDescribeAssociation = "eks:DescribePodIdentityAssociation"
        public static let gcpGetIamPolicy = "iam.serviceAccounts.getIamPolicy"
    }
}
