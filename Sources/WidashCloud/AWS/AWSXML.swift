import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small element tree for AWS Query-protocol responses (STS, IAM): names without namespaces,
/// text content, children in order. Attributes are not needed and not kept.
public struct XMLTree: Sendable, Hashable {
    public var name: String
    public var text: String
    public var children: [XMLTree]

    /// The first child named `name` (local name, any namespace prefix dropped).
    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// All children named `name`.
    public func children(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// Follows a `/`-separated path of child names from this element.
    public func find(_ path: String) -> XMLTree? {
        var node: XMLTree? = self
        for part in path.split(separator: "/") { node = node?.child(String(part)) }
        return node
    }

    /// The trimmed text at `path`, nil when absent.
    public func text(_ path: String) -> String? {
        find(path).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Parses a document; nil when it is not well-formed XML.
    public static func parse(_ data: Data) -> XMLTree? {
        // Foundation's XMLParser on Linux crashes on some hostile input (element names that are not
        // UTF-8; a processing instruction without data — found by fuzzing). AWS responses are UTF-8
        // and carry no processing instructions other than the XML declaration, nor a DOCTYPE: refuse
        // anything else before the parser sees it.
        guard let text = String(data: data, encoding: .utf8), isPlainDocument(text) else { return nil }
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    /// No `<?…?>` other than a leading XML declaration, no `<!DOCTYPE` or `<!ENTITY`.
    static func isPlainDocument(_ text: String) -> Bool {
        var body = Substring(text).drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        if body.hasPrefix("<?xml ") {
            // The declaration ends at its first '>', which must close it ("?>"): `<?xml ><?x?>` is not
            // a declaration followed by nothing but a declaration hiding a processing instruction.
            guard let close = body.firstIndex(of: ">"), close > body.startIndex,
                  body[body.index(before: close)] == "?" else { return false }
            body = body[body.index(after: close)...]
        }
        return !body.contains("<?") && !body.contains("<!DOCTYPE") && !body.contains("<!ENTITY")
    }
}

/// XMLParser delegate collecting the tree; used on one thread, inside `parse`.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree] = []
    var root: XMLTree?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLTree(name: local, text: "", children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let done = stack.popLast() else { return }
        if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
    }
}
