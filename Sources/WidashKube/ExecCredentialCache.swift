import Foundation

/// Exec plugin credentials shared by several clients: a fleet of kubeconfig contexts that name the
/// same user (and the same exec configuration) runs the plugin once, not once per context —
/// `kubelogin` or `aws eks get-token` may take seconds or open a browser.
///
/// The key is the kubeconfig user's name plus its whole exec configuration; when the plugin asks
/// for cluster information (`provideClusterInfo`), its answer may depend on the cluster, so the
/// cluster's server joins the key.
public actor ExecCredentialCache {
    private var cached: [String: ExecCredential] = [:]
    private var inFlight: [String: Task<ExecCredential, Error>] = [:]
    /// How many times a plugin ran through this cache (diagnostics and tests).
    public private(set) var runs = 0

    public init() {}

    /// The cache key of a context's exec user.
    public static func key(userName: String, exec: ExecConfig, cluster: ResolvedKubeConfig) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let execJSON = (try? encoder.encode(exec)).map { String(decoding: $0, as: UTF8.self) } ?? exec.command
        let server = exec.provideClusterInfo == true ? cluster.server : ""
        return "\(userName)\u{0}\(execJSON)\u{0}\(server)"
    }

    /// The cached credential while it is valid, else one run of `run` shared by every caller that
    /// asks meanwhile.
    public func credential(key: String, now: Date, run: @escaping @Sendable () async throws -> ExecCredential) async throws -> ExecCredential {
        if let credential = cached[key], credential.expiration.map({ $0 > now }) ?? true { return credential }
        if let running = inFlight[key] { return try await running.value }
        let task = Task { try await run() }
        inFlight[key] = task
        runs += 1
        defer { inFlight[key] = nil }
        let credential = try await task.value
        cached[key] = credential
        return credential
    }

    /// After a 401: forgets the credential, unless another client already replaced it with a newer
    /// one (then that newer one is tried, and the plugin does not run again).
    public func invalidate(key: String, used: ExecCredential?) {
        if let used, cached[key] != used { return }
        cached[key] = nil
    }
}
