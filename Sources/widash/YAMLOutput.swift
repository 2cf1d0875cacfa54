import WidashCore
import Yams

/// YAML with exactly the JSON document's content: built from the JSON (order and types kept),
/// strings tagged as strings so that dates, "true" or "1" stay strings when read back.
enum YAMLOutput {
    static func render(json: JSONValue) throws -> String {
        try Yams.serialize(node: node(json))
    }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .number: return Node(value.compactText, Tag(value.intValue != nil ? .int : .float))
        case .string(let s):
            // Quote a string whose plain form would read back as something else (a date, a number,
            // true/false, null).
            let readsAs = Resolver.default.resolveTag(of: Node(s)) == .str ? Node.Scalar.Style.any : .doubleQuoted
            return Node(s, Tag(.str), readsAs)
        case .array(let items): return Node(items.map(node))
        case .object(let members): return Node(members.map { (Node($0.key, Tag(.str)), node($0.value)) })
        }
    }
}
