import Foundation

/// A flexible federated identity credential's expression, in the part of the language widash can
/// evaluate: clauses `claims['<name>'] eq|matches '<comparand>'` joined by ` and `; `matches`
/// takes `*` (any run) and `?` (one character) as wildcards. The language is documented at
/// https://learn.microsoft.com/entra/workload-id/workload-identities-flexible-federated-identity-credentials
/// ("Flexible federated identity credential language structure"). Anything else is not parsed, and
/// the audit says "expression, not evaluated" rather than guess.
public struct ClaimsExpression: Sendable, Hashable {
    public struct Clause: Sendable, Hashable {
        public var claim: String
        /// `eq` or `matches`.
        public var op: String
        public var comparand: String
    }

    public var clauses: [Clause]

    public init?(_ text: String) {
        var clauses: [Clause] = []
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        while true {
            guard let clause = Self.clause(&rest) else { return nil }
            clauses.append(clause)
            rest = rest.drop { $0 == " " }
            if rest.isEmpty { break }
            guard rest.hasPrefix("and ") else { return nil }
            rest = rest.dropFirst(4).drop { $0 == " " }
        }
        self.clauses = clauses
    }

    /// The clauses are joined by `and`: false as soon as one clause whose claim is in `claims` fails
    /// (whatever the others), true when every clause's claim is there and holds, nil otherwise (a
    /// claim it names is missing — a Kubernetes token has `sub`, `iss`, `aud`, not GitHub's
    /// `job_workflow_ref` — and nothing present fails).
    public func holds(claims: [String: String]) -> Bool? {
        var missing = false
        for clause in clauses {
            guard let value = claims[clause.claim] else {
                missing = true
                continue
            }
            let ok = clause.op == "eq" ? value == clause.comparand : Self.wildcard(clause.comparand, value)
            if !ok { return false }
        }
        return missing ? nil : true
    }

    /// `claims['sub'] matches 'x*'`: the lookup, one operator, a single-quoted comparand.
    private static func clause(_ s: inout Substring) -> Clause? {
        let lookup = "claims['"
        guard s.hasPrefix(lookup) else { return nil }
        s = s.dropFirst(lookup.count)
        guard let close = s.range(of: "']") else { return nil }
        let claim = String(s[..<close.lowerBound])
        s = s[close.upperBound...].drop { $0 == " " }
        let op: String
        if s.hasPrefix("eq ") { op = "eq" } else if s.hasPrefix("matches ") { op = "matches" } else { return nil }
        s = s.dropFirst(op.count).drop { $0 == " " }
        guard s.first == "'" else { return nil }
        s = s.dropFirst()
        guard let end = s.firstIndex(of: "'") else { return nil }
        let comparand = String(s[..<end])
        s = s[s.index(after: end)...]
        guard !claim.isEmpty else { return nil }
        return Clause(claim: claim, op: op, comparand: comparand)
    }

    static func wildcard(_ pattern: String, _ text: String) -> Bool { Wildcard.matches(pattern, text) }
}
