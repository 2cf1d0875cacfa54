import Foundation
import WidashService
import Yams

/// Why a theme could not be used. The message names the file, the line and what to do.
public struct ThemeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Parses theme YAML (see themes/default.yaml for the format).
public enum ThemeParser {
    public static func parse(_ text: String, fileName: String) throws(ThemeError) -> Theme {
        func fail(_ line: Int?, _ what: String) -> ThemeError {
            ThemeError("theme \(fileName)\(line.map { ", line \($0)" } ?? ""): \(what)")
        }
        let root: Node?
        do { root = try YAMLDocument.compose(text) } catch { throw fail(error.line, error.message) }
        // A k9s skin (`k9s:` at the top) is imported; anything else must be a widash theme.
        if K9sSkin.isSkin(root) { return try K9sSkin.theme(root, fileName: fileName) }
        guard let pairs = root?.stringPairs else {
            throw fail(root?.line, "expected a widash theme (a mapping with `name` and `roles`) or a k9s skin (`k9s:` at the top)")
        }
        if !pairs.contains(where: { $0.key == "roles" || $0.key == "name" }) {
            throw fail(root?.line, "neither a widash theme (no `roles:`) nor a k9s skin (no `k9s:` key at the top)")
        }
        var name = (fileName as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: "")
        var styles: [ColorRole: RoleStyle] = [:]
        for (key, keyNode, value) in pairs {
            switch key {
            case "name":
                guard let s = value.scalar?.string else { throw fail(value.line, "`name` must be a string") }
                name = s
            case "description":
                continue
            case "roles":
                guard let roles = value.stringPairs else { throw fail(value.line, "`roles` must map role names to styles") }
                for (roleName, roleKey, styleNode) in roles {
                    guard let role = ColorRole(rawValue: roleName) else {
                        let known = ColorRole.allCases.map(\.rawValue).joined(separator: ", ")
                        throw fail(roleKey.line, "unknown colour role '\(roleName)' (known roles: \(known))")
                    }
                    styles[role] = try parseStyle(styleNode, role: roleName, fail: fail)
                }
            default:
                throw fail(keyNode.line, "unknown key '\(key)' (expected name, description, roles)")
            }
        }
        return Theme(name: name, styles: styles)
    }

    private static func parseStyle(_ node: Node, role: String, fail: (Int?, String) -> ThemeError) throws(ThemeError) -> RoleStyle {
        guard let pairs = node.stringPairs else { throw fail(node.line, "style of '\(role)' must be a mapping like { fg: white, bg: blue }") }
        var style = RoleStyle()
        for (key, keyNode, value) in pairs {
            switch key {
            case "fg", "bg":
                guard let text = value.scalar?.string, let colour = TerminalColor.parse(text) else {
                    let shown = value.scalar?.string ?? "?"
                    throw fail(value.line, "unknown colour '\(shown)' for \(role).\(key) (use a name like blue, a number 0-255 or #rrggbb)")
                }
                if key == "fg" { style.foreground = colour } else { style.background = colour }
            case "attrs":
                let items: [Node] = value.sequence.map { Array($0) } ?? [value]
                for item in items {
                    guard let text = item.scalar?.string, let attr = CellAttributes.names[text.lowercased()] else {
                        throw fail(item.line, "unknown attribute '\(item.scalar?.string ?? "?")' for \(role) (use bold, reverse, underline, dim)")
                    }
                    style.attributes.insert(attr)
                }
            default:
                throw fail(keyNode.line, "unknown key '\(key)' in style of '\(role)' (expected fg, bg, attrs)")
            }
        }
        return style
    }
}

/// Finds and loads theme files by name.
public struct ThemeLoader: Sendable {
    /// Folders searched in order.
    public var searchDirectories: [String]

    public init(searchDirectories: [String]) { self.searchDirectories = searchDirectories }

    /// `$WIDASH_THEMES_DIR`, then `./themes`, then `themes` beside the package of the executable
    /// (`<exe>/../../themes`, also through the resolved path of the executable), then k9s' own skins
    /// folder (`$XDG_CONFIG_HOME/k9s/skins`, default `~/.config/k9s/skins`) so `:skin NAME` finds them.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ThemeLoader {
        var dirs: [String] = []
        if let d = environment["WIDASH_THEMES_DIR"], !d.isEmpty { dirs.append(d) }
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        var exePaths: [String] = []
        if let arg0 = CommandLine.arguments.first, arg0.contains("/") { exePaths.append(arg0) }
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { exePaths.append(resolved) }
        for exe in exePaths {
            let dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            dirs.append(dir.appendingPathComponent("../../themes").standardizedFileURL.path)
            dirs.append(dir.appendingPathComponent("../../../themes").standardizedFileURL.path)
        }
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.config"
        dirs.append(configHome + "/k9s/skins")
        var seen = Set<String>()
        return ThemeLoader(searchDirectories: dirs.filter { seen.insert($0).inserted })
    }

    /// Theme names available in the search folders (plus the built-in ones).
    public func availableNames() -> [String] {
        var names: Set<String> = ["default", "monochrome"]
        for dir in searchDirectories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for f in files where f.hasSuffix(".yaml") { names.insert(String(f.dropLast(5))) }
        }
        return names.sorted()
    }

    /// `.yaml` files in the current directory (`:skin` and `:theme` take their paths).
    public static func yamlFilesInCurrentDirectory() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath)) ?? []
        return files.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { "./" + $0 }.sorted()
    }

    /// Loads theme `name` (a name from the themes folder, or a path to a .yaml file). The built-in
    /// default and monochrome themes are used when no file is found for them.
    public func load(_ name: String) throws(ThemeError) -> Theme {
        if name.contains("/") || name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            return try loadFile(name)
        }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ThemeError("theme name '\(name)' is not valid: use letters, digits, '-' or '_', or a path to a .yaml file")
        }
        for dir in searchDirectories {
            let path = dir + "/" + name + ".yaml"
            if FileManager.default.fileExists(atPath: path) { return try loadFile(path) }
        }
        if name == "default" { return BuiltinThemes.defaultTheme }
        if name == "monochrome" { return BuiltinThemes.monochrome }
        throw ThemeError("theme '\(name)' not found in \(searchDirectories.joined(separator: ", ")); available: \(availableNames().joined(separator: ", "))")
    }

    /// Loads a theme from a file path.
    public func loadFile(_ path: String) throws(ThemeError) -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError("theme file \(path) cannot be read: check that it exists and is readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ThemeError("theme file \(path) is not UTF-8 text")
        }
        return try ThemeParser.parse(text, fileName: path)
    }
}
