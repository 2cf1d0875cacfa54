import Foundation
import WidashCore
import WidashHTTP
import WidashKube

/// Where a fleet's kubeconfig comes from.
public enum FleetKubeconfig: Sendable {
    /// `--kubeconfig PATH`, or nil: the `KUBECONFIG` list merged (client-go's rules), else ~/.kube/config.
    case files(explicitPath: String?)
    /// A kubeconfig held in memory (the demo sandbox's: it carries bearer tokens, never written to disk).
    case inMemory(yaml: Data, origin: String)

    func load(environment: KubeEnvironment = .process) throws -> MergedKubeConfig {
        switch self {
        case .files(let path):
            return try KubeConfigLoader(environment: environment).loadMerged(kubeconfigPath: path)
        case .inMemory(let yaml, let origin):
            guard let file = try KubeConfigLoader.parse(yaml, path: origin) else {
                throw KubeConfigError.noConfiguration(searched: [origin])
            }
            return MergedKubeConfig(config: file, sources: [origin])
        }
    }
}

/// How a fleet reads its clusters.
public struct FleetOptions: Sendable {
    /// Only the contexts whose name this regular expression matches (anywhere: anchor with ^…$); nil: all.
    public var contextPattern: String?
    /// Clusters connected to and listed at the same time.
    public var maxInFlight: Int
    /// Time allowed to connect to a cluster and list it (the trust audit that follows has its own).
    public var clusterTimeout: Duration
    /// Run the trust audit (read-only cloud reads) and the public issuer check; false: the clusters only.
    public var auditTrust: Bool
    /// The namespace to list in every cluster; nil: all (narrowed to the context's namespace for a
    /// user who may not list all, as `widash identities` does).
    public var namespace: String?

    public init(contextPattern: String? = nil, maxInFlight: Int = 4, clusterTimeout: Duration = .seconds(15),
                auditTrust: Bool = true, namespace: String? = nil) {
        self.contextPattern = contextPattern
        self.maxInFlight = maxInFlight
        self.clusterTimeout = clusterTimeout
        self.auditTrust = auditTrust
        self.namespace = namespace
    }
}

/// One context of the fleet: its facts, and its resolved kubeconfig or why it cannot be resolved
/// (a missing cluster entry, an unreadable certificate): such a context is a row that says so.
public struct FleetContext: Sendable {
    public var facts: ClusterContextFacts
    public var resolved: Result<ResolvedKubeConfig, ClusterFailure>
}

/// Every context of a kubeconfig at once (issue #15): each is loaded through a `ClusterSession`
/// exactly as `widash identities --context C` loads it, at most `maxInFlight` at a time, each
/// under `clusterTimeout`. One unreachable or forbidden cluster never blocks or hides the others:
/// its summary says why. Exec plugins run once per kubeconfig user across the fleet
/// (`ExecCredentialCache`). Only summaries are kept; a cluster's objects are loaded when it is opened.
public struct FleetSession: Sendable {
    public let contexts: [FleetContext]
    public let options: FleetOptions
    public let template: SessionTemplate
    /// Exec plugin credentials shared by the fleet's sessions.
    public let execCredentials = ExecCredentialCache()

    /// Reads the kubeconfig and picks the contexts. Throws `KubeConfigError` for an unreadable
    /// kubeconfig, `SessionError.badArgument` for a bad pattern or when no context matches.
    public init(kubeconfig: FleetKubeconfig, options: FleetOptions, template: SessionTemplate,
                environment: KubeEnvironment = .process) throws {
        let merged = try kubeconfig.load(environment: environment)
        let names = try Self.select((merged.config.contexts ?? []).map(\.name), pattern: options.contextPattern)
        self.contexts = names.map { Self.context(named: $0, in: merged, namespace: options.namespace, environment: environment) }
        self.options = options
        self.template = template
    }

    /// The context names a pattern selects, sorted (as the dashboard's context picker lists them).
    static func select(_ names: [String], pattern: String?) throws -> [String] {
        let sorted = Array(Set(names)).sorted()
        guard !sorted.isEmpty else { throw SessionError.badArgument("the kubeconfig has no contexts: add one with `kubectl config set-context`") }
        guard let pattern else { return sorted }
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw SessionError.badArgument("--contexts '\(pattern)' is not a regular expression (ICU syntax, e.g. '^prod-|-eu$')")
        }
        let chosen = sorted.filter { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
        guard !chosen.isEmpty else {
            throw SessionError.badArgument("--contexts '\(pattern)' matches no context; the kubeconfig has: \(sorted.joined(separator: ", "))")
        }
        return chosen
    }

    static func context(named name: String, in merged: MergedKubeConfig, namespace: String?, environment: KubeEnvironment) -> FleetContext {
        let entry = merged.config.contexts?.first { $0.name == name }?.context
        let server = entry.flatMap { e in merged.config.clusters?.first { $0.name == e.cluster }?.cluster.server } ?? ""
        let facts = ClusterContextFacts(context: name, cluster: entry?.cluster ?? "", server: server, user: entry?.user ?? "")
        do {
            let kube = try KubeConfigLoader(environment: environment).resolve(
                merged, options: KubeConfigOptions(kubeconfigPath: nil, context: name, namespace: namespace))
            return FleetContext(facts: ClusterContextFacts(context: name, cluster: kube.clusterName, server: kube.server, user: kube.userName),
                                resolved: .success(kube))
        } catch {
            return FleetContext(facts: facts, resolved: .failure(ClusterFailureClassifier.classify(error)))
        }
    }

    // MARK: - Sessions

    /// A context's full session (the dashboard opens a cluster with it), sharing the fleet's exec
    /// credentials; nil for an unknown context or one whose kubeconfig entry cannot be used.
    public func session(for context: String) -> ClusterSession? {
        guard let entry = contexts.first(where: { $0.facts.context == context }), case .success(let kube) = entry.resolved else { return nil }
        return session(kube)
    }

    func session(_ kube: ResolvedKubeConfig) -> ClusterSession {
        let configuration = template.configuration(for: kube)
        var kubeOptions = KubeClientOptions(logger: configuration.logger)
        kubeOptions.sharedExecCredentials = execCredentials
        // Connecting may not take the whole budget: a dead address fails well before the deadline.
        kubeOptions.timeouts.connect = min(kubeOptions.timeouts.connect, options.clusterTimeout)
        return ClusterSession(configuration, kubeOptions: kubeOptions)
    }

    // MARK: - Loading

    /// Every context's summary, in context order.
    public func summaries() async -> [ClusterSummary] {
        await loadAll(keepInventories: false).map(\.0)
    }

    /// Every context's summary with its inventory (nil when it could not be read), in context order:
    /// `widash identities --all-contexts --details`.
    public func details() async -> [(ClusterSummary, Inventory?)] {
        await loadAll(keepInventories: true)
    }

    /// Summaries as they change: every context as `loading` at once, then each as it is read, then
    /// again after each relist (a relisted cluster keeps its last summary until its new one is in).
    public func watch(relistEvery: Duration) -> AsyncStream<ClusterSummary> {
        AsyncStream { continuation in
            let task = Task {
                for context in contexts { continuation.yield(ClusterSummarizer.loading(context.facts)) }
                while !Task.isCancelled {
                    await forEachBounded { index in
                        let summary = await load(contexts[index]).0
                        continuation.yield(summary)
                    }
                    try? await Task.sleep(for: relistEvery)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One context read now: its summary, and its inventory when it could be listed.
    public func load(_ context: FleetContext, now: @Sendable () -> Date = { Date() }) async -> (ClusterSummary, Inventory?) {
        let kube: ResolvedKubeConfig
        switch context.resolved {
        case .failure(let failure): return (ClusterSummarizer.unreachable(context.facts, failure: failure, now: now()), nil)
        case .success(let resolved): kube = resolved
        }
        let session = session(kube)
        let namespace = options.namespace
        do {
            let snapshot = try await withClusterDeadline(options.clusterTimeout, server: kube.server) {
                try await session.kube.loadSnapshot(namespace: namespace)
            }
            let listed = InventoryBuilder.build(snapshot: snapshot, now: now())
            var inventory = listed
            var discovery: IssuerDiscovery?
            if options.auditTrust {
                let issuer = listed.issuer
                async let audited = session.audited(listed, of: snapshot, namespace: namespace)
                async let publicCheck = IssuerPublicCheck.check(issuer: issuer, transport: session.cloudTransport)
                (inventory, discovery) = await (audited, publicCheck)
            }
            let summary = ClusterSummarizer.summarize(inventory, facts: context.facts, audited: options.auditTrust,
                                                      issuerDiscovery: discovery, now: now())
            return (summary, inventory)
        } catch {
            return (ClusterSummarizer.unreachable(context.facts, failure: ClusterFailureClassifier.classify(error), now: now()), nil)
        }
    }

    private func loadAll(keepInventories: Bool) async -> [(ClusterSummary, Inventory?)] {
        let results = ResultSlots(count: contexts.count)
        await forEachBounded { index in
            let (summary, inventory) = await load(contexts[index])
            // A summary is a few counts; an inventory may be thousands of objects: drop it unless asked.
            await results.set(index, (summary, keepInventories ? inventory : nil))
        }
        let collected = await results.values
        return contexts.indices.map { index in
            collected[index] ?? (ClusterSummarizer.loading(contexts[index].facts), nil)
        }
    }

    /// Runs `body` for every context index with at most `maxInFlight` running at a time.
    func forEachBounded(_ body: @escaping @Sendable (Int) async -> Void) async {
        let limit = max(1, options.maxInFlight)
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            while next < contexts.count && next < limit {
                let index = next
                group.addTask { await body(index) }
                next += 1
            }
            while await group.next() != nil {
                guard next < contexts.count, !Task.isCancelled else { continue }
                let index = next
                group.addTask { await body(index) }
                next += 1
            }
        }
    }
}

/// Results collected from concurrent loads, by index.
private actor ResultSlots {
    private(set) var values: [(ClusterSummary, Inventory?)?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: (ClusterSummary, Inventory?)) { values[index] = value }
}
