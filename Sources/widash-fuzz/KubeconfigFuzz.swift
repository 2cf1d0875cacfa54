import Foundation
import WidashKube

/// Kubeconfig parsing, merging and resolution, entirely in memory: the loader reads the input
/// through an injected file system, so no temporary file is written per input.
enum KubeconfigFuzz {
    static let path = "/fuzz/kubeconfig"

    static func run(_ data: Data) {
        let config: KubeConfigFile?
        do {
            config = try KubeConfigLoader.parse(data, path: path)
        } catch {
            _ = String(describing: error)
            return
        }
        guard let config else { return }
        _ = KubeConfigLoader.merge([config, config])
        _ = KubeConfigLoader.resolvingRelativePaths(config, againstFolderOf: path)

        let loader = KubeConfigLoader(environment: environment(serving: data))
        resolve(loader, KubeConfigOptions(kubeconfigPath: path))
        // Every context by name too, as `--context` would pick it.
        for context in (config.contexts ?? []).prefix(4) {
            resolve(loader, KubeConfigOptions(kubeconfigPath: path, context: context.name, namespace: "fuzz"))
        }
    }

    static func resolve(_ loader: KubeConfigLoader, _ options: KubeConfigOptions) {
        let resolved: ResolvedKubeConfig
        do {
            resolved = try loader.load(options)
        } catch {
            _ = String(describing: error)
            return
        }
        let summary = resolved.authSummary
        _ = resolved.httpOptions()
        switch resolved.auth {
        case .token(let token) where token.count >= 12 && !resolved.server.contains(token):
            fuzzExpect(!summary.contains(token), "authSummary shows the kubeconfig token: \(summary)")
            fuzzExpect(!resolved.auth.description.contains(token), "KubeAuth.description shows the token")
        case .basic(let username, let password) where password.count >= 12 && !username.contains(password):
            fuzzExpect(!summary.contains(password), "authSummary shows the basic-auth password: \(summary)")
        default:
            break
        }
    }

    /// Only `path` exists and holds the input; every other file (a CA, a key, a token file) is missing.
    static func environment(serving data: Data) -> KubeEnvironment {
        let fileSystem = KubeFileSystem(
            read: { requested in
                guard requested == path else { throw FileReadError(reason: "No such file or directory") }
                return data
            },
            exists: { $0 == path },
            stamp: { _ in nil })
        return KubeEnvironment(variables: [:], homeDirectory: nil, fileSystem: fileSystem)
    }
}
