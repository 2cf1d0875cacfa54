import Foundation

/// The credentials for one request: an Authorization header value and/or a client certificate.
public struct KubeCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The whole header value ("Bearer …" or "Basic …"); never logged.
    public var authorization: String?
    public var clientCertificatePEM: Data?
    public var clientKeyPEM: Data?

    public init(authorization: String? = nil, clientCertificatePEM: Data? = nil, clientKeyPEM: Data? = nil) {
        self.authorization = authorization
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }

    public var description: String {
        let scheme = authorization?.split(separator: " ").first.map(String.init) ?? "no header"
        return "KubeCredentials(\(scheme)\(clientCertificatePEM != nil ? ", client certificate" : ""))"
    }
}

/// Produces credentials for requests and refreshes them: re-reads a token file when it changes,
/// runs an exec plugin once and caches its result until `expirationTimestamp` (or until a 401).
public actor KubeCredentialsProvider {
    private let auth: KubeAuth
    private let config: ResolvedKubeConfig
    private let fileSystem: KubeFileSystem
    private let plugin: ExecCredentialPlugin
    private let now: @Sendable () -> Date
    /// Shared with other clients of the same exec user (a fleet of contexts); nil: this client's own.
    private let sharedExec: ExecCredentialCache?

    private var fileToken: (stamp: FileStamp?, token: String)?
    private var execCached: ExecCredential?
    private var execInFlight: Task<ExecCredential, Error>?
    /// How many times the exec plugin ran (diagnostics and tests).
    public private(set) var execRuns = 0

    public init(config: ResolvedKubeConfig, fileSystem: KubeFileSystem = .local,
                plugin: ExecCredentialPlugin = ExecCredentialPlugin(),
                now: @escaping @Sendable () -> Date = { Date() }, sharedExec: ExecCredentialCache? = nil) {
        self.sharedExec = sharedExec
        self.auth = config.auth
        self.config = config
        self.fileSystem = fileSystem
        self.plugin = plugin
        self.now = now
    }

    /// Credentials for the next request.
    public func current() async throws -> KubeCredentials {
        switch auth {
        case .none:
            return KubeCredentials()
        case .token(let token):
            return KubeCredentials(authorization: "Bearer \(token)")
        case .basic(let username, let password):
            return KubeCredentials(authorization: "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())")
        case .tokenFile(let path):
            return KubeCredentials(authorization: "Bearer \(try tokenFromFile(path))")
        case .exec(let exec):
            let credential = try await execCredential(exec)
            return KubeCredentials(authorization: credential.token.map { "Bearer \($0)" },
                                   clientCertificatePEM: credential.clientCertificatePEM,
                                   clientKeyPEM: credential.clientKeyPEM)
        }
    }

    /// Called after a 401: forgets cached credentials. Returns true when fresh credentials may differ,
    /// i.e. when retrying the request once is worthwhile.
    public func invalidate() async -> Bool {
        switch auth {
        case .tokenFile:
            fileToken = nil
            return true
        case .exec(let exec):
            if let sharedExec {
                await sharedExec.invalidate(key: ExecCredentialCache.key(userName: config.userName, exec: exec, cluster: config), used: execCached)
            }
            execCached = nil
            return true
        case .none, .token, .basic:
            return false
        }
    }

    private func tokenFromFile(_ path: String) throws -> String {
        let stamp = fileSystem.stamp(path)
        if let cached = fileToken, let stamp, cached.stamp == stamp { return cached.token }
        let data: Data
        do {
            data = try fileSystem.read(path)
        } catch {
            throw KubeConfigError.tokenFileUnreadable(path: path, reason: String(describing: error))
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeConfigError.tokenFileUnreadable(path: path, reason: "the file is empty") }
        fileToken = (stamp, token)
        return token
    }

    private func execCredential(_ exec: ExecConfig) async throws -> ExecCredential {
        if let cached = execCached, cached.expiration.map({ $0 > now() }) ?? true { return cached }
        if let sharedExec {
            let plugin = plugin, config = config
            let credential = try await sharedExec.credential(key: ExecCredentialCache.key(userName: config.userName, exec: exec, cluster: config),
                                                             now: now()) { try await plugin.run(exec, cluster: config) }
            execCached = credential
            return credential
        }
        // Concurrent requests share one plugin run.
        if let running = execInFlight { return try await running.value }
        let plugin = plugin, config = config
        let task = Task { try await plugin.run(exec, cluster: config) }
        execInFlight = task
        execRuns += 1
        defer { execInFlight = nil }
        let credential = try await task.value
        execCached = credential
        return credential
    }
}
