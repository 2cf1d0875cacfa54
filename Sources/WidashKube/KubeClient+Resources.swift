import Foundation
import WidashCore

/// The API server's `/version`.
public struct KubeVersion: Codable, Sendable, Equatable {
    public var major: String?
    public var minor: String?
    public var gitVersion: String?
    public var platform: String?

    public init(major: String? = nil, minor: String? = nil, gitVersion: String? = nil, platform: String? = nil) {
        self.major = major
        self.minor = minor
        self.gitVersion = gitVersion
        self.platform = platform
    }
}

extension KubeClient {
    public func namespaces() async throws -> KubeList<Namespace> {
        try await list(.namespaces)
    }

    /// Service accounts of one namespace, or of all when `namespace` is nil.
    public func serviceAccounts(namespace: String?) async throws -> KubeList<ServiceAccount> {
        try await list(.serviceAccounts, namespace: namespace)
    }

    /// Pods of one namespace, or of all when `namespace` is nil.
    public func pods(namespace: String?) async throws -> KubeList<Pod> {
        try await list(.pods, namespace: namespace)
    }

    public func mutatingWebhookConfigurations() async throws -> KubeList<MutatingWebhookConfiguration> {
        try await list(.mutatingWebhookConfigurations)
    }

    /// Legacy aad-pod-identity AzureIdentities; empty when the CRD is not installed.
    public func azureIdentities(namespace: String?) async throws -> KubeList<AzureIdentity> {
        try await listIfInstalled(.azureIdentities, namespace: namespace)
    }

    /// Legacy aad-pod-identity AzureIdentityBindings; empty when the CRD is not installed.
    public func azureIdentityBindings(namespace: String?) async throws -> KubeList<AzureIdentityBinding> {
        try await listIfInstalled(.azureIdentityBindings, namespace: namespace)
    }

    /// One object by name.
    public func object<T: KubeObject>(_ resource: KubeResource, namespace: String?, name: String,
                                      as type: T.Type = T.self) async throws -> T {
        try await get(resource.path(namespace: namespace, name: name), as: type)
    }

    /// The service-account issuer's discovery document, through the API server.
    public func issuerDiscovery() async throws -> OIDCDiscovery {
        try await get("/.well-known/openid-configuration")
    }

    /// The issuer's JWKS as raw JSON, through the API server (as `kubectl get --raw /openid/v1/jwks`).
    public func issuerJWKS() async throws -> Data {
        try await send(path: "/openid/v1/jwks").body
    }

    /// The API server's version.
    public func serverVersion() async throws -> KubeVersion {
        try await get("/version")
    }

    /// Everything the inventory needs, fetched concurrently. With a namespace, only that namespace's
    /// objects (and that namespace itself, without needing permission to list namespaces).
    public func loadSnapshot(namespace: String?) async throws -> ClusterSnapshot {
        async let namespaces = namespaceList(namespace)
        async let serviceAccounts = serviceAccounts(namespace: namespace)
        async let pods = pods(namespace: namespace)
        async let webhooks = mutatingWebhookConfigurations()
        async let identities = azureIdentities(namespace: namespace)
        async let bindings = azureIdentityBindings(namespace: namespace)
        async let issuer = issuerState()
        let (issuerName, reachable) = try await issuer
        return ClusterSnapshot(
            namespaces: try await namespaces, serviceAccounts: try await serviceAccounts.items,
            pods: try await pods.items, webhooks: try await webhooks.items,
            azureIdentities: try await identities.items, azureIdentityBindings: try await bindings.items,
            issuer: issuerName, issuerDiscoveryReachable: reachable)
    }

    private func namespaceList(_ namespace: String?) async throws -> [Namespace] {
        guard let namespace else { return try await namespaces().items }
        do {
            return [try await object(.namespaces, namespace: nil, name: namespace, as: Namespace.self)]
        } catch let error as KubeAPIError where error.statusCode == 403 {
            // Namespace-scoped users may not read the Namespace object; the name is all we need.
            return [Namespace(metadata: ObjectMeta(name: namespace))]
        }
    }

    /// The issuer from discovery, and whether discovery and JWKS are served. A 404 means the cluster
    /// does not serve them (reachable: false); other API errors leave it unknown (nil).
    private func issuerState() async throws -> (String?, Bool?) {
        do {
            let discovery = try await issuerDiscovery()
            _ = try await issuerJWKS()
            return (discovery.issuer, true)
        } catch let error as KubeAPIError {
            return (nil, error.statusCode == 404 ? false : nil)
        } catch is KubeClientError {
            return (nil, false)
        }
    }
}
