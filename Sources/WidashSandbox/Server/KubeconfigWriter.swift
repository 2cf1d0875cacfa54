import Foundation

/// Renders the sandbox kubeconfig. Every value is a double-quoted scalar produced by JSON string
/// encoding, which YAML reads identically, so no YAML emitter is needed for this fixed shape.
enum KubeconfigWriter {
    static let clusterName = "widash-sandbox"
    static let adminContext = "widash-sandbox"
    static let viewerContext = "widash-sandbox-viewer"
    static let shopContext = "widash-sandbox-shop"

    static func render(server: String, caPEM: String, tokens: SandboxTokens, current: SandboxUser) -> String {
        func q(_ text: String) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]  // YAML has no `\/` escape
            let data = (try? encoder.encode(text)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        let ca = Data(caPEM.utf8).base64EncodedString()
        return """
        apiVersion: v1
        kind: Config
        preferences: {}
        clusters:
        - name: \(clusterName)
          cluster:
            server: \(q(server))
            certificate-authority-data: \(q(ca))
        users:
        - name: widash-admin
          user:
            token: \(q(tokens.admin))
        - name: widash-viewer
          user:
            token: \(q(tokens.viewer))
        - name: widash-shop-dev
          user:
            token: \(q(tokens.shopDeveloper))
        contexts:
        - name: \(adminContext)
          context:
            cluster: \(clusterName)
            user: widash-admin
        - name: \(viewerContext)
          context:
            cluster: \(clusterName)
            user: widash-viewer
        - name: \(shopContext)
          context:
            cluster: \(clusterName)
            user: widash-shop-dev
            namespace: shop
        current-context: \(current == .admin ? adminContext : current == .limited ? viewerContext : shopContext)

        """
    }
}
