import Foundation
import WidashHTTP

/// The exec credential API versions widash speaks.
public enum ExecCredentialAPI {
    public static let v1 = "client.authentication.k8s.io/v1"
    public static let v1beta1 = "client.authentication.k8s.io/v1beta1"
    public static let supported: Set<String> = [v1, v1beta1]
}

/// What an exec plugin returned. `description` never shows the secret parts.
public struct ExecCredential: Sendable, Equatable, CustomStringConvertible {
    public var token: String?
    public var clientCertificatePEM: Data?
    public var clientKeyPEM: Data?
    /// When the credential stops being valid; nil means "until the server says 401".
    public var expiration: Date?

    public init(token: String? = nil, clientCertificatePEM: Data? = nil, clientKeyPEM: Data? = nil, expiration: Date? = nil) {
        self.token = token
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.expiration = expiration
    }

    public var description: String {
        var parts: [String] = []
        if let token { parts.append("token \(redact(token))") }
        if clientCertificatePEM != nil { parts.append("client certificate") }
        if let expiration { parts.append("expires \(expiration.formatted(.iso8601))") }
        return "ExecCredential(\(parts.joined(separator: ", ")))"
    }
}

/// Runs exec credential plugins the way client-go does: the command with its args, the process
/// environment plus the plugin's `env`, and `KUBERNETES_EXEC_INFO` describing the request.
public struct ExecCredentialPlugin: Sendable {
    /// The environment the plugin inherits (before its own `env` entries are added).
    public var baseEnvironment: [String: String]
    public var timeout: Duration

    public init(baseEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                timeout: Duration = .seconds(30)) {
        self.baseEnvironment = baseEnvironment
        self.timeout = timeout
    }

    public func run(_ config: ExecConfig, cluster: ResolvedKubeConfig) async throws -> ExecCredential {
        let apiVersion = config.apiVersion ?? ""
        guard ExecCredentialAPI.supported.contains(apiVersion) else {
            throw KubeConfigError.execPluginUnsupportedAPIVersion(command: config.command,
                                                                  apiVersion: apiVersion.isEmpty ? "(none)" : apiVersion)
        }
        // Dashboards own the terminal: a plugin that insists on a prompt cannot run here.
        if config.interactiveMode == "Always" {
            throw KubeConfigError.execPluginNeedsTerminal(command: config.command)
        }
        guard let executable = ProcessRunner.locate(config.command, path: baseEnvironment["PATH"]) else {
            throw KubeConfigError.execPluginNotFound(command: config.command, installHint: config.installHint)
        }
        var environment = baseEnvironment
        for variable in config.env ?? [] { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = try Self.execInfo(apiVersion: apiVersion,
                                                                cluster: config.provideClusterInfo == true ? cluster : nil)

        let output: ProcessOutput
        do {
            output = try await ProcessRunner.run(executable: executable, arguments: config.args ?? [],
                                                 environment: environment, timeout: timeout)
        } catch ProcessRunError.notFound {
            throw KubeConfigError.execPluginNotFound(command: config.command, installHint: config.installHint)
        } catch ProcessRunError.spawnFailed(let reason) {
            throw KubeConfigError.execPluginFailed(command: config.command, exitCode: -1, stderrTail: reason)
        }
        let tail = Self.tail(output.stderr)
        if output.timedOut {
            throw KubeConfigError.execPluginTimeout(command: config.command, seconds: timeout.seconds, stderrTail: tail)
        }
        guard output.exitCode == 0 else {
            throw KubeConfigError.execPluginFailed(command: config.command, exitCode: output.exitCode, stderrTail: tail)
        }
        return try Self.parse(output.stdout, expectedAPIVersion: apiVersion, command: config.command, stderrTail: tail)
    }

    /// The `KUBERNETES_EXEC_INFO` JSON: an ExecCredential with `spec.interactive` and, when the
    /// plugin asked for it (`provideClusterInfo`), `spec.cluster`.
    static func execInfo(apiVersion: String, cluster: ResolvedKubeConfig?) throws -> String {
        var spec: [String: Any] = ["interactive": false]
        if let cluster {
            var info: [String: Any] = ["server": cluster.server]
            if let name = cluster.tls.serverName { info["tls-server-name"] = name }
            if cluster.tls.insecureSkipVerify { info["insecure-skip-tls-verify"] = true }
            if let ca = cluster.tls.caPEM { info["certificate-authority-data"] = ca.base64EncodedString() }
            if let proxy = cluster.proxyURL { info["proxy-url"] = proxy }
            spec["cluster"] = info
        }
        let object: [String: Any] = ["apiVersion": apiVersion, "kind": "ExecCredential", "spec": spec]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private struct Output: Decodable {
        struct Status: Decodable {
            var token: String?
            var clientCertificateData: String?
            var clientKeyData: String?
            var expirationTimestamp: String?
        }
        var apiVersion: String?
        var kind: String?
        var status: Status?
    }

    /// Parses and checks the plugin's stdout. Error details never echo the output (it may hold a token).
    static func parse(_ stdout: Data, expectedAPIVersion: String, command: String, stderrTail: String) throws -> ExecCredential {
        func bad(_ detail: String) -> KubeConfigError {
            .execPluginBadOutput(command: command, detail: detail, stderrTail: stderrTail)
        }
        if stdout.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { throw bad("no output") }
        let output: Output
        do {
            output = try JSONDecoder().decode(Output.self, from: stdout)
        } catch is DecodingError {
            let looksLikeJSON = stdout.first(where: { $0 > 0x20 }) == UInt8(ascii: "{")
            throw bad(looksLikeJSON ? "JSON with unexpected field types" : "not JSON")
        }
        guard output.kind == "ExecCredential" else { throw bad("kind is \"\(output.kind ?? "missing")\", not ExecCredential") }
        guard output.apiVersion == expectedAPIVersion else {
            throw bad("apiVersion \"\(output.apiVersion ?? "missing")\" but the kubeconfig asks for \(expectedAPIVersion)")
        }
        guard let status = output.status else { throw bad("no status") }
        var credential = ExecCredential()
        credential.token = status.token.flatMap { $0.isEmpty ? nil : $0 }
        if let certificate = status.clientCertificateData, !certificate.isEmpty {
            guard let key = status.clientKeyData, !key.isEmpty else { throw bad("clientCertificateData without clientKeyData") }
            let certificatePEM = Data(certificate.utf8), keyPEM = Data(key.utf8)
            try CertificateCheck.clientPair(certificatePEM: certificatePEM, keyPEM: keyPEM,
                                            certificateField: "status.clientCertificateData",
                                            keyField: "status.clientKeyData", user: "exec plugin \(command)")
            credential.clientCertificatePEM = certificatePEM
            credential.clientKeyPEM = keyPEM
        }
        guard credential.token != nil || credential.clientCertificatePEM != nil else {
            throw bad("status has neither token nor clientCertificateData")
        }
        if let timestamp = status.expirationTimestamp, !timestamp.isEmpty {
            guard let date = KubeTime.parse(timestamp) else { throw bad("expirationTimestamp \"\(timestamp)\" is not RFC 3339") }
            credential.expiration = date
        }
        return credential
    }

    /// The last few hundred characters of stderr, on one line.
    static func tail(_ stderr: Data, limit: Int = 300) -> String {
        let text = KubeConfigError.oneLine(String(decoding: stderr, as: UTF8.self))
        return text.count > limit ? "…" + text.suffix(limit) : text
    }
}

/// RFC 3339 timestamps as Kubernetes writes them (with or without fractional seconds).
public enum KubeTime {
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// Shows the first and last few characters of a secret, never the whole of it.
func redact(_ secret: String) -> String {
    guard secret.count > 12 else { return "…" }
    return "\(secret.prefix(4))…\(secret.suffix(4))"
}
