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

/// An EKS Pod Identity association (the `PodIdentityAssociation` shape of botocore's
/// data/eks/2017-11-01/service-2.json).
public struct AWSPodIdentityAssociation: Sendable {
    public var clusterName: String
    public var namespace: String
    public var serviceAccount: String
    public var roleArn: String
    public var associationID: String
    public var associationArn: String
    public var createdAt: Date
    /// A second role the association role assumes for the pod (cross-account access); nil when none.
    public var targetRoleArn: String?
    /// The id EKS generates for a target role's trust policy (`sts:ExternalId`); only with a target role.
    public var externalId: String?
    /// Set when an EKS add-on owns the association.
    public var ownerArn: String?
    /// EKS Pod Identity adds session tags (cluster, namespace, service account, …) unless disabled.
    public var disableSessionTags = false
}

/// The AWS account the sandbox emulates: roles, OIDC providers and pod identity associations, and
/// what its IAM users may read.
public struct AWSCatalog: Sendable {
    public var account: String
    public var region: String
    public var clusterName: String
    /// Indexed by name and ARN on every change: the scale scenario has thousands and an audit asks for each.
    public var roles: [AWSRole] { didSet { index() } }
    public var providers: [AWSOIDCProvider]
    public var associations: [AWSPodIdentityAssociation]
    var authorization: AWSAuthorization

    private var rolesByName: [String: Int] = [:]
    private var rolesByARN: [String: Int] = [:]

    init(account: String, region: String, clusterName: String, roles: [AWSRole], providers: [AWSOIDCProvider],
         associations: [AWSPodIdentityAssociation], authorization: AWSAuthorization? = nil) {
        self.account = account
        self.region = region
        self.clusterName = clusterName
        self.roles = roles
        self.providers = providers
        self.associations = associations
        self.authorization = authorization ?? .demo(account: account)
        index()
    }

    private mutating func index() {
        rolesByName = Dictionary(roles.enumerated().map { ($0.element.name, $0.offset) }) { first, _ in first }
        rolesByARN = Dictionary(roles.enumerated().map { ($0.element.arn, $0.offset) }) { first, _ in first }
    }

    public func role(arn: String) -> AWSRole? { rolesByARN[arn].map { roles[$0] } }
    public func role(name: String) -> AWSRole? { rolesByName[name].map { roles[$0] } }
    /// The EKS cluster's ARN (the resource of `eks:ListPodIdentityAssociations`).
    public var clusterArn: String { "arn:aws:eks:\(region):\(account):cluster/\(clusterName)" }
    public func provider(arn: String) -> AWSOIDCProvider? { providers.first { $0.arn == arn } }
    /// IAM matches the provider URL to the token's `iss` without the scheme.
    public func provider(issuer: String) -> AWSOIDCProvider? { providers.first { $0.url == Self.providerURL(issuer: issuer) } }

    public static func providerURL(issuer: String) -> String {
        issuer.hasPrefix("https://") ? String(issuer.dropFirst("https://".count)) : issuer
    }

    /// The `demo` scenario (facts from `DemoDirectory`): one OIDC provider for the cluster's issuer,
    /// the IRSA roles (irsa-ok, irsa-bad-trust, both-creds, static-keys, the old role of
    /// podid-with-role) and Pod Identity roles (podid-ok, podid-with-role) and the associations of
    /// aws/podid-ok, aws/podid-with-role, aws/both-creds and aws/podid-late (made after its pod started).
    /// The account's catalog for the running scenario: `demo`, or `scale` when the context says so.
    public static func current(context: SandboxContext) -> AWSCatalog {
        context.scale.map { scale(context: context, identities: $0) } ?? demo(context: context)
    }

    /// 2025-01-01T00:00:00Z, fixed for stable output.
    static let created = Date(timeIntervalSince1970: 1_735_689_600)

    /// The IAM OIDC provider for the cluster's issuer (client id sts.amazonaws.com; the thumbprint of
    /// the sandbox CA, the top of the chain the issuer serves).
    static func clusterProvider(context: SandboxContext, account: String) -> AWSOIDCProvider {
        let url = providerURL(issuer: context.clusterIssuer)
        return AWSOIDCProvider(url: url, arn: "arn:aws:iam::\(account):oidc-provider/\(url)", clientIDs: ["sts.amazonaws.com"],
                               thumbprints: [CertificateThumbprint.sha1(pem: String(decoding: context.caPEM, as: UTF8.self))
                                             ?? String(repeating: "0", count: 40)],
                               createDate: created)
    }

    /// An IRSA role: its trust policy lets the provider's tokens with `:sub` = `subject` and `:aud` =
    /// sts.amazonaws.com assume it (the policy eksctl and the EKS user guide write:
    /// https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html).
    static func irsaRole(arn: String, subject: String, provider: AWSOIDCProvider) -> AWSRole {
        let name = String(arn.split(separator: "/").last ?? "")
        let policy = """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"\(provider.arn)"},\
        "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"\(provider.url):sub":"\(subject)",\
        "\(provider.url):aud":"sts.amazonaws.com"}}}]}
        """
        return AWSRole(name: name, arn: arn, roleID: AWSWire.stableID(prefix: "AROA", seed: arn), trustPolicy: policy, createDate: created)
    }

    /// The `scale` scenario: the cluster's OIDC provider and one IRSA role per IRSA-federated service
    /// account of `ScaleIdentities` (named like the account), trusting the subject `ScaleIdentities`
    /// says (another account's for the mismatched ones); and one Pod Identity association per Pod
    /// Identity account, naming one of two shared roles: one trusting `pods.eks.amazonaws.com` with
    /// `sts:AssumeRole` and `sts:TagSession`, one (the mismatched associations') without `sts:TagSession`.
    public static func scale(context: SandboxContext, identities: ScaleIdentities) -> AWSCatalog {
        let account = DemoDirectory.awsAccountID
        let provider = clusterProvider(context: context, account: account)
        var roles = identities.identities(.irsa).compactMap { identity -> AWSRole? in
            guard let arn = identity.roleARN else { return nil }
            return irsaRole(arn: arn, subject: identity.trustedSubject ?? identity.subject, provider: provider)
        }
        func podRole(_ arn: String, actions: String) -> AWSRole {
            let policy = """
            {"Version":"2012-10-17","Statement":[{"Sid":"AllowEksAuthToAssumeRoleForPodIdentity","Effect":"Allow",\
            "Principal":{"Service":"pods.eks.amazonaws.com"},"Action":\(actions)}]}
            """
            return AWSRole(name: String(arn.split(separator: "/").last ?? ""), arn: arn, roleID: AWSWire.stableID(prefix: "AROA", seed: arn),
                           trustPolicy: policy, createDate: created)
        }
        roles += [podRole(ScaleIdentities.podIdentityRoleARN, actions: #"["sts:AssumeRole","sts:TagSession"]"#),
                  podRole(ScaleIdentities.podIdentityUntaggedRoleARN, actions: #""sts:AssumeRole""#)]
        let cluster = DemoDirectory.eksClusterName
        let associations = identities.identities(.podIdentity).compactMap { identity -> AWSPodIdentityAssociation? in
            guard let id = identity.associationID, let role = identity.roleARN else { return nil }
            return AWSPodIdentityAssociation(
                clusterName: cluster, namespace: identity.namespace, serviceAccount: identity.serviceAccount, roleArn: role,
                associationID: id,
                associationArn: "arn:aws:eks:\(DemoDirectory.awsRegion):\(account):podidentityassociation/\(cluster)/\(id)",
                createdAt: created)
        }
        return AWSCatalog(account: account, region: DemoDirectory.awsRegion, clusterName: cluster,
                          roles: roles, providers: [provider], associations: associations)
    }

    public static func demo(context: SandboxContext) -> AWSCatalog {
        let account = DemoDirectory.awsAccountID
        let provider = clusterProvider(context: context, account: account)
        let created = Self.created
        func irsaRole(arn: String, subject: String) -> AWSRole { Self.irsaRole(arn: arn, subject: subject, provider: provider) }
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
                           association("both-creds", role: DemoDirectory.podIdentityRoleARN),
                           association("podid-late", role: DemoDirectory.podIdentityRoleARN)])
    }
}
