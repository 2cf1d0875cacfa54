import Foundation
import WidashSandboxKit

/// Routes by Host header: the Kubernetes API for the loopback names (for its own paths), otherwise
/// the first emulated service that answers for the host; unknown hosts get a 404 JSON body.
struct SandboxRouter: RequestRouter {
    let kube: KubeAPI
    let services: [any SandboxService]

    static let loopbackNames: Set<String> = ["127.0.0.1", "localhost", "::1"]

    /// WebSocket upgrades: the Kubernetes API's `pods/exec` on the loopback names.
    func webSocketUpgrade(_ request: SandboxRequest) async -> WebSocketUpgradeDecision {
        guard Self.loopbackNames.contains(request.host), KubeAPI.isKubernetesPath(request.path, method: request.method) else {
            return .notHandled
        }
        return await kube.webSocketUpgrade(request)
    }

    func route(_ request: SandboxRequest) async -> RouteResponse {
        if Self.loopbackNames.contains(request.host), KubeAPI.isKubernetesPath(request.path, method: request.method) {
            return await kube.handle(request)
        }
        // Clients that cannot map real host names to the sandbox (azure-identity with an authority
        // of https://localhost:PORT, botocore with endpoint_url) reach the clouds on the loopback
        // address; each service recognises its own requests there (paths, Action, SigV4 scope).
        if Self.loopbackNames.contains(request.host),
           let service = services.first(where: { $0.answersLoopback(request) }) {
            return .complete(await service.handle(request))
        }
        if let service = services.first(where: { $0.answers(host: request.host) }) {
            return .complete(await service.handle(request))
        }
        if Self.loopbackNames.contains(request.host) {
            return await kube.handle(request)
        }
        return .complete(.json(404, [
            "error": "no_emulated_service",
            "message": "the widash sandbox emulates no service for host '\(request.host)'; check the URL or the CONNECT_TO routing",
        ]))
    }
}
