import Foundation
import WidashCore
import WidashHTTP
import WidashKube
import WidashService

/// Loads the inventory exactly as `widash identities` does: kubeconfig → libcurl → TLS → list → build.
enum FramesInventoryLoader {
    static func load(kubeconfig: String) async throws -> Inventory {
        let kube = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: kubeconfig, context: nil, namespace: nil))
        let session = ClusterSession(SessionConfiguration(kube: kube, transportFactory: { CurlTransport(options: $0) },
                                                          cloudEnvironment: [:], readOnly: true))
        return try await session.inventory(namespace: nil)
    }
}
