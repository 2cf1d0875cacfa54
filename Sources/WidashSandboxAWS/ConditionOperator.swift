import Foundation

/// IAM condition operators used by trust policies (`StringEquals`, `StringLike`, their negations,
/// `…IgnoreCase`, `…IfExists`, `ForAnyValue:`/`ForAllValues:` and `Null`).
enum ConditionOperator {
    /// `nil` when the condition holds, otherwise the mismatch in words.
    static func check(_ rawOperator: String, key: String, expected: [String], actual: [String]?) -> String? {
        var op = rawOperator
        var setMode = "ForAnyValue"
        for prefix in ["ForAnyValue:", "ForAllValues:"] where op.hasPrefix(prefix) {
            setMode = String(prefix.dropLast())
            op = String(op.dropFirst(prefix.count))
        }
        let ifExists = op.hasSuffix("IfExists")
        if ifExists { op = String(op.dropLast("IfExists".count)) }

        if op == "Null" {
            let wantAbsent = expected.first?.lowercased() == "true"
            let absent = actual?.isEmpty ?? true
            return wantAbsent == absent ? nil : "condition Null on \(key) expects the key to be \(wantAbsent ? "absent" : "present")"
        }
        let negated = op.hasPrefix("StringNot")
        let compare: (String, String) -> Bool
        switch op {
        case "StringEquals", "StringNotEquals": compare = { $0 == $1 }
        case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase": compare = { $0.lowercased() == $1.lowercased() }
        case "StringLike", "StringNotLike": compare = { Glob.matches(pattern: $0, $1) }
        default: return "condition operator \(rawOperator) is not supported by the sandbox"
        }
        guard let values = actual, !values.isEmpty else {
            if ifExists || negated || setMode == "ForAllValues" { return nil }
            return "condition \(rawOperator) on \(key) expects \(expected.joined(separator: " or ")), the request has no \(key)"
        }
        let matching = values.filter { value in expected.contains { compare($0, value) } }
        let holds: Bool
        if negated { holds = matching.isEmpty }
        else if setMode == "ForAllValues" { holds = matching.count == values.count }
        else { holds = !matching.isEmpty }
        if holds { return nil }
        return "condition \(rawOperator) on \(key) expects \(negated ? "none of " : "")\(expected.joined(separator: " or ")), the request has \(values.joined(separator: ", "))"
    }
}

/// IAM's `StringLike` wildcards: `*` matches any run of characters, `?` exactly one.
enum Glob {
    static func matches(pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
