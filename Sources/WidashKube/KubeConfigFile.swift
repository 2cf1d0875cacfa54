import Foundation

// The kubeconfig file format (clientcmd/api/v1), reduced to what widash reads. Unknown keys
// (preferences, extensions, ...) are ignored by the synthesized decoders.

/// One kubeconfig file as written on disk.
public struct KubeConfigFile: Codable, Sendable, Equatable {
    public var clusters: [NamedCluster]?
    public var contexts: [NamedContext]?
    public var users: [NamedUser]?
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, contexts, users
        case currentContext = "current-context"
    }

    public init(clusters: [NamedCluster]? = nil, contexts: [NamedContext]? = nil, users: [NamedUser]? = nil,
                currentContext: String? = nil) {
        self.clusters = clusters
        self.contexts = contexts
        self.users = users
        self.currentContext = currentContext
    }
}

public struct NamedCluster: Codable, Sendable, Equatable {
    public var name: String
    public var cluster: KubeCluster
}

public struct KubeCluster: Codable, Sendable, Equatable {
    public var server: String?
    public var certificateAuthority: String?
    public var certificateAuthorityData: String?
    public var insecureSkipTLSVerify: Bool?
    public var tlsServerName: String?
    public var proxyURL: String?

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthority = "certificate-authority"
        case certificateAuthorityData = "certificate-authority-data"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case tlsServerName = "tls-server-name"
        case proxyURL = "proxy-url"
    }
}

public struct NamedContext: Codable, Sendable, Equatable {
    public var name: String
    public var context: KubeContext
}

public struct KubeContext: Codable, Sendable, Equatable {
    public var cluster: String
    public var user: String?
    public var namespace: String?
}

public struct NamedUser: Codable, Sendable, Equatable {
    public var name: String
    public var user: KubeUser
}

public struct KubeUser: Codable, Sendable, Equatable {
    public var token: String?
    public var tokenFile: String?
    public var clientCertificate: String?
    public var clientCertificateData: String?
    public var clientKey: String?
    public var clientKeyData: String?
    public var username: String?
    public var password: String?
    public var exec: ExecConfig?
    public var authProvider: AuthProviderConfig?

    enum CodingKeys: String, CodingKey {
        case token, tokenFile, username, password, exec
        case clientCertificate = "client-certificate"
        case clientCertificateData = "client-certificate-data"
        case clientKey = "client-key"
        case clientKeyData = "client-key-data"
        case authProvider = "auth-provider"
    }
}

/// users[].user.exec: an exec credential plugin.
public struct ExecConfig: Codable, Sendable, Equatable {
    public var command: String
    public var args: [String]?
    public var env: [ExecEnvVar]?
    public var apiVersion: String?
    public var installHint: String?
    public var provideClusterInfo: Bool?
    public var interactiveMode: String?

    public init(command: String, args: [String]? = nil, env: [ExecEnvVar]? = nil, apiVersion: String? = nil,
                installHint: String? = nil, provideClusterInfo: Bool? = nil, interactiveMode: String? = nil) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
    }
}

public struct ExecEnvVar: Codable, Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

public struct AuthProviderConfig: Codable, Sendable, Equatable {
    public var name: String
}

extension KubeUser: CustomStringConvertible {
    /// Names the kinds of credentials present, never their values (so a logged config leaks nothing).
    public var description: String {
        var kinds: [String] = []
        if token != nil { kinds.append("token") }
        if let tokenFile { kinds.append("tokenFile \(tokenFile)") }
        if clientCertificate != nil || clientCertificateData != nil { kinds.append("client certificate") }
        if clientKey != nil || clientKeyData != nil { kinds.append("client key") }
        if let username { kinds.append("basic auth as \(username)") }
        if let exec { kinds.append("exec \(exec.command)") }
        if let authProvider { kinds.append("auth-provider \(authProvider.name)") }
        return "KubeUser(\(kinds.joined(separator: ", ")))"
    }
}
