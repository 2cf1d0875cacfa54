import Foundation
import WidashHTTP

/// The configuration of a pod's own service account, as client-go's `rest.InClusterConfig` builds it:
/// `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the mounted token (re-read when it
/// rotates), `ca.crt` and `namespace`.
public struct InClusterConfig: Sendable {
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public var environment: KubeEnvironment
    /// Where the service-account token, `ca.crt` and `namespace` are mounted.
    public var directory: String

    public init(environment: KubeEnvironment = .process, directory: String = InClusterConfig.defaultDirectory) {
        self.environment = environment
        self.directory = directory
    }

    public func resolve(namespaceOverride: String? = nil) throws -> ResolvedKubeConfig {
        let variables = environment.variables
        guard let host = variables["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = variables["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw KubeConfigError.notInCluster(detail: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set (they are inside a pod)")
        }
        let files = environment.fileSystem
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        do {
            _ = try files.read(tokenPath)
        } catch {
            throw KubeConfigError.notInCluster(detail: "cannot read the service-account token \(tokenPath) (\(error)): is automountServiceAccountToken off?")
        }
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        var tls = TLSOptions()
        if let ca = try? files.read(caPath) {
            try CertificateCheck.certificates(ca, field: "ca.crt", owner: "the in-cluster service account")
            tls.caPEM = ca
        }
        let namespaceFile = (directory as NSString).appendingPathComponent("namespace")
        let mountedNamespace = (try? files.read(namespaceFile)).flatMap { String(data: $0, encoding: .utf8) }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let namespace = [namespaceOverride, mountedNamespace].compactMap { $0 }.first { !$0.isEmpty } ?? "default"
        // IPv6 service hosts need brackets in a URL.
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return ResolvedKubeConfig(
            contextName: "in-cluster", clusterName: "in-cluster", userName: "serviceaccount",
            server: "https://\(hostPart):\(port)", tls: tls, namespace: namespace, auth: .tokenFile(path: tokenPath),
            contextNames: ["in-cluster"], sourceFiles: [], isInCluster: true)
    }
}
