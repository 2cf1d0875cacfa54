import Foundation
import Yams

/// Why the configuration file could not be used; the message names the file and the line.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String
    public var description: String {
        "config file \(path)\(line.map { ", line \($0)" } ?? ""): \(message)"
    }
}

/// The configuration file `$XDG_CONFIG_HOME/widash/config.yaml` (default `~/.config/widash/config.yaml`):
///
/// ```yaml
/// theme: dark
/// skin: ~/.config/k9s/skins/dracula.yaml   # a k9s skin (or widash theme) file; wins over theme
/// contexts:                        # per kubeconfig context (applied at start and on :ctx)
///   prod-eu: { theme: high-contrast }
///   staging: { skin: ./skins/staging.yaml }
/// readOnly: false
/// refreshSeconds: 30
/// autoRerunSeconds: 10
/// resources:                       # step-5 resource per namespace or namespace/serviceaccount
///   shop: https://shop-kv.vault.azure.net/secrets/db-password
///   shop/backend: https://shop-cosmos.documents.azure.com/dbs
/// ```
/// Command-line flags override it.
public struct WidashConfig: Sendable, Equatable {
    public var theme: String?
    /// A k9s skin (or widash theme) file; wins over `theme`.
    public var skin: String?
    /// Theme or skin per kubeconfig context name.
    public var contextThemes: [String: String] = [:]
    public var readOnly: Bool?
    public var refreshSeconds: Int?
    public var autoRerunSeconds: Int?
    public var resources: [String: String] = [:]
    /// The file it was read from (nil: no file).
    public var path: String?

    public init(theme: String? = nil, readOnly: Bool? = nil, refreshSeconds: Int? = nil, autoRerunSeconds: Int? = nil,
                resources: [String: String] = [:], path: String? = nil) {
        self.theme = theme
        self.readOnly = readOnly
        self.refreshSeconds = refreshSeconds
        self.autoRerunSeconds = autoRerunSeconds
        self.resources = resources
        self.path = path
    }

    /// The theme (or skin) to open with when no `--theme` is given: `skin` over `theme`. The one
    /// of the starting context, if it has its own, is applied once the context is known.
    public var startTheme: String? { skin ?? theme }

    /// Where the file is for this environment.
    public static func path(env: [String: String]) -> String {
        if let xdg = env["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/widash/config.yaml" }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/widash/config.yaml"
    }

    /// Reads the configuration; a missing file gives the defaults, a bad one throws a `ConfigError`
    /// naming the line.
    public static func load(env: [String: String] = ProcessInfo.processInfo.environment) throws -> WidashConfig {
        let path = path(env: env)
        guard FileManager.default.fileExists(atPath: path) else { return WidashConfig() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, line: nil, message: "cannot be read: check its permissions")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, line: nil, message: "is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses configuration text.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> WidashConfig {
        func fail(_ line: Int?, _ message: String) -> ConfigError { ConfigError(path: path, line: line, message: message) }
        let root: Node?
        do { root = try YAMLDocument.compose(text) } catch { throw fail(error.line, error.message) }
        var config = WidashConfig(path: path)
        guard let root else { return config }
        guard let pairs = root.stringPairs else { throw fail(root.line, "expected a mapping of settings (\(known))") }
        for (key, keyNode, value) in pairs {
            switch key {
            case "theme":
                guard let s = value.scalar?.string, !s.isEmpty else { throw fail(value.line, "theme must be a theme name, e.g. dark") }
                config.theme = s
            case "skin":
                guard let s = value.scalar?.string, !s.isEmpty else { throw fail(value.line, "skin must be the path of a k9s skin .yaml file") }
                config.skin = expandingHome(s)
            case "contexts":
                guard let items = value.stringPairs else {
                    throw fail(value.line, "contexts must map a kubeconfig context name to { theme: NAME } or { skin: FILE }")
                }
                for (name, nameNode, settings) in items {
                    guard let pairs = settings.stringPairs else {
                        throw fail(settings.line ?? nameNode.line, "contexts.\(name) must be a mapping like { theme: high-contrast }")
                    }
                    var chosen: [String: String] = [:]
                    for (k, kNode, v) in pairs {
                        guard k == "theme" || k == "skin" else {
                            throw fail(kNode.line, "unknown setting 'contexts.\(name).\(k)' (known: theme, skin)")
                        }
                        guard let s = v.scalar?.string, !s.isEmpty else { throw fail(v.line, "contexts.\(name).\(k) must be a string") }
                        chosen[k] = expandingHome(s)
                    }
                    // `skin` wins when both are given, as at the top level.
                    config.contextThemes[name] = chosen["skin"] ?? chosen["theme"]
                }
            case "readOnly", "readonly":
                guard let b = value.bool else { throw fail(value.line, "readOnly must be true or false") }
                config.readOnly = b
            case "refreshSeconds", "autoRerunSeconds":
                guard let n = value.int, n > 0, n <= 86400 else {
                    throw fail(value.line, "\(key) must be a whole number of seconds between 1 and 86400, not '\(value.scalar?.string ?? "?")'")
                }
                if key == "refreshSeconds" { config.refreshSeconds = n } else { config.autoRerunSeconds = n }
            case "resources":
                guard let items = value.stringPairs else {
                    throw fail(value.line, "resources must map a namespace or namespace/serviceaccount to a resource URL")
                }
                for (k, kNode, v) in items {
                    guard let url = v.scalar?.string, !url.isEmpty else { throw fail(v.line ?? kNode.line, "resource for \(k) must be a string") }
                    config.resources[k] = url
                }
            default:
                throw fail(keyNode.line, "unknown setting '\(key)' (known: \(known))")
            }
        }
        return config
    }

    private static let known = "theme, skin, contexts, readOnly, refreshSeconds, autoRerunSeconds, resources"

    /// `~/x` as the home folder's `x` (config files are written by hand).
    static func expandingHome(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return NSHomeDirectory() + String(path.dropFirst())
    }
}
