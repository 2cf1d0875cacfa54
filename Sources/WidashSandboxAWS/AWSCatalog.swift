import Foundation
import WidashSandboxKit

/// An IAM role as GetRole returns it.
public struct AWSRole: Sendable {
    public var name: String
    public var arn: String
    public var roleID: String
    /// The trust policy JSON, exactly as stored (GetRole returns it URL-encoded).
    public var trustPolicy: String
    public var createDate: Date
    public var maxSessionDuration: Int = 3600
}

/// An IAM OIDC identity provider.
public struct AWSOIDCProvider: Sendable {
    /// The issuer without `https://` (IAM's "provider URL"); also the condition-key prefix.
    public var url: String
    public var arn: String
    public var clientIDs: [String]
    public var thumbprints: [String]
    public var createDate: Date
}

/// An EKS Pod Identity association.
public struct AWSPodIdentityAssociation: Sendable {
    public var clusterName: String
    public var namespace: String
    public var serviceAccount: String
    public var roleArn: String
    public var associationID: String
    public var associationArn: String
    public var createdAt: Date
}

/// The AWS account the sandbox emulates: roles, OIDC providers and pod identity associations.
public struct AWSCatalog: Sendable {
    public var account: String
    public var region: String
    public var clusterName: String
    public var roles: [AWSRole]
    public var providers: [AWSOIDCProvider]
    public var associations: [AWSPodIdentityAssociation]

    public func role(arn: String) -> AWSRole? { roles.first { $0.arn == arn } }
    public func role(name: String) -> AWSRole? { roles.first { $0.name == name } }
    public func provider(arn: String) -> AWSOIDCProvider? { providers.first { $0.arn == arn } }
    /// IAM matches the provider URL to the token's `iss` without the scheme.
    public func provider(issuer: String) -> AWSOIDCProvider? { providers.first { $0.url == Self.providerURL(issuer: issuer) } }

    public static func providerURL(issuer: String) -> String {
        issuer.hasPrefix("https://") ? String(issuer.dropFirst("https://".count)) : issuer
    }

    /// The `demo` scenario (facts from `DemoDirectory`): one OIDC provider for the cluster's issuer,
    /// the IRSA roles (irsa-ok, irsa-bad-trust, both-creds, static-keys, the old role of
    /// podid-with-role) and Pod Identity roles (podid-ok, podid-with-role) and the associations of
    /// aws/podid-ok, aws/podid-with-role and aws/both-creds.
    public static func demo(context: SandboxContext) -> AWSCatalog {
        let account = DemoDirectory.awsAccountID
        let url = providerURL(issuer: context.clusterIssuer)
        let providerArn = "arn:aws:iam::\(account):oidc-provider/\(url)"
        let created = Date(timeIntervalSince1970: 1_735_689_600) // 2025-01-01T00:00:00Z, fixed for stable output
        let provider = AWSOIDCProvider(url: url, arn: providerArn, clientIDs: ["sts.amazonaws.com"],
                                       thumbprints: [CertificateThumbprint.sha1(pem: String(decoding: context.caPEM, as: UTF8.self))
                                                     ?? String(repeating: "0", count: 40)],
                                       createDate: created)

        func irsaRole(arn: String, subject: String) -> AWSRole {
            let name = String(arn.split(separator: "/").last ?? "")
            let policy = """
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"\(providerArn)"},\
            "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"\(url):sub":"\(subject)",\
            "\(url):aud":"sts.amazonaws.com"}}}]}
            """
            return AWSRole(name: name, arn: arn, roleID: AWSWire.stableID(prefix: "AROA", seed: arn),
                           trustPolicy: policy, createDate: created)
        }
        let podPolicy = """
        {"Version":"2012-10-17","Statement":[{"Sid":"AllowEksAuthToAssumeRoleForPodIdentity","Effect":"Allow",\
        "Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}
        """
        func podRole(_ arn: String) -> AWSRole {
            AWSRole(name: String(arn.split(separator: "/").last ?? ""), arn: arn, roleID: AWSWire.stableID(prefix: "AROA", seed: arn),
                    trustPolicy: podPolicy, createDate: created)
        }
        func association(_ serviceAccount: String, role: String) -> AWSPodIdentityAssociation {
            let id = "a-" + AWSWire.stableID(prefix: "", seed: "aws/\(serviceAccount)").lowercased()
            return AWSPodIdentityAssociation(
                clusterName: DemoDirectory.eksClusterName, namespace: "aws", serviceAccount: serviceAccount, roleArn: role,
                associationID: id,
                associationArn: "arn:aws:eks:\(DemoDirectory.awsRegion):\(account):podidentityassociation/\(DemoDirectory.eksClusterName)/\(id)",
                createdAt: created)
        }
        return AWSCatalog(
            account: account, region: DemoDirectory.awsRegion, clusterName: DemoDirectory.eksClusterName,
            roles: [irsaRole(arn: DemoDirectory.irsaOKRoleARN, subject: "system:serviceaccount:aws:irsa-ok"),
                    irsaRole(arn: DemoDirectory.irsaBadTrustRoleARN, subject: DemoDirectory.irsaBadTrustPolicySubject),
                    irsaRole(arn: DemoDirectory.podIdentityWithRoleOldIRSARoleARN, subject: "system:serviceaccount:aws:podid-with-role"),
                    irsaRole(arn: DemoDirectory.bothCredsRoleARN, subject: "system:serviceaccount:aws:both-creds"),
                    irsaRole(arn: DemoDirectory.staticKeysRoleARN, subject: "system:serviceaccount:aws:static-keys"),
                    podRole(DemoDirectory.podIdentityRoleARN), podRole(DemoDirectory.podIdentityWithRoleARN)],
            providers: [provider],
            associations: [association("podid-ok", role: DemoDirectory.podIdentityRoleARN),
                           association("podid-with-role", role: DemoDirectory.podIdentityWithRoleARN),
                           association("both-creds", role: DemoDirectory.podIdentityRoleARN)])
    }
}
