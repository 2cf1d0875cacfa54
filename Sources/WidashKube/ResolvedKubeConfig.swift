import Foundation
import WidashHTTP

/// How requests authenticate, besides any client certificate in `ResolvedKubeConfig.tls`.
public enum KubeAuth: Sendable, Equatable, CustomStringConvertible {
    /// No header (anonymous, or client certificate only).
    case none
    /// A static bearer token from the kubeconfig.
    case token(String)
    /// A bearer token read from a file and re-read when the file changes (also in-cluster).
    case tokenFile(path: String)
    /// HTTP basic auth (legacy; still honoured by some clusters and proxies).
    case basic(username: String, password: String)
    /// An exec credential plugin (client.authentication.k8s.io v1 / v1beta1).
    case exec(ExecConfig)

    /// A description safe to show and log: never the secret itself.
    public var description: String {
        switch self {
        case .none: return "none"
        case .token: return "token"
        case .tokenFile(let path): return "token file \(path)"
        case .basic(let username, _): return "basic auth as \(username)"
        case .exec(let config): return "exec plugin \(config.command)"
        }
    }
}

/// One context of a kubeconfig, resolved into everything needed to talk to its API server.
public struct ResolvedKubeConfig: Sendable, Equatable {
    public var contextName: String
    public var clusterName: String
    public var userName: String
    /// The API server URL without a trailing slash, e.g. `https://10.0.0.1:6443`.
    public var server: String
    /// CA, client certificate/key (PEM in memory), insecure-skip-tls-verify and tls-server-name.
    public var tls: TLSOptions
    public var proxyURL: String?
    /// `--namespace`, else the context's namespace, else "default".
    public var namespace: String
    public var auth: KubeAuth
    /// Every context name of the (merged) kubeconfig, sorted, for a context picker.
    public var contextNames: [String]
    /// The kubeconfig files that contributed, in precedence order (empty in-cluster).
    public var sourceFiles: [String]
    public var isInCluster: Bool

    public init(contextName: String, clusterName: String, userName: String, server: String,
                tls: TLSOptions = TLSOptions(), proxyURL: String? = nil, namespace: String = "default",
                auth: KubeAuth = .none, contextNames: [String] = [], sourceFiles: [String] = [],
                isInCluster: Bool = false) {
        self.contextName = contextName
        self.clusterName = clusterName
        self.userName = userName
        self.server = server
        self.tls = tls
        self.proxyURL = proxyURL
        self.namespace = namespace
        self.auth = auth
        self.contextNames = contextNames
        self.sourceFiles = sourceFiles
        self.isInCluster = isInCluster
    }

    /// Transport options for this cluster (static TLS material; exec-issued client certificates are
    /// added per request by `KubeClient`).
    public func httpOptions(timeouts: HTTPTimeouts = HTTPTimeouts(), userAgent: String = "widash/0.1") -> HTTPClientOptions {
        HTTPClientOptions(tls: tls, proxyURL: proxyURL, timeouts: timeouts, userAgent: userAgent)
    }

    /// A one-line summary of the authentication in use, e.g. "client certificate + exec plugin kubelogin".
    public var authSummary: String {
        var parts: [String] = []
        if tls.clientCertificatePEM != nil { parts.append("client certificate") }
        if auth != .none { parts.append(auth.description) }
        return parts.isEmpty ? "anonymous" : parts.joined(separator: " + ")
    }
}

/// The kubectl-style selectors: which file, which context, which namespace.
public struct KubeConfigOptions: Sendable, Equatable {
    public var kubeconfigPath: String?
    public var context: String?
    public var namespace: String?

    public init(kubeconfigPath: String? = nil, context: String? = nil, namespace: String? = nil) {
        self.kubeconfigPath = kubeconfigPath
        self.context = context
        self.namespace = namespace
    }
}
