import Foundation
import Synchronization
import WidashHTTP
import WidashSandboxKit

/// The embedded sandbox: one HTTPS server on loopback with its own CA, serving the Kubernetes API
/// of a scenario and hosting the emulated cloud services (routed by Host header).
///
/// ```swift
/// let server = try await SandboxServer.start(SandboxOptions(isStatic: true)) { context in [] }
/// print(server.info.apiServer, server.kubeconfigYAML(user: .admin))
/// await server.stop()
/// ```
public final class SandboxServer: Sendable {
    /// Addresses, CA and files of the running sandbox.
    public let info: SandboxInfo
    public let options: SandboxOptions
    /// The context handed to the emulated services (issuer, CA, a transport into the sandbox).
    public let context: SandboxContext

    private let listener: HTTPSListener
    let store: ClusterStore
    let kube: KubeAPI
    private let faultInjector: FaultInjector
    private let movement: DemoMovement?
    private let stuckRollout: StuckRollout?
    private let background: [Task<Void, Never>]
    /// The pending `restart-after` fault, replaced whenever the faults are.
    private let plannedRestart = Mutex<Task<Void, Never>?>(nil)
    private let tokens: SandboxTokens
    /// Set when this server is the first cluster of a fleet (SandboxFleet.swift): the other clusters
    /// it keeps alive and stops with itself, and the fleet's kubeconfig, which `kubeconfigYAML` returns.
    let fleet = Mutex<FleetLink?>(nil)

    private init(info: SandboxInfo, options: SandboxOptions, context: SandboxContext, listener: HTTPSListener,
                 store: ClusterStore, kube: KubeAPI, movement: DemoMovement?, stuckRollout: StuckRollout?,
                 background: [Task<Void, Never>], tokens: SandboxTokens) {
        self.stuckRollout = stuckRollout
        self.info = info
        self.options = options
        self.context = context
        self.listener = listener
        self.store = store
        self.kube = kube
        self.faultInjector = kube.faults
        self.movement = movement
        self.background = background
        self.tokens = tokens
    }

    /// Starts a sandbox and returns when it serves. `services` builds the emulated cloud services
    /// (Entra, Azure resources, AWS, …) once the sandbox knows its address; the default hosts none.
    public static func start(_ options: SandboxOptions,
                             services: (SandboxContext) -> [any SandboxService] = { _ in [] }) async throws -> SandboxServer {
        let certificates: SandboxCertificates
        do {
            certificates = try SandboxCertificates.generate()
        } catch {
            throw SandboxError.certificates("\(error)")
        }
        let slot = RouterSlot()
        let listener: HTTPSListener
        do {
            listener = try await HTTPSListener(host: options.listenHost, port: options.port, certificates: certificates, slot: slot)
        } catch {
            throw SandboxError.listen(host: options.listenHost, port: options.port, detail: "\(error)")
        }
        let publicHost = ["0.0.0.0", "::", ""].contains(options.listenHost) ? "127.0.0.1" : options.listenHost
        let hostPart = publicHost.contains(":") ? "[\(publicHost)]" : publicHost
        let baseURL = "https://\(hostPart):\(listener.port)"
        let connectTo = SandboxCertificates.connectToHosts.map { "\($0):443:127.0.0.1:\(listener.port)" }

        do {
            let member = options.member
            let issuerURL = member?.issuer ?? baseURL
            // A fleet's extra cluster makes its signing key in the background (see the issuer).
            let issuer = try await ServiceAccountTokenIssuer(issuer: issuerURL, jwksURI: member?.jwksURI,
                                                             publishesDiscovery: member?.publishesDiscovery ?? true,
                                                             eager: member == nil)
            let store = ClusterStore()
            let content: ScenarioContent
            switch options.scenario {
            case _ where member?.content != nil:
                // A fleet member's own objects (FleetScenarios), whatever the scenario says.
                content = member?.content?(Date()) ?? ScenarioContent()
                try await store.load(content.objects)
            case .demo:
                content = DemoScenario.build(now: Date())
                try await store.load(content.objects)
            case .scale(let namespaces, let serviceAccounts, let pods):
                content = ScenarioContent()
                try await ScaleScenario.load(into: store, namespaces: namespaces, serviceAccounts: serviceAccounts,
                                             pods: pods, now: Date())
            }

            let tokens = SandboxTokens(admin: KubeUser.randomToken(prefix: "widash-admin-"),
                                       viewer: KubeUser.randomToken(prefix: "widash-viewer-"),
                                       shopDeveloper: KubeUser.randomToken(prefix: "widash-shop-dev-"))
            let users = [
                tokens.admin: KubeUser(name: "kubernetes-admin", groups: ["system:masters", "system:authenticated"], grant: .clusterAdmin),
                tokens.viewer: KubeUser(name: "system:serviceaccount:widash:viewer",
                                        groups: ["system:serviceaccounts", "system:serviceaccounts:widash", "system:authenticated"],
                                        grant: .clusterReader),
                tokens.shopDeveloper: KubeUser(name: "dev@shop.example", groups: ["shop-developers", "system:authenticated"],
                                               grant: .namespaces(["shop"])),
            ]
            let faults = FaultInjector(options.faults)
            let kube = KubeAPI(store: store, issuer: issuer, serverAddress: "\(hostPart):\(listener.port)", users: users,
                               faults: faults, clusterCAPEM: certificates.caPEM)

            let caPEM = Data(certificates.caPEM.utf8)
            // The services reach the issuer (and each other) exactly as the real clouds do: over HTTPS,
            // trusting the sandbox CA, with the real host names routed here. No proxy: loopback only.
            let transport = CurlTransport(options: HTTPClientOptions(tls: TLSOptions(caPEM: caPEM), connectTo: connectTo),
                                          environment: [:])
            var scale: ScaleIdentities?
            if case .scale(let namespaces, let serviceAccounts, _) = options.scenario {
                scale = ScaleIdentities(namespaces: namespaces, serviceAccounts: serviceAccounts)
            }
            let context = SandboxContext(clusterIssuer: issuerURL, caPEM: caPEM, transport: transport, baseURL: baseURL,
                                         scale: scale)
            slot.set(SandboxRouter(kube: kube, services: services(context)))

            let (kubeconfigPath, caPath) = try writeFiles(options: options, baseURL: baseURL, caPEM: certificates.caPEM, tokens: tokens)
            let info = SandboxInfo(
                kubeconfig: kubeconfigPath, apiServer: baseURL, issuer: issuerURL, caFile: caPath, caPEM: certificates.caPEM,
                entraAuthorityHost: "https://login.microsoftonline.com/", awsEndpoint: baseURL, connectTo: connectTo,
                adminContext: KubeconfigWriter.adminContext, viewerContext: KubeconfigWriter.viewerContext,
                namespacedContext: KubeconfigWriter.shopContext)

            var background: [Task<Void, Never>] = []
            var movement: DemoMovement?
            var stuckRollout: StuckRollout?
            if let rollout = content.stuckRollout {
                let controller = StuckRollout(store: store, state: rollout.state, replicaSet: rollout.replicaSet)
                stuckRollout = controller
                if !options.isStatic { background.append(Task { await controller.run() }) }
            }
            if case .demo = options.scenario, member?.content == nil {
                let mover = DemoMovement(store: store, blueprints: content.blueprints)
                movement = mover
                if !options.isStatic {
                    let interval = options.movementInterval
                    background.append(Task {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: interval)
                            if Task.isCancelled { break }
                            _ = try? await mover.advance()
                        }
                    })
                }
            }
            let server = SandboxServer(info: info, options: options, context: context, listener: listener, store: store,
                                       kube: kube, movement: movement, stuckRollout: stuckRollout,
                                       background: background, tokens: tokens)
            server.planRestart(options.faults, generation: faults.generation)
            return server
        } catch {
            await listener.stop()
            if let error = error as? SandboxError { throw error }
            throw SandboxError.scenario("\(error)")
        }
    }

    private static func writeFiles(options: SandboxOptions, baseURL: String, caPEM: String,
                                   tokens: SandboxTokens) throws -> (kubeconfig: String?, ca: String?) {
        var kubeconfigPath = options.kubeconfigPath
        var caPath: String?
        if let directory = options.outputDirectory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw SandboxError.write(path: directory, detail: "\(error)")
            }
            caPath = (directory as NSString).appendingPathComponent("ca.pem")
            kubeconfigPath = kubeconfigPath ?? (directory as NSString).appendingPathComponent("kubeconfig")
        }
        if let caPath { try write(caPEM, to: caPath, mode: 0o644) }
        if let kubeconfigPath {
            let text = KubeconfigWriter.render(server: baseURL, caPEM: caPEM, tokens: tokens, current: .admin)
            // The kubeconfig holds bearer tokens: owner-only, like kubectl writes it.
            try write(text, to: kubeconfigPath, mode: 0o600)
        }
        return (kubeconfigPath, caPath)
    }

    /// Writes a file created with `mode` from the start (the kubeconfig holds tokens: it is never
    /// readable by others, not even briefly) and renamed into place, so readers see it whole.
    /// (Foundation's `.atomic` writes would chmod afterwards and, on Linux, leave temporary folders.)
    public static func write(_ text: String, to path: String, mode: Int) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        let manager = FileManager.default
        try? manager.removeItem(atPath: temporary)
        guard manager.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw SandboxError.write(path: path, detail: "cannot create \(temporary): check the folder exists and is writable")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(atPath: temporary)
            throw SandboxError.write(path: path, detail: reason)
        }
    }

    /// A kubeconfig for this sandbox with both users; `user` picks the current context.
    public func kubeconfigYAML(user: SandboxUser = .admin) -> String {
        if let fleet = fleet.withLock({ $0 }) { return fleet.kubeconfigYAML(user) }
        return KubeconfigWriter.render(server: info.apiServer, caPEM: info.caPEM, tokens: tokens, current: user)
    }

    /// `export` lines with which widash and standard clients (kubectl, azure-identity, boto3, curl)
    /// reach the sandbox from another process: the kubeconfig, the CA as the trust store of every
    /// client, the host mapping for widash (`WIDASH_CONNECT_TO`), endpoints that resolve without it
    /// (`AZURE_AUTHORITY_HOST`, `AWS_ENDPOINT_URL`: the sandbox answers Entra paths and SigV4-scoped
    /// AWS calls on its own address), and the demo operator's credentials. Lines that name files
    /// appear only when the files were written (`SandboxOptions.outputDirectory`).
    public func envExports() -> String {
        func line(_ name: String, _ value: String) -> String {
            "export \(name)='\(value.replacingOccurrences(of: "'", with: "'\\''"))'"
        }
        var lines = ["# widash sandbox at \(info.apiServer): source this file, then run widash, kubectl, azure-identity or boto3."]
        if let kubeconfig = info.kubeconfig { lines.append(line("KUBECONFIG", kubeconfig)) }
        lines.append(line("AZURE_AUTHORITY_HOST", info.apiServer + "/"))
        lines.append(line("AWS_ENDPOINT_URL", info.awsEndpoint))
        if let ca = info.caFile {
            for name in ["REQUESTS_CA_BUNDLE", "AWS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE"] { lines.append(line(name, ca)) }
        }
        lines.append(line("WIDASH_SANDBOX_API_SERVER", info.apiServer))
        lines.append(line("WIDASH_CONNECT_TO", info.connectTo.joined(separator: ",")))
        lines.append("# The demo operator's credentials: demo-only values, published by the sandbox, useless anywhere else.")
        for (name, value) in Self.operatorEnvironment.sorted(by: { $0.key < $1.key }) { lines.append(line(name, value)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The demo's stuck rollout retries now (as when its requeue comes due): the create fails again
    /// and the FailedCreate event's count goes up (MODIFIED). Returns the count, or nil without it.
    @discardableResult
    public func retryStuckRollout() async throws -> Int? {
        guard let stuckRollout else { return nil }
        return try await stuckRollout.attempt()
    }

    /// Makes the demo's next change now (the same change the timer makes every ~20 s): for tests and
    /// demos that cannot wait. Returns what changed.
    @discardableResult
    public func triggerMovement() async throws -> String {
        guard let movement else { return "the \(options.scenario) scenario does not move" }
        return try await movement.advance()
    }

    /// The `restart-after` fault, now: cuts every watch and forgets resourceVersions (→ 410 on resume).
    public func simulateRestart() async {
        await store.forgetHistory()
    }

    /// The current resourceVersion of the cluster (what a list would report).
    public func currentResourceVersion() async -> Int {
        await store.currentResourceVersion
    }

    /// The cluster's issuer (URL, discovery document, JWKS): the fleet publishes it at the issuer's
    /// own host name, as EKS and GKE do (FleetIssuerHosting).
    var issuerPublication: ServiceAccountTokenIssuer { kube.issuer }

    /// The users' bearer tokens (only ever written into a kubeconfig).
    var userTokens: SandboxTokens { tokens }

    /// Number of open watch streams (tests use it to see a client's watch arrive or go).
    public func openWatchCount() async -> Int {
        await store.openWatchCount
    }

    // MARK: Faults

    /// Replaces the faults of the Kubernetes API while it serves; nil turns them off. The new spec's
    /// `for` and `restart-after` count from now. Requests already being delayed finish as they were
    /// decided; watch streams opened under `cut-watch` are no longer cut once it is off.
    public func setFaults(_ spec: FaultSpec?) {
        let generation = faultInjector.set(spec)
        planRestart(spec, generation: generation)
    }

    /// The faults in force now: nil when none were set, they were turned off, or their `for` ran out.
    public var activeFaults: FaultSpec? { faultInjector.active }

    /// How many requests the faults have failed on purpose so far.
    public var injectedErrorCount: Int { faultInjector.injectedErrors }

    /// How many requests with this method and path (no query) the Kubernetes API received, faulted
    /// or not, e.g. `kubeRequestCount(method: "POST", path: "/api/v1/namespaces/shop/serviceaccounts/frontend/token")`.
    /// Watches count under the method `WATCH`, so `GET` counts lists and gets only.
    public func kubeRequestCount(method: String, path: String) -> Int {
        kube.requestCounts.withLock { $0["\(method) \(path)"] ?? 0 }
    }

    /// Schedules `spec`'s restart, replacing any planned one; it happens only if the same faults
    /// are still installed and active then.
    private func planRestart(_ spec: FaultSpec?, generation: Int) {
        let task = spec?.restartAfter.map { delay in
            Task { [store, faultInjector] in
                try? await Task.sleep(for: delay)
                if !Task.isCancelled, faultInjector.isActive(generation: generation) { await store.forgetHistory() }
            }
        }
        let previous = plannedRestart.withLock { slot in
            defer { slot = task }
            return slot
        }
        previous?.cancel()
    }

    // MARK: The server's truth

    /// The objects of one resource (`pods`, `serviceaccounts`, `namespaces`, `mutatingwebhookconfigurations`, …)
    /// exactly as the store holds them now, one JSON object each, sorted by namespace/name. Read from
    /// the store, not through the API (no faults, no paging): the truth a client's view is compared with.
    public func storedObjects(_ plural: String) async -> [Data] {
        guard let resource = ResourceType.all.first(where: { $0.plural == plural }) else { return [] }
        return await store.objects(resource).map(\.json)
    }

    /// Stops serving: closes the listener and every connection, and ends the background changes.
    public func stop() async {
        let companions = fleet.withLock { link in
            defer { link = nil }
            return link?.companions ?? []
        }
        for companion in companions { await companion.stop() }
        for task in background { task.cancel() }
        plannedRestart.withLock { $0?.cancel() }
        await store.forgetHistory()
        await listener.stop()
    }
}

/// Why the sandbox could not start.
public enum SandboxError: Error, CustomStringConvertible, Sendable {
    case certificates(String)
    case listen(host: String, port: Int, detail: String)
    case scenario(String)
    case write(path: String, detail: String)

    public var description: String {
        switch self {
        case .certificates(let detail):
            return "could not generate the sandbox CA and certificate (\(detail)); this is a bug, please report it"
        case .listen(let host, let port, let detail):
            return "could not listen on \(host):\(port) (\(detail)); choose another --listen address or port 0 for a free one"
        case .scenario(let detail):
            return "could not build the sandbox scenario (\(detail)); try smaller --namespaces/--service-accounts/--pods"
        case .write(let path, let detail):
            return "could not write \(path) (\(detail)); check the directory exists and is writable"
        }
    }
}
