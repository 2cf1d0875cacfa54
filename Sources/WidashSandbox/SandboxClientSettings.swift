import Foundation
import WidashHTTP
import WidashSandboxAWS
import WidashSandboxKit

/// What a client of a running sandbox needs besides its kubeconfig: the cloud trust and host mapping,
/// and the documented demo operator credentials. `widash --demo` uses them in memory; `sandbox serve
/// --env-out` writes them as `export` lines, so widash and standard clients in other processes reach
/// the same sandbox from that file alone.
/// Which demo operator a client runs as: the full one (reads everything a trust audit needs) or the
/// limited one (authenticates everywhere but may not read federated credentials, role assignments,
/// Graph applications, IAM roles and OIDC providers, EKS associations or Google IAM policies), to
/// show verdicts that are unknown for want of a permission.
public enum DemoOperator: String, Sendable, CaseIterable {
    case full, limited
}

extension SandboxServer {
    /// The demo operator's credentials, as the environment variables the cloud SDKs (and widash's
    /// cloud clients) read: the Azure service principal `widash-operator` (Graph and ARM reads),
    /// the AWS IAM user `widash-operator` (IAM, EKS, eks-auth) and a Google OAuth access token
    /// (`GOOGLE_OAUTH_ACCESS_TOKEN`, the variable the Terraform Google provider documents for an
    /// access token). Demo-only values that open nothing but this emulator; the sandbox publishes them.
    public static let operatorEnvironment: [String: String] = operatorEnvironment(for: .full)

    /// The credentials of `demoOperator` (see `operatorEnvironment`); `.limited` puts the app
    /// `widash-limited-operator`, the IAM user `widash-limited` and the limited Google token in
    /// place of the full ones.
    public static func operatorEnvironment(for demoOperator: DemoOperator) -> [String: String] {
        let limited = demoOperator == .limited
        return [
            "AZURE_TENANT_ID": DemoDirectory.tenantID,
            "AZURE_CLIENT_ID": limited ? DemoDirectory.limitedOperatorClientID : DemoDirectory.operatorClientID,
            "AZURE_CLIENT_SECRET": limited ? DemoDirectory.limitedOperatorClientSecret : DemoDirectory.operatorClientSecret,
            "AZURE_SUBSCRIPTION_ID": DemoDirectory.subscriptionID,
            "AWS_ACCESS_KEY_ID": limited ? AWSCredentialStore.limitedAccessKeyID : AWSCredentialStore.operatorAccessKeyID,
            "AWS_SECRET_ACCESS_KEY": limited ? AWSCredentialStore.limitedSecretAccessKey : AWSCredentialStore.operatorSecretAccessKey,
            "AWS_REGION": DemoDirectory.awsRegion,
            "WIDASH_EKS_CLUSTER": DemoDirectory.eksClusterName,
            // The demo cluster's issuer is the sandbox's own address, not a GKE issuer the pool could be read from.
            "WIDASH_GKE_WORKLOAD_POOL": DemoDirectory.gcpWorkloadPool,
            "GOOGLE_OAUTH_ACCESS_TOKEN": limited ? DemoDirectory.gcpLimitedOperatorAccessToken : DemoDirectory.gcpOperatorAccessToken,
        ]
    }

    /// `base` with the user's own cloud settings removed and `demoOperator`'s put in, so a demo never
    /// sends real credentials anywhere (and no real `~/.aws` profile or gcloud credentials are read).
    public static func operatorEnvironment(base: [String: String], operator demoOperator: DemoOperator = .full) -> [String: String] {
        var env = base.filter { !$0.key.hasPrefix("AWS_") && !$0.key.hasPrefix("AZURE_") && !googleCredentialVariables.contains($0.key) }
        env["AWS_CONFIG_FILE"] = "/dev/null"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        env.merge(operatorEnvironment(for: demoOperator)) { _, demo in demo }
        return env
    }

    /// The variables through which Google clients find credentials of their own (google-auth's
    /// `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's `CLOUDSDK_AUTH_ACCESS_TOKEN_FILE`, the Terraform
    /// provider's `GOOGLE_CREDENTIALS`/`GOOGLE_OAUTH_ACCESS_TOKEN`): dropped from a demo's environment.
    static let googleCredentialVariables: Set<String> = [
        "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE",
    ]

    /// Transport settings for the cloud APIs: trust the sandbox CA, and route the real cloud host
    /// names (URL, Host header and SNI unchanged) to the sandbox.
    public var cloudHTTPOptions: HTTPClientOptions {
        HTTPClientOptions(tls: TLSOptions(caPEM: Data(info.caPEM.utf8)), connectTo: info.connectTo)
    }
}
