import Foundation
import WidashCore

/// The cluster-scoped and optional parts of the inventory (`KubeClient.loadExtras`). A nil value
/// was not read: refused (see `unreadable`) or failed (see `failure`).
public struct ClusterExtras: Sendable {
    public var namespaces: [Namespace]?
    public var webhooks: [MutatingWebhookConfiguration]?
    public var azureIdentities: [AzureIdentity]?
    public var azureIdentityBindings: [AzureIdentityBinding]?
    public var issuer: String?
    /// false: the cluster does not serve discovery (404); nil: not known.
    public var issuerReachable: Bool?
    public var unreadable: [UnreadableRead] = []
    /// The first read that failed otherwise (a 5xx after retries, a transport error).
    public var failure: (any Error)?

    public init() {}

    /// Everything but the accounts and pods as a snapshot (`scope`: the namespace listed, nil for
    /// all; `narrowed`: the refused cluster-wide read when the scope was narrowed). Throws `failure`.
    public func snapshot(scope: String?, narrowed: UnreadableRead?) throws -> ClusterSnapshot {
        if let failure { throw failure }
        return ClusterSnapshot(
            namespaces: namespaces ?? scope.map { [Namespace(metadata: ObjectMeta(name: $0))] } ?? [],
            serviceAccounts: [], pods: [], webhooks: webhooks ?? [],
            azureIdentities: azureIdentities ?? [], azureIdentityBindings: azureIdentityBindings ?? [],
            issuer: issuer, issuerDiscoveryReachable: issuerReachable,
            webhooksListed: webhooks != nil, unreadable: (narrowed.map { [$0] } ?? []) + unreadable)
    }
}

/// One optional read's outcome: a value, a refusal, or a failure.
struct OptionalRead<T: Sendable>: Sendable {
    var value: T?
    var refused: UnreadableRead?
    var failure: (any Error)?
}

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
    ///
    /// Degrades instead of aborting: only the service accounts and pods are required. A
    /// cluster-scoped or optional read (webhook configurations, aad-pod-identity objects,
    /// namespaces, issuer discovery) that answers 401/403/404 is recorded in `unreadable` with the
    /// permission that would allow it. For all namespaces, a user who may not list service
    /// accounts or pods cluster-wide gets the context's namespace instead (`listScope`), and that
    /// is recorded too.
    public func loadSnapshot(namespace: String?) async throws -> ClusterSnapshot {
        let (scope, narrowed) = try await listScope(namespace)
        async let lists = accountsAndPods(scope)
        async let extras = loadExtras(namespace: scope)
        let (accountsAndPods, clusterExtras) = try await (lists, extras)
        var snapshot = try clusterExtras.snapshot(scope: scope, narrowed: narrowed)
        snapshot.serviceAccounts = accountsAndPods.accounts
        snapshot.pods = accountsAndPods.pods
        return snapshot
    }

    /// The cluster-scoped and optional parts of the inventory (everything but accounts and pods),
    /// read concurrently; the CLI's snapshot and the dashboard's live feed both read them here.
    /// Each read gives a value, a refusal recorded in `unreadable` (401/403/404, with the permission
    /// that would allow it), or nothing (another failure: `failure`, and the caller may keep an
    /// earlier value).
    public func loadExtras(namespace: String?) async -> ClusterExtras {
        async let namespaces = optional("namespaces", consequence: "namespace labels (AKS's excluded namespaces) are not known") {
            try await namespaceList(namespace)
        }
        async let webhooks = optional("mutating webhook configurations",
                                      consequence: "whether the Azure and AWS webhooks are installed is not known") {
            try await mutatingWebhookConfigurations().items
        }
        async let identities = optional("aad-pod-identity AzureIdentities", consequence: "legacy aad-pod-identity bindings are not shown") {
            try await azureIdentities(namespace: namespace).items
        }
        async let bindings = optional("aad-pod-identity AzureIdentityBindings", consequence: "legacy aad-pod-identity bindings are not shown") {
            try await azureIdentityBindings(namespace: namespace).items
        }
        async let issuer = issuerState()
        var extras = ClusterExtras()
        func take<T>(_ read: OptionalRead<T>) -> T? {
            if let refused = read.refused { extras.unreadable.append(refused) }
            if let failure = read.failure { extras.failure = extras.failure ?? failure }
            return read.value
        }
        extras.namespaces = take(await namespaces)
        extras.webhooks = take(await webhooks)
        extras.azureIdentities = take(await identities)
        extras.azureIdentityBindings = take(await bindings)
        let (issuerName, reachable, issuerRead) = await issuer
        extras.issuer = issuerName
        extras.issuerReachable = reachable
        if let issuerRead { extras.unreadable.append(issuerRead) }
        return extras
    }

    /// Where service accounts and pods can be listed: `namespace` when given; for all namespaces, a
    /// user who may not list them cluster-wide (403 on a one-item list) gets the context's
    /// namespace instead, with the refused read to report.
    /// What a user who may not list all namespaces could not read (`UnreadableRead.what`).
    public static let allNamespacesRead = "service accounts and pods in all namespaces"

    public func listScope(_ namespace: String?) async throws -> (namespace: String?, narrowed: UnreadableRead?) {
        guard namespace == nil else { return (namespace, nil) }
        do {
            async let accounts = send(path: KubeResource.serviceAccounts.path(namespace: nil) + "?limit=1")
            async let pods = send(path: KubeResource.pods.path(namespace: nil) + "?limit=1")
            _ = try await (accounts, pods)
            return (nil, nil)
        } catch let error as KubeAPIError where error.statusCode == 403 {
            return (config.namespace, UnreadableRead(what: Self.allNamespacesRead, statusCode: 403,
                                                     permission: error.missingPermission?.description,
                                                     consequence: "showing namespace \(config.namespace) only, the context's"))
        }
    }

    private func accountsAndPods(_ namespace: String?) async throws -> (accounts: [ServiceAccount], pods: [Pod]) {
        async let accounts = serviceAccounts(namespace: namespace)
        async let pods = pods(namespace: namespace)
        return try await (accounts.items, pods.items)
    }

    /// A read the inventory can do without: 401/403/404 become an `UnreadableRead`; another error
    /// (the API server failing) is handed back as the failure.
    func optional<T: Sendable>(_ what: String, consequence: String,
                               _ read: @Sendable () async throws -> T) async -> OptionalRead<T> {
        do {
            return OptionalRead(value: try await read())
        } catch let error as KubeAPIError where [401, 403, 404].contains(error.statusCode) {
            return OptionalRead(refused: UnreadableRead(what: what, statusCode: error.statusCode,
                                                        permission: error.missingPermission?.description, consequence: consequence))
        } catch {
            return OptionalRead(failure: error)
        }
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
    /// does not serve them (reachable: false); 401/403 is recorded as unreadable; other API errors
    /// leave it unknown (nil).
    private func issuerState() async -> (String?, Bool?, UnreadableRead?) {
        do {
            let discovery = try await issuerDiscovery()
            _ = try await issuerJWKS()
            return (discovery.issuer, true, nil)
        } catch let error as KubeAPIError where error.statusCode == 401 || error.statusCode == 403 {
            return (nil, nil, UnreadableRead(what: "the service-account issuer's discovery document and JWKS", statusCode: error.statusCode,
                                             permission: error.missingPermission?.description,
                                             consequence: "the issuer is not known (ClusterRole system:service-account-issuer-discovery grants it)"))
        } catch let error as KubeAPIError {
            return (nil, error.statusCode == 404 ? false : nil, nil)
        } catch is KubeClientError {
            return (nil, false, nil)
        } catch {
            return (nil, nil, nil)
        }
    }
}
