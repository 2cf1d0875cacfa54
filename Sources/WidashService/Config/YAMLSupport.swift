import Yams

/// A problem in a YAML file, with the 1-based line (and column) it was found at.
public struct YAMLProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(line: Int?, column: Int? = nil, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let line { return "line \(line): \(message)" }
        return message
    }
}

/// Composes YAML into a node tree, turning Yams errors into a `YAMLProblem` that names the line.
public enum YAMLDocument {
    public static func compose(_ text: String) throws(YAMLProblem) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw problem(from: error)
        } catch {
            throw YAMLProblem(line: nil, message: "not valid YAML: \(error)")
        }
    }

    public static func problem(from error: YamlError) -> YAMLProblem {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return YAMLProblem(line: mark.line, column: mark.column, message: "not valid YAML: \(what)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return YAMLProblem(line: context.mark.line, column: context.mark.column,
                               message: "duplicated key(s): \(duplicates.sorted().joined(separator: ", "))")
        default:
            return YAMLProblem(line: nil, message: "not valid YAML: \(error)")
        }
    }
}

extension Node {
    /// The 1-based line this node starts at, when known.
    public var line: Int? { mark?.line }

    /// Mapping entries with string keys, in file order, each with its key node (for line numbers).
    public var stringPairs: [(key: String, keyNode: Node, value: Node)]? {
        guard let mapping else { return nil }
        return mapping.compactMap { pair in
            guard let k = pair.key.scalar?.string else { return nil }
            return (k, pair.key, pair.value)
        }
    }
}
