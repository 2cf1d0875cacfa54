import Foundation
import Logging
import WidashHTTP
import WidashKube

/// Everything of a `SessionConfiguration` except the kubeconfig context: how the cloud APIs are
/// reached, whose cloud credentials are used, read-only mode. One template makes the sessions of
/// every context of a fleet, so they differ only in their cluster.
public struct SessionTemplate: Sendable {
    public var transportFactory: HTTPTransportFactory
    public var cloudHTTP: HTTPClientOptions
    public var cloudEnvironment: [String: String]
    public var readOnly: Bool
    /// The EKS cluster for Pod Identity lookups when the kubeconfig does not name one: for a fleet,
    /// `WIDASH_EKS_CLUSTER` only (as a single context reads it); `--eks-cluster` names one cluster
    /// and is refused with `--all-contexts`.
    public var eksClusterName: String?
    public var gcpWorkloadPool: String?
    public var stepTimeout: Duration
    public var logger: Logger

    public init(transportFactory: @escaping HTTPTransportFactory, cloudHTTP: HTTPClientOptions = HTTPClientOptions(),
                cloudEnvironment: [String: String] = ProcessInfo.processInfo.environment, readOnly: Bool = false,
                eksClusterName: String? = nil, gcpWorkloadPool: String? = nil, stepTimeout: Duration = .seconds(20),
                logger: Logger = Logger(label: "widash")) {
        self.transportFactory = transportFactory
        self.cloudHTTP = cloudHTTP
        self.cloudEnvironment = cloudEnvironment
        self.readOnly = readOnly
        self.eksClusterName = eksClusterName
        self.gcpWorkloadPool = gcpWorkloadPool
        self.stepTimeout = stepTimeout
        self.logger = logger
    }

    public func configuration(for kube: ResolvedKubeConfig) -> SessionConfiguration {
        SessionConfiguration(kube: kube, transportFactory: transportFactory, cloudHTTP: cloudHTTP, cloudEnvironment: cloudEnvironment,
                             readOnly: readOnly, eksClusterName: eksClusterName, gcpWorkloadPool: gcpWorkloadPool,
                             stepTimeout: stepTimeout, logger: logger)
    }
}

extension SessionTemplate {
    /// The template of an existing session's configuration (the demo's: its sandbox CA, host
    /// mapping and demo operator credentials), for the other contexts of the same kubeconfig. The
    /// caller makes sure its EKS cluster name came from the environment, not `--eks-cluster`.
    public init(_ configuration: SessionConfiguration) {
        self.init(transportFactory: configuration.transportFactory, cloudHTTP: configuration.cloudHTTP,
                  cloudEnvironment: configuration.cloudEnvironment, readOnly: configuration.readOnly,
                  eksClusterName: configuration.eksClusterName, gcpWorkloadPool: configuration.gcpWorkloadPool,
                  stepTimeout: configuration.stepTimeout, logger: configuration.logger)
    }
}
