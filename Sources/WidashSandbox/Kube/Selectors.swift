import Foundation

/// A parsed `labelSelector`: equality (`k=v`, `k==v`, `k!=v`), set (`k in (a,b)`, `k notin (a,b)`)
/// and existence (`k`, `!k`) requirements, all of which must hold.
struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String), notEquals(String, String)
        case isIn(String, Set<String>), notIn(String, Set<String>)
        case exists(String), doesNotExist(String)
    }
    var requirements: [Requirement]

    init(parsing text: String) throws(KubeStatus) {
        requirements = []
        for item in Self.splitTopLevel(text) {
            let term = item.trimmingCharacters(in: .whitespaces)
            if term.isEmpty { continue }
            if let range = term.range(of: " notin ") ?? term.range(of: " in ") {
                let key = term[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let rest = term[range.upperBound...].trimmingCharacters(in: .whitespaces)
                guard rest.hasPrefix("("), rest.hasSuffix(")") else {
                    throw KubeStatus.badRequest("unable to parse requirement: found '\(rest)', expected: '('")
                }
                let values = Set(rest.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                requirements.append(term[range].contains("notin") ? .notIn(key, values) : .isIn(key, values))
            } else if let range = term.range(of: "!=") {
                requirements.append(.notEquals(String(term[..<range.lowerBound]).trimmingCharacters(in: .whitespaces),
                                               String(term[range.upperBound...]).trimmingCharacters(in: .whitespaces)))
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                requirements.append(.equals(String(term[..<range.lowerBound]).trimmingCharacters(in: .whitespaces),
                                            String(term[range.upperBound...]).trimmingCharacters(in: .whitespaces)))
            } else if term.hasPrefix("!") {
                requirements.append(.doesNotExist(String(term.dropFirst())))
            } else {
                requirements.append(.exists(term))
            }
        }
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .isIn(let key, let values): return labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): return !(labels[key].map(values.contains) ?? false)
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            }
        }
    }

    /// Splits on commas that are not inside parentheses.
    static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 { parts.append(current); current = "" } else { current.append(character) }
        }
        parts.append(current)
        return parts
    }
}

/// A parsed `fieldSelector` (`metadata.name=x`, `spec.nodeName!=y`, …) over the fields each stored
/// object exposes.
struct FieldSelector: Sendable, Equatable {
    var requirements: [(field: String, value: String, equal: Bool)]

    static func == (lhs: FieldSelector, rhs: FieldSelector) -> Bool {
        lhs.requirements.map { "\($0.field)\($0.equal)\($0.value)" } == rhs.requirements.map { "\($0.field)\($0.equal)\($0.value)" }
    }

    init(parsing text: String, supported: Set<String>) throws(KubeStatus) {
        requirements = []
        for term in text.split(separator: ",").map(String.init) where !term.isEmpty {
            let negated = term.contains("!=")
            let separator = negated ? "!=" : (term.contains("==") ? "==" : "=")
            guard let range = term.range(of: separator) else {
                throw KubeStatus.badRequest("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            let field = String(term[..<range.lowerBound])
            guard supported.contains(field) else {
                throw KubeStatus.badRequest("field label not supported: \(field)")
            }
            requirements.append((field, String(term[range.upperBound...]), !negated))
        }
    }

    func matches(_ fields: [String: String]) -> Bool {
        requirements.allSatisfy { ($0.equal) == (fields[$0.field, default: ""] == $0.value) }
    }
}
