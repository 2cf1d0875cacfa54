import Foundation

/// Everything that can be wrong with a kubeconfig or with the credentials it names. Each case renders
/// as ONE line saying what failed, why, and what to do next; the CLI maps these to exit code 2.
public enum KubeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No kubeconfig file exists in any of the places looked at, and not running in a cluster.
    case noConfiguration(searched: [String])
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case empty(paths: [String])
    case notYAML(path: String, detail: String)
    case invalidStructure(path: String, detail: String)
    case noCurrentContext(available: [String])
    case unknownContext(name: String, available: [String])
    case unknownCluster(context: String, cluster: String)
    case unknownUser(context: String, user: String)
    case missingServer(cluster: String)
    case invalidServer(cluster: String, server: String)
    case badBase64(field: String, owner: String)
    case notACertificate(field: String, owner: String, detail: String)
    case badPrivateKey(field: String, owner: String, detail: String)
    case keyDoesNotMatchCertificate(user: String)
    case incompleteClientCertificate(user: String, missing: String)
    case unknownAuthProvider(user: String, provider: String)
    case execPluginNotFound(command: String, installHint: String?)
    case execPluginFailed(command: String, exitCode: Int32, stderrTail: String)
    case execPluginBadOutput(command: String, detail: String, stderrTail: String)
    case execPluginTimeout(command: String, seconds: Double, stderrTail: String)
    case execPluginNeedsTerminal(command: String)
    case execPluginUnsupportedAPIVersion(command: String, apiVersion: String)
    case tokenFileUnreadable(path: String, reason: String)
    /// A file the kubeconfig points at (certificate-authority, client-certificate, client-key) cannot be read.
    case referencedFileUnreadable(field: String, owner: String, path: String, reason: String)
    case notInCluster(detail: String)

    public var description: String {
        switch self {
        case .noConfiguration(let searched):
            return "no kubeconfig found (looked at \(searched.joined(separator: ", "))) and not running in a cluster: pass --kubeconfig, set KUBECONFIG, or try --demo"
        case .fileNotFound(let path):
            return "kubeconfig \(path) does not exist: check the --kubeconfig path"
        case .unreadable(let path, let reason):
            return "cannot read kubeconfig \(path) (\(reason)): check the file's permissions"
        case .empty(let paths):
            return "kubeconfig \(paths.joined(separator: ", ")) is empty: point --kubeconfig at a file with clusters, users and contexts"
        case .notYAML(let path, let detail):
            return "kubeconfig \(path) is not valid YAML (\(detail)): fix the file or regenerate it (e.g. az aks get-credentials, aws eks update-kubeconfig)"
        case .invalidStructure(let path, let detail):
            return "kubeconfig \(path) is not a valid kubeconfig (\(detail)): compare it with `kubectl config view`"
        case .noCurrentContext(let available):
            return "kubeconfig has no current-context: pass --context (one of: \(Self.list(available))) or run `kubectl config use-context NAME`"
        case .unknownContext(let name, let available):
            return "context \"\(name)\" is not in the kubeconfig: use one of \(Self.list(available))"
        case .unknownCluster(let context, let cluster):
            return "context \"\(context)\" names cluster \"\(cluster)\", which is not in the kubeconfig: add the cluster or fix the context"
        case .unknownUser(let context, let user):
            return "context \"\(context)\" names user \"\(user)\", which is not in the kubeconfig: add the user or fix the context"
        case .missingServer(let cluster):
            return "cluster \"\(cluster)\" has no server address: set clusters[].cluster.server in the kubeconfig"
        case .invalidServer(let cluster, let server):
            return "cluster \"\(cluster)\" has an invalid server address \"\(server)\": use a URL like https://host:6443"
        case .badBase64(let field, let owner):
            return "\(field) of \(owner) is not valid base64: paste the base64 of the PEM file (base64 -w0 FILE)"
        case .notACertificate(let field, let owner, let detail):
            return "\(field) of \(owner) is not a PEM certificate (\(detail)): it must contain -----BEGIN CERTIFICATE-----"
        case .badPrivateKey(let field, let owner, let detail):
            return "\(field) of \(owner) is not a usable PEM private key (\(detail)): it must be an RSA, EC or PKCS#8 key"
        case .keyDoesNotMatchCertificate(let user):
            return "client key of user \"\(user)\" does not match its client certificate: use the key the certificate was issued for"
        case .incompleteClientCertificate(let user, let missing):
            return "user \"\(user)\" has a client certificate or key but no \(missing): set both client-certificate(-data) and client-key(-data)"
        case .unknownAuthProvider(let user, let provider):
            return "user \"\(user)\" uses auth-provider \"\(provider)\", which widash does not support: switch to an exec credential plugin (e.g. kubelogin convert-kubeconfig)"
        case .execPluginNotFound(let command, let hint):
            return "exec credential plugin \"\(command)\" was not found on PATH: " + (hint.map { Self.oneLine($0) } ?? "install it or fix users[].user.exec.command")
        case .execPluginFailed(let command, let code, let tail):
            return "exec credential plugin \"\(command)\" exited with code \(code)\(Self.stderrSuffix(tail)): run it by hand to see why"
        case .execPluginBadOutput(let command, let detail, let tail):
            return "exec credential plugin \"\(command)\" printed something that is not an ExecCredential (\(detail))\(Self.stderrSuffix(tail)): check the plugin version and apiVersion"
        case .execPluginTimeout(let command, let seconds, let tail):
            return "exec credential plugin \"\(command)\" did not finish within \(Self.seconds(seconds))\(Self.stderrSuffix(tail)): it may be waiting for input; log in with it first"
        case .execPluginNeedsTerminal(let command):
            return "exec credential plugin \"\(command)\" requires an interactive terminal (interactiveMode: Always): log in with it in a shell first"
        case .execPluginUnsupportedAPIVersion(let command, let version):
            return "exec credential plugin \"\(command)\" uses apiVersion \"\(version)\": use client.authentication.k8s.io/v1 or v1beta1"
        case .tokenFileUnreadable(let path, let reason):
            return "cannot read token file \(path) (\(reason)): check tokenFile in the kubeconfig"
        case .referencedFileUnreadable(let field, let owner, let path, let reason):
            return "cannot read \(field) \(path) of \(owner) (\(reason)): fix the path (relative paths are resolved against the kubeconfig's folder)"
        case .notInCluster(let detail):
            return "in-cluster configuration unavailable: \(detail)"
        }
    }

    static func list(_ names: [String]) -> String {
        names.isEmpty ? "none defined" : names.map { "\"\($0)\"" }.joined(separator: ", ")
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func stderrSuffix(_ tail: String) -> String {
        let line = oneLine(tail)
        return line.isEmpty ? "" : " (stderr: \(line))"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
