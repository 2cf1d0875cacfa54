import Foundation
import WidashSandboxKit

/// The sandbox's AWS emulation: STS, IAM, EKS and eks-auth for the running scenario (`demo`, or
/// `scale` when the context carries it), sharing one account catalog and one credential store (so
/// credentials STS issues verify at IAM and STS).
///
/// Operator credentials for SigV4 calls to IAM/EKS/eks-auth: `AWSCredentialStore.operatorAccessKeyID`
/// / `operatorSecretAccessKey` (AKIAWIDASHDEMO000001 / widash-demo-operator-secret); the limited
/// operator's, `limitedAccessKeyID` / `limitedSecretAccessKey` (AKIAWIDASHLIMITED001), get
/// AccessDenied for IAM and EKS reads.
public enum AWSSandbox {
    /// The AWS services (STS, IAM, EKS, eks-auth) and, last, a dispatcher for AWS requests addressed
    /// to the sandbox's own loopback address (see `LoopbackDispatcher`), ready for
    /// `SandboxServer.start(options, services:)`. Each call creates fresh credential stores.
    public static func services(context: SandboxContext) -> [any SandboxService] {
        services(context: context, catalog: AWSCatalog.current(context: context))
    }

    /// The same for a given account catalog (tests and other scenarios).
    public static func services(context: SandboxContext, catalog: AWSCatalog) -> [any SandboxService] {
        let store = AWSCredentialStore(account: catalog.account)
        let keys = IssuerKeyVerifier(transport: context.transport)
        let sts = STSService(catalog: catalog, store: store, keys: keys, now: context.now)
        let iam = IAMService(catalog: catalog, store: store, now: context.now)
        let eks = EKSService(catalog: catalog, store: store, now: context.now)
        let eksAuth = EKSAuthService(catalog: catalog, store: store, keys: keys, clusterIssuer: context.clusterIssuer, now: context.now)
        let loopback = LoopbackDispatcher(sts: sts, iam: iam, eks: eks, eksAuth: eksAuth)
        return [sts, iam, eks, eksAuth, loopback]
    }

    /// Whether a request sent to the sandbox's loopback address is an AWS call (SigV4 scope, query
    /// `Action`, or an EKS/eks-auth path). The loopback dispatcher in `services(context:)`
    /// answers the loopback host names; a router that also serves other loopback clouds (Entra) can
    /// ask this first.
    public static func isCloudLoopbackRequest(_ request: SandboxRequest) -> Bool {
        LoopbackDispatcher.kind(of: request) != nil
    }

    /// Every host name the AWS services answer for in the demo region (for the CA's SANs and CONNECT_TO).
    public static func hostNames(region: String = DemoDirectory.awsRegion) -> [String] {
        ["sts.amazonaws.com", "sts.\(region).amazonaws.com", "iam.amazonaws.com",
         "eks.\(region).amazonaws.com", "eks-auth.\(region).api.aws"]
    }
}
