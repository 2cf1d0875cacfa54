import Foundation
import Logging
import WidashCore
import WidashCloud
import WidashHTTP

/// How a trace runs.
public struct TraceOptions: Sendable {
    /// Forbids the TokenRequest and the exchange: step 1 inspects only, steps 2–5 are skipped.
    public var readOnly: Bool
    /// The resource URL for step 5 (`--resource`); proposed from the pod's env when nil.
    public var resourceURL: String?
    /// The scope for step 2 (`--scope`, Azure); derived from the resource when nil.
    public var scope: String?
    /// Time allowed for each step; a step that takes longer fails with a diagnosis naming the endpoint.
    public var stepTimeout: Duration
    /// Lifetime asked for the test token; nil = the projected token's TTL (never below TokenRequest's 600 s minimum).
    public var tokenExpirationSeconds: Int?
    /// EKS cluster name for Pod Identity (eks-auth, ListPodIdentityAssociations).
    public var eksClusterName: String?
    /// GKE workload pool (`PROJECT.svc.id.goog`); derived from the Google service account when nil.
    public var gcpWorkloadPool: String?
    /// Google STS audience override (a WIF provider name); GKE's `identitynamespace:POOL:ISSUER` when nil.
    public var gcpSTSAudience: String?
    /// False stops after step 4: a test token is exchanged but no resource is called (the
    /// dashboard's `f`), so step 5 is skipped with that reason.
    public var callsResource: Bool
    /// Step 1 reads the pod's own projected token file (pods/exec) and steps 2–5 present it
    /// instead of a fresh TokenRequest's token (`--pod-token`). Refused when `readOnly`.
    public var podToken: Bool
    /// The clock (a seam for tests).
    public var now: @Sendable () -> Date

    public init(readOnly: Bool = false, resourceURL: String? = nil, scope: String? = nil, stepTimeout: Duration = .seconds(20),
                tokenExpirationSeconds: Int? = nil, eksClusterName: String? = nil, gcpWorkloadPool: String? = nil,
                gcpSTSAudience: String? = nil, callsResource: Bool = true, podToken: Bool = false, now: @escaping @Sendable () -> Date = { Date() }) {
        self.readOnly = readOnly
        self.resourceURL = resourceURL
        self.scope = scope
        self.stepTimeout = stepTimeout
        self.tokenExpirationSeconds = tokenExpirationSeconds
        self.eksClusterName = eksClusterName
        self.gcpWorkloadPool = gcpWorkloadPool
        self.gcpSTSAudience = gcpSTSAudience
        self.callsResource = callsResource
        self.podToken = podToken
        self.now = now
    }
}

/// The cloud side of a trace: one transport, the operator's environment and credentials, base URLs.
public struct TraceServices: Sendable {
    public var transport: any HTTPTransport
    /// The operator's environment (AWS_*, AZURE_*), not the pod's.
    public var environment: [String: String]
    public var awsConfiguration: AWSConfiguration
    public var graphBaseURL: String
    public var armBaseURL: String
    public var gcpSTSBaseURL: String
    public var gcpIAMCredentialsBaseURL: String
    /// What step 3 compares the token with (federated credentials, trust policies, associations,
    /// IAM policies), read with the operator's credentials and shared with the trust audit: what the
    /// audit read is not read again.
    public var trustReader: CloudTrustReader
    /// Where each step's decision is logged (debug level).
    public var logger: Logger

    /// - Parameter azureCredential: the operator's Azure credentials for the reads of step 3 (nil:
    ///   the Azure side is "not checked"); ignored when `trustReader` is given.
    public init(transport: any HTTPTransport, environment: [String: String] = ProcessInfo.processInfo.environment,
                azureCredential: (any AzureOperatorCredential)? = nil, awsConfiguration: AWSConfiguration? = nil,
                graphBaseURL: String = "https://graph.microsoft.com", armBaseURL: String = "https://management.azure.com",
                gcpSTSBaseURL: String = "https://sts.googleapis.com", gcpIAMCredentialsBaseURL: String = "https://iamcredentials.googleapis.com",
                trustReader: CloudTrustReader? = nil, logger: Logger = Logger(label: "widash.trace")) {
        self.transport = transport
        self.environment = environment
        let aws = awsConfiguration ?? AWSConfiguration(environment: environment)
        self.awsConfiguration = aws
        self.graphBaseURL = graphBaseURL
        self.armBaseURL = armBaseURL
        self.gcpSTSBaseURL = gcpSTSBaseURL
        self.gcpIAMCredentialsBaseURL = gcpIAMCredentialsBaseURL
        var endpoints = CloudTrustReader.Endpoints()
        endpoints.graph = graphBaseURL
        endpoints.arm = armBaseURL
        self.trustReader = trustReader ?? CloudTrustReader(transport: transport, environment: environment, azureCredential: azureCredential,
                                                           awsConfiguration: aws, endpoints: endpoints)
        self.logger = logger
    }

    /// The usual wiring: Azure operator credentials from the service-principal env vars, then the Azure CLI.
    public static func standard(transport: any HTTPTransport, environment: [String: String] = ProcessInfo.processInfo.environment,
                                trustReader: CloudTrustReader? = nil, logger: Logger = Logger(label: "widash.trace")) -> TraceServices {
        TraceServices(transport: transport, environment: environment,
                      azureCredential: trustReader == nil ? AzureOperatorCredentialChain.standard(transport: transport, environment: environment) : nil,
                      trustReader: trustReader, logger: logger)
    }
}
