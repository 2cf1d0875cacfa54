import Foundation
import WidashSandboxKit

/// Identity-based authorization of the demo's IAM users for the IAM and EKS reads widash makes.
/// AWS evaluates the caller's policies after authenticating the signature and before looking at the
/// request's resource (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
/// with no policy allowing the action the answer is an implicit deny, worded
/// "User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no identity-based
/// policy allows the ACTION action" (the wording IAM and EKS return, quoted e.g. in aws/aws-cdk#27067
/// for iam:GetRole and in EKS ListClusters/ListNodegroups denials).
struct AWSAuthorization: Sendable {
    /// Allowed action patterns per IAM user ARN; principals not listed (the roles STS and eks-auth
    /// issue credentials for) are not restricted here.
    var userPolicies: [String: [String]]

    /// The IAM and EKS reads the full operator's policy allows, the limited operator's allows none.
    static func demo(account: String) -> AWSAuthorization {
        AWSAuthorization(userPolicies: [
            "arn:aws:iam::\(account):user/\(AWSCredentialStore.operatorUserName)": [
                "iam:GetRole", "iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider",
                "eks:ListPodIdentityAssociations", "eks:DescribePodIdentityAssociation", "eks-auth:AssumeRoleForPodIdentity",
            ],
            "arn:aws:iam::\(account):user/\(AWSCredentialStore.limitedUserName)": [],
        ])
    }

    /// Whether `principal` may perform `action` (IAM action names are case-insensitive, `*` a wildcard).
    func allows(_ principal: AWSPrincipal, _ action: String) -> Bool {
        guard let allowed = userPolicies[principal.arn] else { return true }
        return allowed.contains { Glob.matches(pattern: $0.lowercased(), action.lowercased()) }
    }

    /// nil when allowed, else the implicit-deny message for `resource`.
    func denial(_ principal: AWSPrincipal, _ action: String, resource: String) -> String? {
        guard !allows(principal, action) else { return nil }
        return "User: \(principal.arn) is not authorized to perform: \(action) on resource: \(resource) because no identity-based policy allows the \(action) action"
    }
}
