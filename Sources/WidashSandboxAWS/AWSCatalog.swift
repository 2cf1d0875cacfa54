import Foundation
import Crypto
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
    /// roles irsa-ok, irsa-bad-trust and podid-ok, and the aws/podid-ok association.
    public static func demo(context: SandboxContext) -> AWSCatalog {
        let account = DemoDirectory.awsAccountID
        let url = providerURL(issuer: context.clusterIssuer)
        let providerArn = "arn:aws:iam::\(account):oidc-provider/\(url)"
        let created = Date(timeIntervalSince1970: 1_735_689_600) // 2025-01-01T00:00:00Z, fixed for stable output
        let provider = AWSOIDCProvider(url: url, arn: providerArn, clientIDs: ["sts.amazonaws.com"],
                                       thumbprints: [caThumbprint(context.caPEM)], createDate: created)

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
        let podRole = AWSRole(name: "podid-ok", arn: DemoDirectory.podIdentityRoleARN,
                              roleID: AWSWire.stableID(prefix: "AROA", seed: DemoDirectory.podIdentityRoleARN),
                              trustPolicy: podPolicy, createDate: created)
        let associationID = "a-" + AWSWire.stableID(prefix: "", seed: "aws/podid-ok").lowercased()
        let association = AWSPodIdentityAssociation(
            clusterName: DemoDirectory.eksClusterName, namespace: "aws", serviceAccount: "podid-ok",
            roleArn: DemoDirectory.podIdentityRoleARN, associationID: associationID,
            associationArn: "arn:aws:eks:\(DemoDirectory.awsRegion):\(account):podidentityassociation/\(DemoDirectory.eksClusterName)/\(associationID)",
            createdAt: created)
        return AWSCatalog(
            account: account, region: DemoDirectory.awsRegion, clusterName: DemoDirectory.eksClusterName,
            roles: [irsaRole(arn: DemoDirectory.irsaOKRoleARN, subject: "system:serviceaccount:aws:irsa-ok"),
                    irsaRole(arn: DemoDirectory.irsaBadTrustRoleARN, subject: DemoDirectory.irsaBadTrustPolicySubject),
                    podRole],
            providers: [provider], associations: [association])
    }

    /// IAM's thumbprint: the SHA-1 fingerprint of the CA certificate that signs the issuer's chain.
    static func caThumbprint(_ pem: Data) -> String {
        let text = String(decoding: pem, as: UTF8.self)
        // The first PEM block only: the CA file may hold a bundle.
        let lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let body = lines.drop { !$0.hasPrefix("-----BEGIN") }.dropFirst().prefix { !$0.hasPrefix("-----END") }.joined()
        guard let der = Data(base64Encoded: body) else { return String(repeating: "0", count: 40) }
        return AWSWire.hex(Insecure.SHA1.hash(data: der))
    }
}
