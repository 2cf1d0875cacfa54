import Foundation
import Synchronization
import WidashSandboxKit

/// The sandbox's Kubernetes API server: authentication, faults, discovery, list/get/watch,
/// TokenRequest, self reviews and the issuer's discovery endpoints.
final class KubeAPI: Sendable {
    let store: ClusterStore
    let issuer: ServiceAccountTokenIssuer
    let serverAddress: String
    let users: [String: KubeUser]
    let faults: FaultInjector
    /// Requests received, by "METHOD /path" (without the query; watches as "WATCH /path"), for tests
    /// that count what a client sent.
    let requestCounts = Mutex<[String: Int]>([:])
    /// The cluster CA (PEM), as the `kube-root-ca.crt` ConfigMap publishes it into every namespace.
    let clusterCAPEM: String
    let bookmarkInterval: Duration
    /// The projected tokens the kubelet wrote, by pod, file and refresh: a file keeps its bytes until
    /// the next refresh (signing again would reorder the JWT's JSON).
    let kubeletTokens = Mutex<[String: String]>([:])
    let now: @Sendable () -> Date

    init(store: ClusterStore, issuer: ServiceAccountTokenIssuer, serverAddress: String, users: [String: KubeUser],
         faults: FaultInjector, clusterCAPEM: String = "", bookmarkInterval: Duration = .seconds(15),
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.issuer = issuer
        self.serverAddress = serverAddress
        self.users = users
        self.faults = faults
        self.clusterCAPEM = clusterCAPEM
        self.bookmarkInterval = bookmarkInterval
        self.now = now
    }

    /// Paths this API answers on the loopback host; others go to the emulated services.
    static func isKubernetesPath(_ path: String, method: String) -> Bool {
        if path == "/" { return method == "GET" }
        if path == "/.well-known/openid-configuration" || path.hasPrefix("/openid/") || path.hasPrefix("/openapi/") { return true }
        return ["/api", "/apis", "/version", "/healthz", "/livez", "/readyz"].contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    func handle(_ request: SandboxRequest) async -> RouteResponse {
        // The issuer's discovery endpoints are public (system:service-account-issuer-discovery is bound
        // to unauthenticated users when the API server is the issuer) and exempt from faults, so
        // Entra/STS key fetches do not fail because the cluster API is being tortured.
        if !issuer.publishesDiscovery, request.path == "/.well-known/openid-configuration" || request.path == "/openid/v1/jwks" {
            // An API server that does not install the discovery handlers (kube-apiserver serves them
            // only when its issuer and JWKS URI make valid metadata: pkg/controlplane/apiserver
            // `ServiceAccountIssuerDiscovery`, routes.NewOpenIDMetadataServer) falls through to the
            // mux's not-found answer, Go's http.NotFound: 404, text/plain, "404 page not found".
            return .complete(SandboxResponse(status: 404, headers: [("Content-Type", "text/plain; charset=utf-8")],
                                             body: Data("404 page not found\n".utf8)))
        }
        if request.method == "GET", request.path == "/.well-known/openid-configuration" {
            return .complete(SandboxResponse(status: 200, headers: [("Content-Type", "application/json")], body: issuer.discoveryJSON))
        }
        if request.method == "GET", request.path == "/openid/v1/jwks" {
            guard let jwks = try? await issuer.jwksJSON() else {
                return .complete(KubeStatus(code: 500, reason: "InternalError",
                                            message: "Internal error occurred: the service-account signing key could not be generated").response)
            }
            return .complete(SandboxResponse(status: 200, headers: [("Content-Type", "application/jwk-set+json")], body: jwks))
        }
        countRequest(request)
        // A request that negotiated protobuf gets its errors in protobuf too: the API server writes a
        // Status with the serializer it negotiated (apiserver pkg/endpoints/handlers/responsewriters).
        let protobuf = KubeNegotiation.protobufListResource(request) != nil
        let decision = faults.decide()
        if let decision {
            if let latency = decision.latency { try? await Task.sleep(for: latency) }
            if let code = decision.errorCode {
                return .complete(KubeStatus.injected(code: code, retryAfter: decision.retryAfterSeconds).response(protobuf: protobuf))
            }
        }
        do {
            return try await route(request, cutWatchAfter: decision?.cutWatchAfter)
        } catch let status as KubeStatus {
            return .complete(status.response(protobuf: protobuf))
        } catch {
            return .complete(KubeStatus(code: 500, reason: "InternalError", message: "Internal error occurred: \(error)")
                .response(protobuf: protobuf))
        }
    }

    /// Counts a request by "METHOD /path" (watches as "WATCH /path").
    func countRequest(_ request: SandboxRequest) {
        requestCounts.withLock { counts in
            let isWatch = request.method == "GET" && ["true", "1"].contains(request.query["watch"] ?? "")
            let key = "\(isWatch ? "WATCH" : request.method) \(request.path)"
            // Bounded: a client walking many objects must not grow this without end.
            if counts[key] != nil || counts.count < 10_000 { counts[key, default: 0] += 1 }
        }
    }

    private func route(_ request: SandboxRequest, cutWatchAfter: Duration?) async throws -> RouteResponse {
        let segments = request.path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        switch (request.method, segments.first ?? "") {
        case ("GET", "version"): return .complete(KubeDiscovery.version())
        case ("GET", "healthz"), ("GET", "livez"), ("GET", "readyz"):
            return .complete(SandboxResponse(status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Data("ok".utf8)))
        default: break
        }
        guard let token = request.bearerToken, let user = users[token] else { throw KubeStatus.unauthorized }
        guard let first = segments.first else { return .complete(KubeDiscovery.rootPaths()) }
        switch first {
        case "api":
            if segments.count == 1 { return .complete(KubeDiscovery.apiVersions(serverAddress: serverAddress)) }
            guard segments[1] == "v1" else { throw KubeStatus.pathNotFound() }
            if segments.count == 2 { return try discovery(KubeDiscovery.resourceList(groupVersion: "v1")) }
            return try await resource(request, user: user, groupVersion: "v1", rest: Array(segments[2...]), cutWatchAfter: cutWatchAfter)
        case "apis":
            if segments.count == 1 { return .complete(KubeDiscovery.groupList()) }
            if segments.count == 2 { return try discovery(KubeDiscovery.group(segments[1])) }
            let groupVersion = "\(segments[1])/\(segments[2])"
            if segments.count == 3 { return try discovery(KubeDiscovery.resourceList(groupVersion: groupVersion)) }
            let rest = Array(segments[3...])
            if request.method == "POST", rest == ["selfsubjectreviews"], groupVersion == "authentication.k8s.io/v1" {
                return .complete(selfSubjectReview(user))
            }
            if request.method == "POST", rest == ["selfsubjectaccessreviews"], groupVersion == "authorization.k8s.io/v1" {
                return .complete(try selfSubjectAccessReview(request, user: user))
            }
            return try await resource(request, user: user, groupVersion: groupVersion, rest: rest, cutWatchAfter: cutWatchAfter)
        default:
            throw KubeStatus.pathNotFound()
        }
    }

    private func discovery(_ response: SandboxResponse?) throws -> RouteResponse {
        guard let response else { throw KubeStatus.pathNotFound() }
        return .complete(response)
    }

    /// `/api/v1/...` and `/apis/G/V/...`: `[plural]`, `[plural, name]`, `[namespaces, ns, plural]`,
    /// `[namespaces, ns, plural, name]`, `[namespaces, ns, plural, name, subresource]`.
    private func resource(_ request: SandboxRequest, user: KubeUser, groupVersion: String, rest: [String],
                          cutWatchAfter: Duration?) async throws -> RouteResponse {
        var namespace: String?
        var path = rest
        if path.count >= 3, path[0] == "namespaces" {
            namespace = path[1]
            path = Array(path[2...])
        }
        guard let plural = path.first, let resource = ResourceType.find(groupVersion: groupVersion, plural: plural) else {
            throw KubeStatus.pathNotFound()
        }
        if namespace != nil, !resource.namespaced { throw KubeStatus.pathNotFound() }
        let name = path.count > 1 ? path[1] : nil
        let subresource = path.count > 2 ? path[2] : nil
        if path.count > 3 { throw KubeStatus.pathNotFound() }

        // RBAC runs before the handler: a denied read is 403 whether or not the object exists.
        if request.method == "GET" {
            let isWatch = ["true", "1"].contains(request.query["watch"] ?? "")
            let verb = name == nil ? (isWatch ? "watch" : "list") : "get"
            let full = subresource.map { "\(resource.plural)/\($0)" } ?? resource.plural
            guard user.allows(verb: verb, resource: full, group: resource.group, namespace: namespace) else {
                throw KubeStatus.forbidden(user: user.name, verb: verb, resource: full, group: resource.group, name: name, namespace: namespace)
            }
        }
        if let subresource {
            guard let name, let namespace else { throw KubeStatus.pathNotFound() }
            switch (request.method, resource, subresource) {
            case ("POST", .serviceAccounts, "token"):
                return .complete(try await tokenRequest(request, user: user, namespace: namespace, name: name))
            case ("GET", .pods, "exec"), ("POST", .pods, "exec"):
                return .complete(try await execWithoutUpgrade(request, user: user, namespace: namespace, name: name))
            case ("GET", .pods, "status"):
                return .complete(try await getObject(resource, namespace: namespace, name: name))
            default:
                throw request.method == "GET" ? KubeStatus.pathNotFound() : KubeStatus.methodNotAllowed(request.method)
            }
        }
        guard request.method == "GET" else {
            let verb = request.method == "POST" ? "create" : request.method == "DELETE" ? "delete" : "update"
            if !user.allows(verb: verb, resource: resource.plural, group: resource.group, namespace: namespace) {
                throw KubeStatus.forbidden(user: user.name, verb: verb, resource: resource.plural, group: resource.group,
                                           name: name, namespace: namespace)
            }
            throw KubeStatus.methodNotAllowed(request.method)
        }
        let query = request.query
        if resource == .nodes, Self.wantsTable(request), !["true", "1"].contains(query["watch"] ?? "") {
            return .complete(try await nodeTable(name: name))
        }
        if let name {
            return .complete(try await getObject(resource, namespace: namespace, name: name))
        }
        let objectQuery = ObjectQuery(
            namespace: namespace,
            labelSelector: try query["labelSelector"].map { try LabelSelector(parsing: $0) },
            fieldSelector: try query["fieldSelector"].map { try FieldSelector(parsing: $0, supported: ClusterStore.supportedFields(for: resource)) })
        if let watch = query["watch"], watch == "true" || watch == "1" {
            return await self.watch(resource, query: objectQuery, parameters: query, cutAfter: cutWatchAfter)
        }
        if resource == .events, Self.wantsTable(request) {
            return .complete(try await eventTable(objectQuery))
        }
        var limit: Int?
        if let text = query["limit"], !text.isEmpty {
            guard let value = Int(text), value >= 0 else { throw KubeStatus.badRequest("invalid limit: \(text)") }
            limit = value
        }
        if KubeNegotiation.protobufListResource(request) == resource {
            let body = try await protobufList(resource, query: objectQuery, limit: limit, continueToken: query["continue"])
            return .complete(SandboxResponse(status: 200, headers: [("Content-Type", KubeProtobufEncoding.contentType)], body: body))
        }
        let body = try await store.list(resource, query: objectQuery, limit: limit, continueToken: query["continue"])
        return .complete(SandboxResponse(status: 200, headers: [("Content-Type", "application/json")], body: body))
    }

    private func getObject(_ resource: ResourceType, namespace: String?, name: String) async throws -> SandboxResponse {
        guard let entry = await store.get(resource, namespace: namespace, name: name) else {
            throw KubeStatus.notFound(resource, name)
        }
        return SandboxResponse(status: 200, headers: [("Content-Type", "application/json")], body: entry.json)
    }

    // MARK: Watch

    private func watch(_ resource: ResourceType, query: ObjectQuery, parameters: [String: String],
                       cutAfter: Duration?) async -> RouteResponse {
        let from = parameters["resourceVersion"].flatMap { Int($0) }
        let (id, events) = await store.watch(resource, query: query, fromResourceVersion: from)
        let (stream, continuation) = AsyncStream<StreamChunk>.makeStream()
        let store = self.store
        let pump = Task {
            for await chunk in events { continuation.yield(chunk) }
            continuation.finish()
        }
        var timers: [Task<Void, Never>] = []
        if parameters["allowWatchBookmarks"] == "true" {
            let interval = bookmarkInterval
            timers.append(Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if Task.isCancelled { break }
                    await store.bookmark(id)
                }
            })
        }
        if let seconds = parameters["timeoutSeconds"].flatMap({ Int($0) }), seconds > 0 {
            timers.append(Task {
                try? await Task.sleep(for: .seconds(seconds))
                if !Task.isCancelled { continuation.finish() }
            })
        }
        if let cut = cutAfter {
            let faults = self.faults
            timers.append(Task {
                try? await Task.sleep(for: cut)
                // Faults turned off (or lapsed) meanwhile: the stream lives on.
                if !Task.isCancelled, faults.active?.cutWatchAfter != nil {
                    continuation.yield(.abort)
                    continuation.finish()
                }
            })
        }
        let allTimers = timers
        continuation.onTermination = { _ in
            pump.cancel()
            for timer in allTimers { timer.cancel() }
            Task { await store.removeWatcher(id) }
        }
        return .stream(status: 200, headers: [("Content-Type", "application/json")], body: stream)
    }

    // MARK: Reviews

    private func selfSubjectReview(_ user: KubeUser) -> SandboxResponse {
        .json(201, ["kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                    "metadata": ["creationTimestamp": Deterministic.timestamp(now())],
                    "status": ["userInfo": ["username": user.name, "groups": user.groups]]])
    }

    private func selfSubjectAccessReview(_ request: SandboxRequest, user: KubeUser) throws -> SandboxResponse {
        struct Review: Decodable {
            struct Spec: Decodable { var resourceAttributes: Attributes? }
            struct Attributes: Decodable {
                var namespace: String?, verb: String?, group: String?, resource: String?, subresource: String?, name: String?
            }
            var spec: Spec
        }
        guard let review = try? JSONDecoder().decode(Review.self, from: request.body) else {
            throw KubeStatus.badRequest("the request body is not a SelfSubjectAccessReview")
        }
        let attributes = review.spec.resourceAttributes
        var resource = attributes?.resource ?? ""
        if let sub = attributes?.subresource, !sub.isEmpty { resource += "/" + sub }
        let allowed = user.allows(verb: attributes?.verb ?? "", resource: resource, group: attributes?.group ?? "",
                                  namespace: attributes?.namespace.flatMap { $0.isEmpty ? nil : $0 })
        var status: [String: Any] = ["allowed": allowed]
        if allowed { status["reason"] = user.allowedBy }
        var spec: [String: Any] = [:]
        if let attributes {
            var object: [String: Any] = [:]
            for (key, value) in [("namespace", attributes.namespace), ("verb", attributes.verb), ("group", attributes.group),
                                 ("resource", attributes.resource), ("subresource", attributes.subresource), ("name", attributes.name)] {
                if let value { object[key] = value }
            }
            spec["resourceAttributes"] = object
        }
        return .json(201, ["kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                           "metadata": ["creationTimestamp": Deterministic.timestamp(now())], "spec": spec, "status": status])
    }
}
