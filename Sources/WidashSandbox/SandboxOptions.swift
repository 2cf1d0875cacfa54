import Foundation

/// How to start a sandbox.
public struct SandboxOptions: Sendable {
    /// The scenario whose Kubernetes objects the sandbox serves.
    public enum Scenario: Sendable, Equatable {
        /// The demo: shop, broken, aws, legacy and gcp namespaces with deterministic names.
        case demo
        /// Many realistic objects (about 3 KB of JSON per pod), for performance work.
        case scale(namespaces: Int, serviceAccounts: Int, pods: Int)
    }

    /// Address to listen on; loopback by default.
    public var listenHost: String
    /// Port to listen on; 0 picks a free one (see `SandboxInfo.apiServer`).
    public var port: Int
    public var scenario: Scenario
    /// When true the demo does not change by itself (no pod restarts or scaling).
    public var isStatic: Bool
    /// Faults injected into the Kubernetes API; nil for none.
    public var faults: FaultSpec?
    /// When set, the CA (`ca.pem`) and a kubeconfig (`kubeconfig`) are written into this directory at
    /// start and their paths reported in `SandboxInfo`.
    public var outputDirectory: String?
    /// Where to write the kubeconfig instead of `outputDirectory/kubeconfig`.
    public var kubeconfigPath: String?
    /// How often the demo moves when not static.
    public var movementInterval: Duration
    /// Set by `SandboxFleet` for a cluster whose issuer and objects are its own (an EKS-like or
    /// GKE-like fleet member); nil for an ordinary sandbox.
    var member: FleetClusterSpec?

    public init(listenHost: String = "127.0.0.1", port: Int = 0, scenario: Scenario = .demo, isStatic: Bool = false,
                faults: FaultSpec? = nil, outputDirectory: String? = nil, kubeconfigPath: String? = nil,
                movementInterval: Duration = .seconds(20)) {
        self.listenHost = listenHost
        self.port = port
        self.scenario = scenario
        self.isStatic = isStatic
        self.faults = faults
        self.outputDirectory = outputDirectory
        self.kubeconfigPath = kubeconfigPath
        self.movementInterval = movementInterval
    }
}

/// What a started sandbox tells its clients; `widash sandbox serve` prints it as one JSON line.
/// The admin bearer token is deliberately absent: it is in the kubeconfig only.
public struct SandboxInfo: Codable, Sendable, Equatable {
    /// Path of the written kubeconfig, when one was written.
    public var kubeconfig: String?
    /// The Kubernetes API server URL, e.g. `https://127.0.0.1:40123`.
    public var apiServer: String
    /// The service-account issuer (the API server URL, no trailing slash).
    public var issuer: String
    /// Path of the written CA certificate, when one was written.
    public var caFile: String?
    /// The sandbox CA certificate (PEM).
    public var caPEM: String
    /// The Entra authority host as clients configure it (`AZURE_AUTHORITY_HOST`); reached through `connectTo`.
    public var entraAuthorityHost: String
    /// Endpoint for AWS SDKs (`AWS_ENDPOINT_URL`): the sandbox itself; the AWS services are chosen by
    /// the request (SigV4 scope / Action), as the Host header is loopback.
    public var awsEndpoint: String
    /// libcurl CONNECT_TO entries (`HOST:443:127.0.0.1:PORT`) for every emulated real host name.
    public var connectTo: [String]
    /// Names of the kubeconfig contexts: full access and the limited (viewer) user.
    public var adminContext: String
    public var viewerContext: String
    /// The namespace-scoped user's context (namespace `shop`).
    public var namespacedContext: String
    /// Every cluster of a fleet (`sandbox serve --clusters N`, the demo fleet); nil for one cluster.
    public var clusters: [SandboxClusterInfo]?

    public init(kubeconfig: String?, apiServer: String, issuer: String, caFile: String?, caPEM: String,
                entraAuthorityHost: String, awsEndpoint: String, connectTo: [String],
                adminContext: String, viewerContext: String, namespacedContext: String, clusters: [SandboxClusterInfo]? = nil) {
        self.clusters = clusters
        self.kubeconfig = kubeconfig
        self.apiServer = apiServer
        self.issuer = issuer
        self.caFile = caFile
        self.caPEM = caPEM
        self.entraAuthorityHost = entraAuthorityHost
        self.awsEndpoint = awsEndpoint
        self.connectTo = connectTo
        self.adminContext = adminContext
        self.viewerContext = viewerContext
        self.namespacedContext = namespacedContext
    }
}

/// Which kubeconfig user a kubeconfig selects.
public enum SandboxUser: String, Sendable, CaseIterable {
    /// May do everything (user `kubernetes-admin`).
    case admin
    /// May read everything but not create service-account tokens (user
    /// `system:serviceaccount:widash:viewer`): the 403 case.
    case limited
    /// An application team's user (`dev@shop.example`): reads and mints tokens in namespace `shop`
    /// only, nothing cluster-scoped (context `widash-sandbox-shop`, namespace `shop`).
    case shopDeveloper
}

/// The bearer tokens of the sandbox's users (only ever in the kubeconfig).
struct SandboxTokens: Sendable {
    var admin: String
    var viewer: String
    var shopDeveloper: String
}
