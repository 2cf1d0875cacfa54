import Foundation
import WidashHTTP
import WidashSandboxAWS
import WidashSandboxKit

/// What a client of a running sandbox needs besides its kubeconfig: the cloud trust and host mapping,
/// and the documented demo operator credentials. `widash --demo` uses them in memory; `sandbox serve
/// --env-out` writes them as `export` lines, so widash and standard clients in other processes reach
/// the same sandbox from that file alone.
extension SandboxServer {
    /// The demo operator's credentials, as the environment variables the cloud SDKs (and widash's
    /// cloud clients) read: the Azure service principal `widash-operator` (Graph and ARM reads) and
    /// the AWS IAM user `widash-operator` (IAM, EKS, eks-auth). Demo-only values that open nothing
    /// but this emulator; the sandbox publishes them.
    public static let operatorEnvironment: [String: String] = [
        "AZURE_TENANT_ID": DemoDirectory.tenantID,
        "AZURE_CLIENT_ID": DemoDirectory.operatorClientID,
        "AZURE_CLIENT_SECRET": DemoDirectory.operatorClientSecret,
        "AZURE_SUBSCRIPTION_ID": DemoDirectory.subscriptionID,
        "AWS_ACCESS_KEY_ID": AWSCredentialStore.operatorAccessKeyID,
        "AWS_SECRET_ACCESS_KEY": AWSCredentialStore.operatorSecretAccessKey,
        "AWS_REGION": DemoDirectory.awsRegion,
        "WIDASH_EKS_CLUSTER": DemoDirectory.eksClusterName,
        // The demo cluster's issuer is the sandbox's own address, not a GKE issuer the pool could be read from.
        "WIDASH_GKE_WORKLOAD_POOL": DemoDirectory.gcpWorkloadPool,
    ]

    /// `base` with the user's own cloud settings removed and the demo operator's put in, so a demo
    /// never sends real credentials anywhere (and no real `~/.aws` profile is read).
    public static func operatorEnvironment(base: [String: String]) -> [String: String] {
        var env = base.filter { !$0.key.hasPrefix("AWS_") && !$0.key.hasPrefix("AZURE_") }
        env["AWS_CONFIG_FILE"] = "/dev/null"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        env.merge(operatorEnvironment) { _, demo in demo }
        return env
    }

    /// Transport settings for the cloud APIs: trust the sandbox CA, and route the real cloud host
    /// names (URL, Host header and SNI unchanged) to the sandbox.
    public var cloudHTTPOptions: HTTPClientOptions {
        HTTPClientOptions(tls: TLSOptions(caPEM: Data(info.caPEM.utf8)), connectTo: info.connectTo)
    }
}
