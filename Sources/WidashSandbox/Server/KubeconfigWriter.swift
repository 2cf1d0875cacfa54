import Foundation

/// Renders the sandbox kubeconfig. Every value is a double-quoted scalar produced by JSON string
/// encoding, which YAML reads identically, so no YAML emitter is needed for this fixed shape.
enum KubeconfigWriter {
    static let clusterName = "widash-sandbox"
    static let adminContext = "widash-sandbox"
    static let viewerContext = "widash-sandbox-viewer"

    static func render(server: String, caPEM: String, adminToken: String, viewerToken: String, current: SandboxUser) -> String {
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
            token: \(q(adminToken))
        - name: widash-viewer
          user:
            token: \(q(viewerToken))
        contexts:
        - name: \(adminContext)
          context:
            cluster: \(clusterName)
            user: widash-admin
        - name: \(viewerContext)
          context:
            cluster: \(clusterName)
            user: widash-viewer
        current-context: \(current == .admin ? adminContext : viewerContext)

        """
    }
}
