import Foundation

/// The demo's slow life, so watches show movement: in turn, shop/backend's container restarts
/// (MODIFIED), the frontend deployment scales up (shop/frontend-2 ADDED), that pod is recreated
/// (DELETED, then ADDED with a new uid) and the deployment scales down again (DELETED).
actor DemoMovement {
    private let store: ClusterStore
    private var blueprints: [String: PodBlueprint]
    private var step = 0

    init(store: ClusterStore, blueprints: [String: PodBlueprint]) {
        self.store = store
        self.blueprints = blueprints
    }

    /// Performs the next change; returns a short description of it.
    @discardableResult
    func advance() async throws -> String {
        defer { step = (step + 1) % 4 }
        switch step {
        case 0:
            guard var backend = blueprints["shop/backend"] else { return "nothing" }
            backend.restartCount += 1
            blueprints["shop/backend"] = backend
            try await store.upsert(.pods, PodFactory.make(backend))
            return "shop/backend restarted (restartCount \(backend.restartCount))"
        case 1:
            guard var replica = blueprints["shop/frontend"] else { return "nothing" }
            replica.name = "frontend-2"
            replica.podIP = "10.244.1.99"
            replica.generation = (blueprints["shop/frontend-2"]?.generation ?? 0) + 1
            replica.created = Date()
            blueprints["shop/frontend-2"] = replica
            try await store.upsert(.pods, PodFactory.make(replica))
            return "shop/frontend scaled to 2 (frontend-2 added)"
        case 2:
            guard var replica = blueprints["shop/frontend-2"] else { return "nothing" }
            try await store.delete(.pods, namespace: "shop", name: "frontend-2")
            replica.generation += 1
            replica.created = Date()
            blueprints["shop/frontend-2"] = replica
            try await store.upsert(.pods, PodFactory.make(replica))
            return "shop/frontend-2 recreated (new uid)"
        default:
            try await store.delete(.pods, namespace: "shop", name: "frontend-2")
            return "shop/frontend scaled to 1 (frontend-2 deleted)"
        }
    }
}
