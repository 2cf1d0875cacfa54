import Foundation
import WidashCore

/// The pod a TokenRequest is bound to (its name and uid), so the minted token carries the same
/// `kubernetes.io/pod` claims as the pod's projected token.
public struct BoundPod: Sendable, Hashable {
    public var name: String
    public var uid: String
    public init(name: String, uid: String) {
        self.name = name
        self.uid = uid
    }
}

/// What the trace needs from the cluster. The lead adapts the Kubernetes client to it; tests fake it.
public protocol TraceCluster: Sendable {
    /// `POST /api/v1/namespaces/{ns}/serviceaccounts/{sa}/token` (TokenRequest) with the audience
    /// and lifetime given, bound to `boundPod` when set. Returns the token.
    func requestToken(namespace: String, serviceAccount: String, audience: String,
                      expirationSeconds: Int, boundPod: BoundPod?) async throws -> String
    /// The service-account issuer discovery document and JWKS, as the API server serves them
    /// (`/.well-known/openid-configuration`, `/openid/v1/jwks`).
    func issuerDiscovery() async throws -> (OIDCDiscovery, jwks: Data)
    /// What a pod's reading needs from the cluster (issuer, webhooks), as far as it can be read;
    /// `gkeWorkloadPool` overrides the pool derived from the issuer.
    func clusterFacts(gkeWorkloadPool: String?) async -> ClusterFacts
    /// The contents of a file in one of the pod's containers (`pods/exec`, a harmless reader such
    /// as `cat`), for the pod's own projected token. Asked for only when the user asks
    /// (`--pod-token`): exec is a powerful permission.
    func readPodFile(namespace: String, pod: String, container: String?, path: String) async throws -> String
}

extension TraceCluster {
    public func readPodFile(namespace: String, pod: String, container: String?, path: String) async throws -> String {
        throw PodFileUnsupported()
    }
}

/// This cluster adapter cannot read files inside pods.
public struct PodFileUnsupported: Error, CustomStringConvertible {
    public var description: String { "reading a file inside the pod is not supported here" }
}
