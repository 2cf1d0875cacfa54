import Foundation
import Logging
import WidashHTTP
import WidashKube

/// Everything a `ClusterSession` needs, decided by the executable's wiring (kubeconfig or the demo
/// sandbox) and nothing else: the session never knows which of the two it talks to.
public struct SessionConfiguration: Sendable {
    /// The resolved kubeconfig context.
    public var kube: ResolvedKubeConfig
    /// Builds transports (the executable passes `CurlTransport.init`; tests may pass fakes).
    public var transportFactory: HTTPTransportFactory
    /// Transport options for the cloud APIs (Entra, Graph, ARM, AWS, GCP): trust store and host
    /// remapping. The demo trusts the sandbox CA and maps the real host names to it.
    public var cloudHTTP: HTTPClientOptions
    /// The operator's environment for the cloud clients (AWS_*, AZURE_*): the process environment
    /// for a real cluster, plus the sandbox's demo operator credentials for `--demo`.
    public var cloudEnvironment: [String: String]
    /// Forbids TokenRequests and token exchanges; enforced here and in the Kubernetes client.
    public var readOnly: Bool
    /// EKS cluster name for Pod Identity lookups (`--eks-cluster`).
    public var eksClusterName: String?
    /// GKE workload pool override.
    public var gcpWorkloadPool: String?
    /// Time allowed for each trace step.
    public var stepTimeout: Duration
    /// Where the session logs every call and every trace step's decision (debug level).
    public var logger: Logger

    public init(kube: ResolvedKubeConfig, transportFactory: @escaping HTTPTransportFactory,
                cloudHTTP: HTTPClientOptions = HTTPClientOptions(),
                cloudEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                readOnly: Bool = false, eksClusterName: String? = nil, gcpWorkloadPool: String? = nil,
                stepTimeout: Duration = .seconds(20), logger: Logger = Logger(label: "widash")) {
        self.kube = kube
        self.transportFactory = transportFactory
        self.cloudHTTP = cloudHTTP
        self.cloudEnvironment = cloudEnvironment
        self.readOnly = readOnly
        self.eksClusterName = eksClusterName
        self.gcpWorkloadPool = gcpWorkloadPool
        self.stepTimeout = stepTimeout
        self.logger = logger
    }
}
