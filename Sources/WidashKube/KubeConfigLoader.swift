import Foundation
import WidashHTTP
import Yams

/// A kubeconfig merged from one or more files, with relative paths already made absolute.
public struct MergedKubeConfig: Sendable, Equatable {
    public var config: KubeConfigFile
    /// The files that were read, in precedence order.
    public var sources: [String]

    public init(config: KubeConfigFile, sources: [String]) {
        self.config = config
        self.sources = sources
    }
}

/// Loads kubeconfig files following client-go's loading rules and resolves one context.
///
/// Precedence: `--kubeconfig` (must exist) > `KUBECONFIG` (':'-separated; missing files are skipped;
/// merged with the first file to set a key winning) > `~/.kube/config` > in-cluster configuration.
public struct KubeConfigLoader: Sendable {
    public var environment: KubeEnvironment

    public init(environment: KubeEnvironment = .process) {
        self.environment = environment
    }

    /// Loads, merges and resolves: the one call the CLI makes.
    public func load(_ options: KubeConfigOptions = KubeConfigOptions()) throws -> ResolvedKubeConfig {
        let merged: MergedKubeConfig
        do {
            merged = try loadMerged(kubeconfigPath: options.kubeconfigPath)
        } catch KubeConfigError.noConfiguration(let searched) {
            // Like client-go: with no kubeconfig at all, a pod falls back to its service account.
            guard environment.variables["KUBERNETES_SERVICE_HOST"].map({ !$0.isEmpty }) == true else {
                throw KubeConfigError.noConfiguration(searched: searched)
            }
            return try InClusterConfig(environment: environment).resolve(namespaceOverride: options.namespace)
        }
        return try resolve(merged, options: options)
    }

    /// The files to read, in precedence order, and whether each one must exist.
    func candidateFiles(kubeconfigPath: String?) -> (paths: [String], explicit: Bool) {
        if let path = kubeconfigPath, !path.isEmpty { return ([path], true) }
        if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
            if !paths.isEmpty { return (paths, false) }
        }
        guard let home = environment.homeDirectory else { return ([], false) }
        return ([(home as NSString).appendingPathComponent(".kube/config")], false)
    }

    /// Reads and merges the kubeconfig files (first file to define a name or current-context wins).
    public func loadMerged(kubeconfigPath: String? = nil) throws -> MergedKubeConfig {
        let (paths, explicit) = candidateFiles(kubeconfigPath: kubeconfigPath)
        var files: [(path: String, config: KubeConfigFile)] = []
        var emptyFiles: [String] = []
        for path in paths {
            guard environment.fileSystem.exists(path) else {
                if explicit { throw KubeConfigError.fileNotFound(path: path) }
                continue
            }
            if let config = try parseFile(path) {
                files.append((path, config))
            } else {
                emptyFiles.append(path)
            }
        }
        if files.isEmpty {
            if !emptyFiles.isEmpty { throw KubeConfigError.empty(paths: emptyFiles) }
            throw KubeConfigError.noConfiguration(searched: paths.isEmpty ? ["~/.kube/config"] : paths)
        }
        return MergedKubeConfig(config: Self.merge(files.map(\.config)), sources: files.map(\.path))
    }

    /// Parses one file; nil when it is empty (only whitespace or comments).
    public func parseFile(_ path: String) throws -> KubeConfigFile? {
        let data: Data
        do {
            data = try environment.fileSystem.read(path)
        } catch {
            throw KubeConfigError.unreadable(path: path, reason: String(describing: error))
        }
        guard let config = try Self.parse(data, path: path) else { return nil }
        return Self.resolvingRelativePaths(config, againstFolderOf: path)
    }

    /// Parses kubeconfig bytes; nil when empty. `path` only names the file in errors.
    public static func parse(_ data: Data, path: String) throws -> KubeConfigFile? {
        guard let text = String(data: data, encoding: .utf8) else {
            throw KubeConfigError.notYAML(path: path, detail: "not UTF-8 text")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw KubeConfigError.notYAML(path: path, detail: yamlSummary(error))
        } catch {
            throw KubeConfigError.notYAML(path: path, detail: String(describing: error))
        }
        guard let node else { return nil }
        guard node.mapping != nil else {
            let what = node.scalar != nil ? "a plain value" : "a list"
            throw KubeConfigError.invalidStructure(path: path, detail: "the top level is \(what), not a mapping with clusters, users and contexts")
        }
        do {
            return try YAMLDecoder().decode(KubeConfigFile.self, from: node)
        } catch let error as DecodingError {
            throw KubeConfigError.invalidStructure(path: path, detail: decodingSummary(error))
        } catch {
            throw KubeConfigError.invalidStructure(path: path, detail: String(describing: error))
        }
    }

    /// Merges files: maps by name and current-context, the first definition winning (client-go's rule).
    public static func merge(_ files: [KubeConfigFile]) -> KubeConfigFile {
        var result = KubeConfigFile(clusters: [], contexts: [], users: [], currentContext: nil)
        var clusterNames = Set<String>(), contextNames = Set<String>(), userNames = Set<String>()
        for file in files {
            if result.currentContext == nil, let current = file.currentContext, !current.isEmpty {
                result.currentContext = current
            }
            for cluster in file.clusters ?? [] where clusterNames.insert(cluster.name).inserted {
                result.clusters?.append(cluster)
            }
            for context in file.contexts ?? [] where contextNames.insert(context.name).inserted {
                result.contexts?.append(context)
            }
            for user in file.users ?? [] where userNames.insert(user.name).inserted {
                result.users?.append(user)
            }
        }
        return result
    }

    /// Makes file references absolute against the folder of the file that defined them, as client-go
    /// does before merging. An exec command is resolved only when it contains a '/' (else PATH applies).
    public static func resolvingRelativePaths(_ file: KubeConfigFile, againstFolderOf path: String) -> KubeConfigFile {
        let folder = (path as NSString).deletingLastPathComponent
        func absolute(_ value: String?) -> String? {
            guard let value, !value.isEmpty, !value.hasPrefix("/") else { return value }
            return (folder as NSString).appendingPathComponent(value)
        }
        var file = file
        file.clusters = file.clusters?.map { named in
            var named = named
            named.cluster.certificateAuthority = absolute(named.cluster.certificateAuthority)
            return named
        }
        file.users = file.users?.map { named in
            var named = named
            named.user.clientCertificate = absolute(named.user.clientCertificate)
            named.user.clientKey = absolute(named.user.clientKey)
            named.user.tokenFile = absolute(named.user.tokenFile)
            if let command = named.user.exec?.command, command.contains("/") {
                named.user.exec?.command = absolute(command) ?? command
            }
            return named
        }
        return file
    }

    static func yamlSummary(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)"
        default:
            return KubeConfigError.oneLine(String(describing: error))
        }
    }

    static func decodingSummary(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "top level" : text)
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): missing \(typeName(type))"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required but missing"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") || name == "Sequence" { return "a list" }
            return "a mapping"
        }
    }
}
