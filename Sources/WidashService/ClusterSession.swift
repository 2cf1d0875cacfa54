import Foundation
import Logging
import WidashCloud
import WidashCore
import WidashHTTP
import WidashKube
import WidashTrace

/// One cluster as the CLI and the dashboard see it: the inventory, traces, test tokens and doctor
/// checks, over the Kubernetes client and the cloud clients. Read-only mode is enforced here (and,
/// for TokenRequests, again in the Kubernetes client).
public struct ClusterSession: Sendable {
    public let configuration: SessionConfiguration
    public let kube: KubeClient
    /// The transport for cloud APIs (Entra, Graph, ARM, AWS, GCP).
    public let cloudTransport: any HTTPTransport
    /// What the trust audit and the traces' step 3 read from the clouds, shared and kept for a while.
    public let trustReader: CloudTrustReader
    let logger: Logger

    public init(_ configuration: SessionConfiguration, kubeOptions: KubeClientOptions? = nil) {
        self.configuration = configuration
        let logger = configuration.logger
        self.logger = logger
        var options = kubeOptions ?? KubeClientOptions(logger: logger)
        options.readOnly = configuration.readOnly
        // Every call is logged at debug level, Kubernetes and cloud alike.
        let factory = configuration.transportFactory
        let logged: HTTPTransportFactory = { LoggedTransport(base: factory($0), logger: logger) }
        self.kube = KubeClient(config: configuration.kube, options: options, transportFactory: logged)
        self.cloudTransport = logged(configuration.cloudHTTP)
        self.trustReader = CloudTrustReader(transport: cloudTransport, environment: configuration.cloudEnvironment,
                                            azureCredential: AzureOperatorCredentialChain.standard(transport: cloudTransport,
                                                                                                   environment: configuration.cloudEnvironment))
    }

    public var readOnly: Bool { configuration.readOnly }

    // MARK: - Inventory

    /// Lists everything the inventory needs (one namespace or all) and builds it.
    public func inventory(namespace: String?, now: Date = Date()) async throws -> Inventory {
        try await inventoryAndIndex(namespace: namespace, now: now).inventory
    }

    /// The same, with the index that holds the listed objects (the benchmark measures its memory).
    public func inventoryAndIndex(namespace: String?, now: Date = Date()) async throws -> (inventory: Inventory, index: InventoryIndex) {
        try await InventoryLoad(kube: kube, namespace: namespace, now: now).run()
    }

    // MARK: - Cluster facts

    /// The service-account issuer from discovery; nil when it cannot be read.
    public func issuer() async -> String? {
        try? await kube.issuerDiscovery().issuer
    }

    /// Namespace names (for `:ns`); empty when they cannot be listed.
    public func namespaceNames() async -> [String] {
        (try? await kube.namespaces().items.map(\.metadata.name)) ?? []
    }

    /// Resources step 5 could call for a service account: the https URLs its pods' own settings
    /// name (the webhooks' variables are not resources), then ARM's subscription list.
    public func traceResources(namespace: String, serviceAccount: String) async -> [String] {
        let pods = (try? await kube.pods(namespace: namespace).items) ?? []
        var urls: [String] = []
        for pod in pods where (pod.spec.serviceAccountName ?? "default") == serviceAccount {
            for container in pod.spec.containers {
                for env in container.env ?? [] where !env.name.hasPrefix("AZURE_") && !env.name.hasPrefix("AWS_") {
                    if let v = env.value, v.hasPrefix("https://"), !urls.contains(v) { urls.append(v) }
                }
            }
        }
        return urls + ["https://management.azure.com/subscriptions?api-version=2022-12-01"]
    }

    // MARK: - Pods and service accounts

    /// The pod and the service account it runs as.
    public func podAndServiceAccount(namespace: String, pod name: String) async throws -> (Pod, ServiceAccount) {
        let pod: Pod
        do {
            pod = try await kube.object(.pods, namespace: namespace, name: name, as: Pod.self)
        } catch let error as KubeAPIError where error.statusCode == 404 {
            throw SessionError.podNotFound(namespace: namespace, name: name)
        }
        let saName = pod.spec.serviceAccountName ?? "default"
        do {
            let sa = try await kube.object(.serviceAccounts, namespace: namespace, name: saName, as: ServiceAccount.self)
            return (pod, sa)
        } catch let error as KubeAPIError where error.statusCode == 404 {
            // The trace still runs: step 1 reports the missing service account.
            return (pod, ServiceAccount(metadata: ObjectMeta(name: saName, namespace: namespace)))
        }
    }

    // MARK: - Trace

    /// The trace engine wired to this cluster and the cloud clients.
    public var traceEngine: TraceEngine {
        TraceEngine(cluster: KubeTraceCluster(client: kube),
                    services: TraceServices.standard(transport: cloudTransport, environment: configuration.cloudEnvironment,
                                                     trustReader: trustReader, logger: logger))
    }

    public func traceOptions(resource: String? = nil, scope: String? = nil, podToken: Bool = false) -> TraceOptions {
        TraceOptions(readOnly: readOnly, resourceURL: resource, scope: scope, stepTimeout: configuration.stepTimeout,
                     eksClusterName: eksCluster?.name, gcpWorkloadPool: configuration.gcpWorkloadPool, podToken: podToken)
    }

    /// Runs the five steps for a pod, streaming events. Throws when the pod cannot be read.
    /// `podToken`: present the pod's own token file (read with pods/exec) instead of a fresh
    /// TokenRequest's; refused before any request when the session is read-only.
    public func trace(namespace: String, pod: String, resource: String? = nil,
                      scope: String? = nil, podToken: Bool = false) async throws -> AsyncStream<TraceEvent> {
        if podToken, readOnly { throw SessionError.podTokenReadOnly }
        let (p, sa) = try await podAndServiceAccount(namespace: namespace, pod: pod)
        return traceEngine.run(pod: p, serviceAccount: sa, options: traceOptions(resource: resource, scope: scope, podToken: podToken))
    }

    /// Steps 1–4 only: an equivalent token exchanged as the pod would, no resource called (the
    /// dashboard's test-token fetch). Throws when the pod cannot be read.
    public func exchange(namespace: String, pod: String) async throws -> TraceReport {
        let (p, sa) = try await podAndServiceAccount(namespace: namespace, pod: pod)
        var options = traceOptions()
        options.callsResource = false
        return await traceEngine.report(pod: p, serviceAccount: sa, options: options)
    }

    // MARK: - Test tokens

    /// Requests a token for a service account (TokenRequest), bound to a pod when given, decodes it
    /// and verifies it against the issuer's JWKS as served by the API server.
    public func testToken(namespace: String, serviceAccount: String, audience: String?,
                          expirationSeconds: Int?, pod: String?) async throws -> TestToken {
        var bound: (name: String, uid: String)?
        var audienceToUse = audience
        if let pod {
            let (p, _) = try await podAndServiceAccount(namespace: namespace, pod: pod)
            bound = (p.metadata.name, p.metadata.uid ?? "")
            // Default to the audience of the pod's projected token, so the test token is equivalent.
            if audienceToUse == nil { audienceToUse = ProjectedToken.first(in: p)?.audience }
        }
        let issued = try await kube.requestToken(
            namespace: namespace, serviceAccount: serviceAccount,
            audiences: audienceToUse.map { [$0] } ?? [], expirationSeconds: expirationSeconds, boundPod: bound)
        let decoded = try JWT.decode(issued.token)
        var verification: JWTVerification?
        var verificationProblem: String?
        do {
            let jwks = try await kube.issuerJWKS()
            verification = try await JWTVerifier.verify(issued.token, jwksJSON: jwks, expectedIssuer: nil,
                                                        expectedAudience: audienceToUse, now: Date(), leeway: 60)
        } catch {
            verificationProblem = "could not verify the signature: \(error)"
        }
        return TestToken(issued: issued, decoded: decoded, verification: verification,
                         verificationProblem: verificationProblem)
    }
}

/// A test token and what widash learned about it. `issued.token` is the secret itself: show it
/// only when the user asked (`--show-token`).
/// A pod's own projected token, read from inside the pod (`widash token --pod-token`).
public struct PodToken: Sendable {
    public var token: String
    public var decoded: DecodedJWT?
    public var file: ProjectedTokenFile
    public var verification: JWTVerification?
    public var verificationProblem: String?
}

extension ClusterSession {
    /// Reads the token file the pod's SDK reads (the path its identity env names, in the container
    /// that has it) with pods/exec, judges it by the kubelet's refresh rule and verifies it against
    /// the issuer's JWKS. Refused before any request when read-only.
    public func podToken(namespace: String, pod name: String) async throws -> PodToken {
        if readOnly { throw SessionError.podTokenReadOnly }
        let (pod, serviceAccount) = try await podAndServiceAccount(namespace: namespace, pod: name)
        let cluster = KubeTraceCluster(client: kube)
        let facts = await cluster.clusterFacts(gkeWorkloadPool: configuration.gcpWorkloadPool)
        let reading = PodReader.read(pod, serviceAccount: serviceAccount, cluster: facts)
        guard let path = reading.tokenPath, reading.provider != .gcp else {
            throw SessionError.badArgument("pod \(namespace)/\(name) has no projected token file for a cloud "
                + (reading.provider == .gcp ? "(GKE pods get their tokens from the node's metadata server)" : "(no workload identity env)"))
        }
        let container = TraceEngine.tokenContainer(of: pod, path: path)
        let read = try await kube.readFile(namespace: namespace, pod: name, container: container, path: path)
        let token = String(decoding: read.contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let file = ProjectedTokenFile.judge(token: token, path: path, container: container, expectedAudience: reading.audience,
                                            expectedIssuer: facts.issuer, now: Date())
        var verification: JWTVerification?
        var problem: String?
        do {
            let jwks = try await kube.issuerJWKS()
            verification = try await JWTVerifier.verify(token, jwksJSON: jwks, expectedIssuer: nil, expectedAudience: reading.audience,
                                                        now: Date(), leeway: 60)
        } catch {
            problem = "could not verify the signature: \(error)"
        }
        return PodToken(token: token, decoded: try? JWT.decode(token), file: file, verification: verification, verificationProblem: problem)
    }
}

public struct TestToken: Sendable {
    public var issued: IssuedToken
    public var decoded: DecodedJWT
    public var verification: JWTVerification?
    public var verificationProblem: String?
}

/// The projected service-account token volumes of a pod.
enum ProjectedToken {
    static func first(in pod: Pod) -> ServiceAccountTokenProjection? {
        for volume in pod.spec.volumes ?? [] {
            for source in volume.projected?.sources ?? [] {
                if let token = source.serviceAccountToken, token.audience != nil { return token }
            }
        }
        return nil
    }
}
