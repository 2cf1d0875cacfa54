import Foundation

extension CloudTrustReader {
    /// The operator's AWS credentials, or why there are none.
    func awsCredentials() -> Result<AWSCredentials, TrustReadProblem> {
        switch awsConfiguration.credentials() {
        case .success(let c): return .success(c)
        case .failure(let issue): return .failure(TrustReadProblem(reason: "no AWS operator credentials: \(issue)"))
        }
    }

    func iam(_ credentials: AWSCredentials) -> IAMClient {
        IAMClient(transport: transport, endpoint: AWSEndpoints.resolve(service: "iam", region: awsConfiguration.region(), environment: environment),
                  credentials: credentials, timeouts: timeouts)
    }

    /// `iam:GetRole` once per role; nil when IAM has no such role (NoSuchEntity).
    public func iamRole(arn: String) async -> Result<IAMRole?, TrustReadProblem> {
        guard let name = IAMClient.roleName(fromARN: arn) else {
            return .failure(TrustReadProblem(reason: "\(arn) is not an IAM role ARN"))
        }
        return await iamRead(arn, cache: roles, what: "IAM role \(name)", permission: TrustReadProblem.Permission.iamGetRole) {
            try await $0.getRole(name: name)
        }
    }

    /// `iam:GetOpenIDConnectProvider` for the provider ARN an issuer has in an account; nil when
    /// the account has none for it.
    public func oidcProvider(arn: String) async -> Result<OIDCProvider?, TrustReadProblem> {
        await iamRead(arn, cache: oidcProviders, what: "the IAM OIDC provider \(arn)", permission: TrustReadProblem.Permission.iamGetOIDCProvider) {
            try await $0.getOpenIDConnectProvider(arn: arn)
        }
    }

    /// One IAM read with the operator's credentials, kept in `cache`; IAM's NoSuchEntity is an
    /// answer (nil), not a failure.
    private func iamRead<T: Sendable>(_ key: String, cache: ExpiringCache<String, Result<T?, TrustReadProblem>>, what: String,
                                      permission: String, _ body: @escaping @Sendable (IAMClient) async throws -> T) async -> Result<T?, TrustReadProblem> {
        let iam: IAMClient
        switch awsCredentials() {
        case .failure(let p): return .failure(p)
        case .success(let credentials): iam = self.iam(credentials)
        }
        return await cache.value(key) {
            do {
                return .success(try await body(iam))
            } catch CloudError.aws(let e) where e.code == "NoSuchEntity" {
                return .success(nil)
            } catch {
                return .failure(TrustReadProblem.from(error, what: what, permission: permission))
            }
        }
    }

    /// The Pod Identity associations of an EKS cluster (`podIdentityAssociationList`); one whose
    /// description failed or was not asked for is here as listed (without its role).
    public func podIdentityAssociations(cluster: EKSClusterRef, serviceAccounts: Set<String>? = nil)
        async -> Result<[PodIdentityAssociation], TrustReadProblem> {
        await podIdentityAssociationList(cluster: cluster, serviceAccounts: serviceAccounts).map(\.associations)
    }

    /// The Pod Identity associations of an EKS cluster, listed once, and described (the role is only
    /// in the description) for the service accounts asked (`NAMESPACE/NAME`; nil: every one), at most
    /// 8 descriptions at a time, each kept on its own: an audit of one namespace, or a trace, does not
    /// describe the whole cluster's. A description that fails fails that association only (it stays,
    /// as listed, with its problem): one failure never hides the others.
    public func podIdentityAssociationList(cluster: EKSClusterRef, serviceAccounts: Set<String>? = nil)
        async -> Result<PodIdentityAssociationList, TrustReadProblem> {
        let credentials: AWSCredentials
        switch awsCredentials() {
        case .failure(let p): return .failure(p)
        case .success(let c): credentials = c
        }
        let region = cluster.region ?? awsConfiguration.region()
        let eks = EKSClient(transport: transport, endpoint: AWSEndpoints.resolve(service: "eks", region: region, environment: environment),
                            credentials: credentials, timeouts: timeouts)
        let clusterKey = cluster.name + "@" + (region ?? "")
        let listed = await associationLists.value(clusterKey) {
            await self.attempt("the Pod Identity associations of EKS cluster \(cluster.name)",
                               permission: TrustReadProblem.Permission.eksListAssociations) {
                try await eks.listPodIdentityAssociations(cluster: cluster.name, namespace: nil, serviceAccount: nil)
            }
        }
        let list: [PodIdentityAssociation]
        switch listed {
        case .failure(let p): return .failure(p)
        case .success(let l): list = l
        }
        let limiter = AsyncLimiter(limit: 8)
        return await withTaskGroup(of: (PodIdentityAssociation, Result<PodIdentityAssociation, TrustReadProblem>?).self) { group in
            for a in list {
                guard serviceAccounts?.contains("\(a.namespace)/\(a.serviceAccount)") ?? true else {
                    group.addTask { (a, nil) }
                    continue
                }
                group.addTask {
                    let described = await self.associationDescriptions.value(clusterKey + "/" + a.associationID) {
                        await limiter.run {
                            await self.attempt("Pod Identity association \(a.associationID) (\(a.namespace)/\(a.serviceAccount))",
                                               permission: TrustReadProblem.Permission.eksDescribeAssociation) {
                                try await eks.describePodIdentityAssociation(cluster: cluster.name, associationID: a.associationID)
                            }
                        }
                    }
                    return (a, described)
                }
            }
            var all = PodIdentityAssociationList()
            for await (summary, result) in group {
                switch result {
                case .success(let a)?: all.associations.append(a)
                case .failure(let p)?:
                    all.associations.append(summary)
                    all.problems[summary.associationID] = p
                case nil: all.associations.append(summary)
                }
            }
            all.associations.sort { $0.associationID < $1.associationID }
            return .success(all)
        }
    }
}

/// An EKS cluster: its name, and its region when the kubeconfig's ARN says it.
public struct EKSClusterRef: Sendable, Hashable {
    public var name: String
    public var region: String?
    public init(name: String, region: String? = nil) {
        self.name = name
        self.region = region
    }

    /// `arn:aws:eks:REGION:ACCOUNT:cluster/NAME` (the name `aws eks update-kubeconfig` gives the
    /// kubeconfig's cluster and context); nil for anything else.
    public init?(arn: String) {
        let fields = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[2] == "eks", fields[5].hasPrefix("cluster/") else { return nil }
        let name = fields[5].dropFirst("cluster/".count)
        guard !name.isEmpty, !fields[3].isEmpty else { return nil }
        self.init(name: String(name), region: String(fields[3]))
    }
}

/// A cluster's Pod Identity associations as the audit read them: every association listed,
/// described when its description could be read, and why not for the others.
public struct PodIdentityAssociationList: Sendable, Hashable {
    /// Described, or as listed (no role) when `problems` has its id.
    public var associations: [PodIdentityAssociation] { didSet { index() } }
    /// Why an association (by id) could not be described, e.g. `eks:DescribePodIdentityAssociation` missing.
    public var problems: [String: TrustReadProblem]
    /// `namespace/serviceAccount` → the first association's position (an audit of thousands asks for each).
    private var byAccount: [String: Int] = [:]

    public init(associations: [PodIdentityAssociation] = [], problems: [String: TrustReadProblem] = [:]) {
        self.associations = associations
        self.problems = problems
        index()
    }

    private mutating func index() {
        byAccount = [:]
        for (i, a) in associations.enumerated() where byAccount["\(a.namespace)/\(a.serviceAccount)"] == nil {
            byAccount["\(a.namespace)/\(a.serviceAccount)"] = i
        }
    }

    /// The association of a service account, and why it could not be described (nil when it was).
    public func association(namespace: String, serviceAccount: String) -> (PodIdentityAssociation, TrustReadProblem?)? {
        guard let i = byAccount["\(namespace)/\(serviceAccount)"] else { return nil }
        let a = associations[i]
        return (a, problems[a.associationID])
    }
}
