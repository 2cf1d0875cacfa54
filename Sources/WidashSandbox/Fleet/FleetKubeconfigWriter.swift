import Foundation

/// One context of a fleet kubeconfig, with its cluster and user.
struct KubeconfigEntry: Sendable {
    var context: String
    var cluster: String
    var server: String
    var caPEM: String
    var user: String
    var token: String
    var namespace: String?
}

/// Renders a kubeconfig with several clusters, users and contexts (kubectl's `Config` v1 layout,
/// k8s.io/client-go/tools/clientcmd/api/v1/types.go), with the same quoting as KubeconfigWriter:
/// every value a JSON string, which YAML reads identically. Clusters and users named twice are
/// written once.
enum FleetKubeconfigWriter {
    static func render(_ entries: [KubeconfigEntry], current: String) -> String {
        func q(_ text: String) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            let data = (try? encoder.encode(text)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        var lines = ["apiVersion: v1", "kind: Config", "preferences: {}", "clusters:"]
        var seen = Set<String>()
        for entry in entries where seen.insert(entry.cluster).inserted {
            lines += ["- name: \(q(entry.cluster))", "  cluster:", "    server: \(q(entry.server))",
                      "    certificate-authority-data: \(q(Data(entry.caPEM.utf8).base64EncodedString()))"]
        }
        lines.append("users:")
        seen = []
        for entry in entries where seen.insert(entry.user).inserted {
            lines += ["- name: \(q(entry.user))", "  user:", "    token: \(q(entry.token))"]
        }
        lines.append("contexts:")
        for entry in entries {
            lines += ["- name: \(q(entry.context))", "  context:", "    cluster: \(q(entry.cluster))", "    user: \(q(entry.user))"]
            if let namespace = entry.namespace { lines.append("    namespace: \(q(namespace))") }
        }
        lines.append("current-context: \(q(current))")
        return lines.joined(separator: "\n") + "\n"
    }
}
