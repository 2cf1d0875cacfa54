import Foundation

/// Who a set of AWS credentials belongs to, as `GetCallerIdentity` reports it.
public struct AWSPrincipal: Sendable, Equatable {
    public var arn: String
    public var userID: String
    public var account: String
}

/// One access key: long-term (operator) or temporary (issued by STS / eks-auth).
public struct AWSCredential: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Present for temporary credentials; requests must carry it as `X-Amz-Security-Token`.
    public var sessionToken: String?
    public var expiration: Date?
    public var principal: AWSPrincipal
}

/// The sandbox's AWS key store: the fixed demo operators' keys plus every temporary credential
/// STS and eks-auth have issued, so that later SigV4-signed calls can be verified.
public actor AWSCredentialStore {
    /// The demo operator's long-term access key (documented for `--demo` users and tests).
    public static let operatorAccessKeyID = "AKIAWIDASHDEMO000001"
    public static let operatorSecretAccessKey = "widash-demo-operator-secret"
    /// The limited operator (IAM user `widash-limited`): authenticates, but no identity-based policy
    /// allows it IAM or EKS reads (`AWSCatalog.userPolicies`), so those answer AccessDenied.
    public static let limitedAccessKeyID = "AKIAWIDASHLIMITED001"
    public static let limitedSecretAccessKey = "widash-demo-limited-operator-secret"
    public static let operatorUserName = "widash-operator"
    public static let limitedUserName = "widash-limited"

    fileprivate var credentials: [String: AWSCredential] = [:]

    public init(account: String) {
        for (key, secret, user) in [(Self.operatorAccessKeyID, Self.operatorSecretAccessKey, Self.operatorUserName),
                                    (Self.limitedAccessKeyID, Self.limitedSecretAccessKey, Self.limitedUserName)] {
            credentials[key] = AWSCredential(
                accessKeyID: key, secretAccessKey: secret, sessionToken: nil, expiration: nil,
                principal: AWSPrincipal(arn: "arn:aws:iam::\(account):user/\(user)",
                                        userID: AWSWire.stableID(prefix: "AIDA", seed: user), account: account))
        }
    }

    /// Issues temporary credentials (`ASIA…` key, 40-character secret, opaque session token).
    public func issue(for principal: AWSPrincipal, expiration: Date) -> AWSCredential {
        let credential = AWSCredential(
            accessKeyID: "ASIA" + AWSWire.random(16, from: AWSWire.upperAlnum),
            secretAccessKey: AWSWire.random(40, from: AWSWire.base64Alphabet),
            sessionToken: "IQoJb3JpZ2luX2VjE" + AWSWire.random(300, from: AWSWire.base64Alphabet),
            expiration: expiration, principal: principal)
        credentials[credential.accessKeyID] = credential
        return credential
    }

    public func lookup(accessKeyID: String) -> AWSCredential? { credentials[accessKeyID] }
}

extension AWSCredentialStore {
    /// Adds a credential as is (scenarios with extra users, and tests using published test keys).
    public func register(_ credential: AWSCredential) {
        credentials[credential.accessKeyID] = credential
    }
}
