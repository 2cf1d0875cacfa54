import Foundation
import WidashSandboxKit

/// Several sandbox clusters served from one process: each its own listener, CA, service-account
/// issuer and signing key, users and objects, written into one kubeconfig with one context per
/// cluster. The first cluster also hosts the emulated clouds (one tenant, account and project serve
/// every cluster, as in real life), and the clouds trust the first cluster's issuer only: federation
/// is per cluster, so a token from another cluster is refused as a real cloud would refuse it.
///
/// ```swift
/// let fleet = try await SandboxFleet.start(clusters: 20, SandboxOptions(scenario: .scale(namespaces: 50, serviceAccounts: 500, pods: 2_500)))
/// print(fleet.kubeconfigYAML())   // contexts widash-sandbox-1 … widash-sandbox-20
/// await fleet.stop()
/// ```
public final class SandboxFleet: Sendable {
    /// The served clusters; the first hosts the clouds and is the kubeconfig's current context.
    public let clusters: [SandboxServer]
    /// The kubeconfig's contexts, in order (for the demo also the first cluster's viewer and shop
    /// contexts and the unreachable one).
    public let contexts: [String]

    /// The first cluster: what `widash --demo` keeps (its `kubeconfigYAML()` is the fleet's).
    public var main: SandboxServer { clusters[0] }

    /// What `widash sandbox serve` prints: the first cluster's info and every cluster's.
    public let info: SandboxInfo

    private init(clusters: [SandboxServer], contexts: [String], clusterInfo: [SandboxClusterInfo]) {
        self.clusters = clusters
        self.contexts = contexts
        var info = clusters[0].info
        info.clusters = clusterInfo
        self.info = info
    }

    /// The fleet's kubeconfig; `user` picks the first cluster's current context (demo fleet only).
    public func kubeconfigYAML(user: SandboxUser = .admin) -> String { main.kubeconfigYAML(user: user) }

    /// Stops every cluster.
    public func stop() async { await main.stop() }

    // MARK: The demo fleet

    /// The demo fleet: the demo cluster (AKS-like, contexts `widash-sandbox`, `-viewer`, `-shop`),
    /// an EKS-like cluster (`widash-sandbox-eks`), a GKE-like one whose API server serves no issuer
    /// discovery (`widash-sandbox-gke`) and a decommissioned cluster's context that refuses
    /// connections (`widash-sandbox-decommissioned`). `options` is the demo cluster's; the other
    /// clusters never change by themselves and take no faults. All start concurrently.
    public static func startDemo(_ options: SandboxOptions = SandboxOptions(),
                                 services: @escaping @Sendable (SandboxContext) -> [any SandboxService]) async throws -> SandboxFleet {
        let hosting = FleetIssuerHosting()
        var demoOptions = options
        demoOptions.scenario = .demo
        let mainOptions = demoOptions
        let eksSpec = FleetClusterSpec(issuer: FleetScenarios.EKS.issuer, jwksURI: FleetScenarios.EKS.jwksURI, content: { now in
            FleetScenarios.content(workloads: FleetScenarios.EKS.workloads, nodes: FleetScenarios.EKS.nodes, now: now,
                                   addOns: FleetScenarios.EKS.addOns)
        })
        let gkeSpec = FleetClusterSpec(issuer: FleetScenarios.GKE.issuer, jwksURI: FleetScenarios.GKE.jwksURI,
                                       publishesDiscovery: false, content: { now in
            FleetScenarios.content(workloads: FleetScenarios.GKE.workloads, nodes: FleetScenarios.GKE.nodes, now: now)
        })
        async let first = attempt { try await SandboxServer.start(mainOptions, services: { services($0) + [hosting] }) }
        async let eks = attempt { try await SandboxServer.start(memberOptions(options, eksSpec)) }
        async let gke = attempt { try await SandboxServer.start(memberOptions(options, gkeSpec)) }
        async let gone = attempt { try SandboxCertificates.generate().caPEM }
        let servers = try await collect([await first, await eks, await gke])
        let goneCA: String
        do {
            goneCA = try await gone.get()
        } catch {
            for server in servers { await server.stop() }
            throw SandboxError.certificates("\(error)")
        }
        let (main, eksServer, gkeServer) = (servers[0], servers[1], servers[2])
        for member in [eksServer, gkeServer] { hosting.publish(member.issuerPublication) }

        let goneToken = KubeUser.randomToken(prefix: "widash-gone-")
        let mainEntries = entries(main, cluster: KubeconfigWriter.clusterName, admin: KubeconfigWriter.adminContext)
        let fleetEntries = mainEntries + [
            member(eksServer, context: FleetScenarios.EKS.context, cluster: FleetScenarios.EKS.clusterName),
            member(gkeServer, context: FleetScenarios.GKE.context, cluster: FleetScenarios.GKE.clusterName),
            KubeconfigEntry(context: FleetScenarios.Decommissioned.context, cluster: "decommissioned",
                            server: FleetScenarios.Decommissioned.server, caPEM: goneCA, user: "decommissioned-admin",
                            token: goneToken),
        ]
        let link = FleetLink(companions: [eksServer, gkeServer]) { user in
            let current = user == .admin ? KubeconfigWriter.adminContext
                : user == .limited ? KubeconfigWriter.viewerContext : KubeconfigWriter.shopContext
            return FleetKubeconfigWriter.render(fleetEntries, current: current)
        }
        let clusterInfo = [
            SandboxClusterInfo(context: KubeconfigWriter.adminContext, server: main),
            SandboxClusterInfo(context: FleetScenarios.EKS.context, server: eksServer),
            SandboxClusterInfo(context: FleetScenarios.GKE.context, server: gkeServer),
        ]
        return try await assemble(servers, link, contexts: fleetEntries.map(\.context), clusterInfo: clusterInfo)
    }

    // MARK: N clusters of one scenario

    /// `count` clusters of `options.scenario` (a scale scenario's sizes are per cluster), each its
    /// own issuer (its listener's URL), CA and users; contexts `widash-sandbox-1` … `-N`, the first
    /// current. `options.faults` apply to every cluster; the files (`outputDirectory`,
    /// `kubeconfigPath`) are the first cluster's, and its kubeconfig names every cluster.
    public static func start(clusters count: Int, _ options: SandboxOptions,
                             services: @escaping @Sendable (SandboxContext) -> [any SandboxService] = { _ in [] }) async throws -> SandboxFleet {
        guard count >= 1 else { throw SandboxError.scenario("a fleet needs at least one cluster, not \(count)") }
        var withoutFiles = options
        withoutFiles.outputDirectory = nil
        withoutFiles.kubeconfigPath = nil
        let others = withoutFiles
        let results = await withTaskGroup(of: (Int, Result<SandboxServer, any Error>).self) { group in
            for index in 0..<count {
                group.addTask {
                    (index, await attempt {
                        index == 0 ? try await SandboxServer.start(options, services: services) : try await SandboxServer.start(others)
                    })
                }
            }
            var results = [Result<SandboxServer, any Error>?](repeating: nil, count: count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
        let servers = try await collect(results)
        let names = (1...count).map { "widash-sandbox-\($0)" }
        let fleetEntries = zip(servers, names).map { member($0, context: $1, cluster: $1) }
        let link = FleetLink(companions: Array(servers.dropFirst())) { _ in
            FleetKubeconfigWriter.render(fleetEntries, current: names[0])
        }
        let clusterInfo = zip(servers, names).map { SandboxClusterInfo(context: $1, server: $0) }
        return try await assemble(servers, link, contexts: names, clusterInfo: clusterInfo)
    }

    // MARK: Assembly

    private static func memberOptions(_ options: SandboxOptions, _ spec: FleetClusterSpec) -> SandboxOptions {
        var member = SandboxOptions(listenHost: options.listenHost, port: 0, scenario: .demo, isStatic: true)
        member.member = spec
        return member
    }

    /// The first cluster's three contexts (admin, viewer, shop developer), as KubeconfigWriter names them.
    private static func entries(_ server: SandboxServer, cluster: String, admin: String) -> [KubeconfigEntry] {
        let tokens = server.userTokens
        let base = KubeconfigEntry(context: admin, cluster: cluster, server: server.info.apiServer, caPEM: server.info.caPEM,
                                   user: "widash-admin", token: tokens.admin)
        var viewer = base
        (viewer.context, viewer.user, viewer.token) = (KubeconfigWriter.viewerContext, "widash-viewer", tokens.viewer)
        var shop = base
        (shop.context, shop.user, shop.token, shop.namespace) = (KubeconfigWriter.shopContext, "widash-shop-dev", tokens.shopDeveloper, "shop")
        return [base, viewer, shop]
    }

    private static func member(_ server: SandboxServer, context: String, cluster: String) -> KubeconfigEntry {
        KubeconfigEntry(context: context, cluster: cluster, server: server.info.apiServer, caPEM: server.info.caPEM,
                        user: cluster + "-admin", token: server.userTokens.admin)
    }

    /// Hands the other clusters and the kubeconfig to the first and rewrites its kubeconfig file
    /// (written at its start with its own contexts only) with the fleet's.
    private static func assemble(_ servers: [SandboxServer], _ link: FleetLink, contexts: [String],
                             clusterInfo: [SandboxClusterInfo]) async throws -> SandboxFleet {
        let main = servers[0]
        main.fleet.withLock { $0 = link }
        if let path = main.info.kubeconfig {
            do {
                try SandboxServer.write(link.kubeconfigYAML(.admin), to: path, mode: 0o600)
            } catch {
                await main.stop()
                throw error
            }
        }
        return SandboxFleet(clusters: servers, contexts: contexts, clusterInfo: clusterInfo)
    }

    private static func attempt<T: Sendable>(_ body: @Sendable () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// The servers, or the first error after stopping the ones that did start.
    private static func collect(_ results: [Result<SandboxServer, any Error>]) async throws -> [SandboxServer] {
        var servers: [SandboxServer] = []
        var failure: (any Error)?
        for result in results {
            switch result {
            case .success(let server): servers.append(server)
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure {
            for server in servers { await server.stop() }
            throw failure
        }
        return servers
    }
}

/// One cluster of a fleet, as `widash sandbox serve` reports it.
public struct SandboxClusterInfo: Codable, Sendable, Equatable {
    public var context: String
    public var apiServer: String
    public var issuer: String
    public var caPEM: String

    init(context: String, server: SandboxServer) {
        self.context = context
        self.apiServer = server.info.apiServer
        self.issuer = server.info.issuer
        self.caPEM = server.info.caPEM
    }
}
