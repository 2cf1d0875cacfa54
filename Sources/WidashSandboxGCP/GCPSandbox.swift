import Foundation
import WidashSandboxKit

/// The sandbox's GCP emulation: STS token exchange (`sts.googleapis.com`), IAM Credentials
/// `generateAccessToken` (`iamcredentials.googleapis.com`), IAM service accounts' policies
/// (`iam.googleapis.com`) and Cloud Storage, for the demo's `gcp/gke-ok`.
public enum GCPSandbox {
    /// The Google services, sharing one token store (tokens Google STS issues are accepted by IAM
    /// Credentials; the demo operators' tokens are in it from the start). Each answers its own host
    /// and its own paths on the sandbox's loopback address.
    public static func services(context: SandboxContext) -> [any SandboxService] {
        let directory = GCPDirectory.demo(context: context)
        let tokens = GCPTokenStore(operators: directory.operatorTokens)
        let keys = IssuerKeyVerifier(transport: context.transport)
        return [GCPSTSService(directory: directory, tokens: tokens, keys: keys, now: context.now),
                GCPIAMCredentialsService(directory: directory, tokens: tokens, now: context.now),
                GCPIAMService(directory: directory, tokens: tokens, now: context.now),
                GCPStorageService(directory: directory, tokens: tokens, now: context.now)]
    }

    public static let hostNames = ["sts.googleapis.com", "iamcredentials.googleapis.com", "iam.googleapis.com", "storage.googleapis.com"]
}

/// A workload identity pool provider (or the GKE pool) that trusts one issuer.
public struct GCPPoolProvider: Sendable {
    /// The STS `audience` value naming this provider.
    public var audience: String
    public var poolID: String
    public var issuer: String
    /// Token `aud` values accepted.
    public var allowedAudiences: [String]
    /// The IAM principal a token's subject becomes.
    public var principal: @Sendable (_ subject: String) -> [String]
}

/// A Google service account and the principals granted `roles/iam.workloadIdentityUser` on it.
public struct GCPServiceAccount: Sendable {
    public var email: String
    public var workloadIdentityUsers: [String]
}

public struct GCPDirectory: Sendable {
    public var projectNumber: String
    public var providers: [GCPPoolProvider]
    public var serviceAccounts: [GCPServiceAccount]
    /// Buckets per project, and the principals allowed `storage.buckets.list` there.
    public var buckets: [String: [String]] = [:]
    public var bucketReaders: [String: [String]] = [:]
    /// The principals allowed `iam.serviceAccounts.getIamPolicy` on the project's service accounts
    /// (as roles/iam.securityReviewer or roles/iam.serviceAccountAdmin grant it).
    public var iamPolicyReaders: [String] = []
    /// Operator access tokens and their principals (OAuth tokens a person would get from gcloud).
    public var operatorTokens: [String: String] = [:]
    /// The project id the demo's service accounts live in.
    public var projectID = DemoDirectory.gcpProject

    static let wifPool = "widash-demo-pool"
    static let wifProvider = "widash-demo-cluster"

    /// The demo: the GKE pool `widash-demo.svc.id.goog` and a WIF pool provider, both trusting the
    /// cluster's issuer; `gke-ok@…` is usable by `gcp/gke-ok` only.
    public static func demo(context: SandboxContext) -> GCPDirectory {
        let number = DemoDirectory.gcpProjectNumber
        let gkePool = DemoDirectory.gcpWorkloadPool
        let wifName = "//iam.googleapis.com/projects/\(number)/locations/global/workloadIdentityPools/\(wifPool)/providers/\(wifProvider)"
        let wifPrincipalBase = "principal://iam.googleapis.com/projects/\(number)/locations/global/workloadIdentityPools/\(wifPool)/subject/"
        let gkeProvider = GCPPoolProvider(
            audience: "identitynamespace:\(gkePool):\(context.clusterIssuer)", poolID: gkePool, issuer: context.clusterIssuer,
            allowedAudiences: [gkePool],
            principal: { subject in
                guard let sa = ServiceAccountSubject.parse(subject) else { return [] }
                return ["serviceAccount:\(gkePool)[\(sa.namespace)/\(sa.name)]",
                        "principal://iam.googleapis.com/projects/\(number)/locations/global/workloadIdentityPools/\(gkePool)/subject/ns/\(sa.namespace)/sa/\(sa.name)"]
            })
        let wif = GCPPoolProvider(
            audience: wifName, poolID: wifPool, issuer: context.clusterIssuer,
            // With no allowed audiences configured, Google accepts the provider's full name, with or without https:.
            allowedAudiences: [wifName, "https:" + wifName],
            principal: { subject in [wifPrincipalBase + subject] })
        let sa = GCPServiceAccount(email: DemoDirectory.gkeServiceAccount, workloadIdentityUsers: [
            "serviceAccount:\(gkePool)[gcp/gke-ok]",
            wifPrincipalBase + "system:serviceaccount:gcp:gke-ok",
        ])
        var directory = GCPDirectory(projectNumber: number, providers: [gkeProvider, wif], serviceAccounts: [sa])
        directory.buckets = [DemoDirectory.gcpProject: ["widash-demo-logs", "widash-demo-exports"]]
        directory.bucketReaders = [DemoDirectory.gcpProject: ["serviceAccount:\(DemoDirectory.gkeServiceAccount)"]]
        directory.operatorTokens = [DemoDirectory.gcpOperatorAccessToken: DemoDirectory.gcpOperatorPrincipal,
                                    DemoDirectory.gcpLimitedOperatorAccessToken: DemoDirectory.gcpLimitedOperatorPrincipal]
        directory.iamPolicyReaders = [DemoDirectory.gcpOperatorPrincipal]
        return directory
    }
}

/// Tokens issued by the emulated STS and iamcredentials, remembered so later calls can check them.
actor GCPTokenStore {
    struct Federated: Sendable {
        var principals: [String]
        var expires: Date
    }

    private var federated: [String: Federated] = [:]

    /// A store that already knows the operators' long-lived tokens (token → principal).
    init(operators: [String: String] = [:]) {
        for (token, principal) in operators { federated[token] = Federated(principals: [principal], expires: .distantFuture) }
    }

    /// Issues an opaque token (`ya29.d.` federated, `ya29.c.` service account) for `principals`.
    func issue(principals: [String], expires: Date, prefix: String = "ya29.d.") -> String {
        let token = GCPWire.token(prefix: prefix)
        federated[token] = Federated(principals: principals, expires: expires)
        return token
    }

    func lookup(_ token: String) -> Federated? { federated[token] }
}
