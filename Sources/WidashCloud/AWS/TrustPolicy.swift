import Foundation

/// An IAM role trust policy (`AssumeRolePolicyDocument`), reduced to what decides whether a web
/// identity may assume the role.
public struct TrustPolicy: Sendable, Hashable {
    public struct Condition: Sendable, Hashable {
        /// e.g. `StringEquals`, `StringLike`, `ForAnyValue:StringLike`, `StringEqualsIfExists`.
        public var op: String
        /// e.g. `oidc.eks.us-east-1.amazonaws.com/id/ABC:sub`.
        public var key: String
        public var values: [String]
    }

    public struct Statement: Sendable, Hashable {
        public var effect: String
        /// `Principal.Federated` ARNs (`*` when the principal is `*`).
        public var federatedPrincipals: [String]
        /// `Principal.Service` names, e.g. `pods.eks.amazonaws.com` (`*` when the principal is `*`).
        public var servicePrincipals: [String] = []
        public var actions: [String]
        public var conditions: [Condition]
    }

    public var statements: [Statement]
    /// The document as IAM returned it (URL-decoded).
    public var document: String

    /// Parses a policy document; nil when it is not a JSON policy.
    public static func parse(_ document: String) -> TrustPolicy? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(document.utf8))) as? [String: Any] else { return nil }
        let raw: [[String: Any]]
        if let list = object["Statement"] as? [[String: Any]] { raw = list }
        else if let one = object["Statement"] as? [String: Any] { raw = [one] }
        else { return nil }
        let statements = raw.map { s -> Statement in
            var principals: [String] = []
            var services: [String] = []
            if let p = s["Principal"] as? String { principals = [p]; services = [p] }
            else if let p = s["Principal"] as? [String: Any] { principals = strings(p["Federated"]); services = strings(p["Service"]) }
            var conditions: [Condition] = []
            for (op, block) in (s["Condition"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                for (key, values) in (block as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    conditions.append(Condition(op: op, key: key, values: strings(values)))
                }
            }
            return Statement(effect: s["Effect"] as? String ?? "", federatedPrincipals: principals, servicePrincipals: services,
                             actions: strings(s["Action"]), conditions: conditions)
        }
        return TrustPolicy(statements: statements, document: document)
    }

    static func strings(_ value: Any?) -> [String] {
        if let s = value as? String { return [s] }
        if let a = value as? [Any] { return a.compactMap { $0 as? String ?? ($0 as? NSNumber)?.stringValue } }
        if let b = value as? Bool { return [b ? "true" : "false"] }
        return []
    }

    /// Evaluates the policy for `sts:AssumeRoleWithWebIdentity` by the OIDC provider `providerARN`
    /// with the token's claims (`sub`, `aud`, …): keys `<provider path>:<claim>` are looked up in `claims`.
    public func evaluate(providerARN: String, action: String = "sts:AssumeRoleWithWebIdentity",
                         claims: [String: [String]]) -> TrustEvaluation {
        let providerPath = providerARN.components(separatedBy: ":oidc-provider/").last ?? providerARN
        func contextValues(_ key: String) -> [String]? {
            let lower = key.lowercased()
            let prefix = providerPath.lowercased() + ":"
            guard lower.hasPrefix(prefix) else { return nil }
            return claims[String(lower.dropFirst(prefix.count))]
        }
        func applies(_ s: Statement) -> Bool {
            let principalOK = s.federatedPrincipals.contains { $0 == "*" || $0 == providerARN }
            let actionOK = s.actions.contains { TrustPolicy.glob($0.lowercased(), action.lowercased()) }
            return principalOK && actionOK
        }
        var candidates: [(index: Int, failures: [ConditionFailure])] = []
        for (i, s) in statements.enumerated() where applies(s) {
            let failures = s.conditions.compactMap { c -> ConditionFailure? in
                let actual = contextValues(c.key)
                return TrustPolicy.test(c, actual) ? nil : ConditionFailure(statementIndex: i, op: c.op, key: c.key, expected: c.values, actual: actual ?? [])
            }
            if s.effect == "Deny" && failures.isEmpty {
                return TrustEvaluation(allowed: false, statementIndex: i, failures: [], reason: "statement \(i + 1) explicitly denies \(action)")
            }
            if s.effect == "Allow" { candidates.append((i, failures)) }
        }
        if let ok = candidates.first(where: { $0.failures.isEmpty }) {
            return TrustEvaluation(allowed: true, statementIndex: ok.index, failures: [], reason: "statement \(ok.index + 1) allows \(action)")
        }
        guard let best = candidates.min(by: { $0.failures.count < $1.failures.count }) else {
            return TrustEvaluation(allowed: false, statementIndex: nil, failures: [],
                                   reason: "no statement allows \(action) for the federated principal \(providerARN)")
        }
        return TrustEvaluation(allowed: false, statementIndex: best.index, failures: best.failures,
                               reason: "statement \(best.index + 1) allows \(action) but \(best.failures.count) condition(s) do not hold")
    }

    /// The actions of `wanted` that no Allow statement for the service principal `service` grants
    /// (EKS Pod Identity needs `sts:AssumeRole` and `sts:TagSession` for `pods.eks.amazonaws.com`);
    /// an explicit Deny for it counts as not granted. Conditions are not evaluated (their keys,
    /// such as `aws:SourceAccount`, are the caller's context, which widash does not have).
    public func missingServiceActions(service: String, wanted: [String]) -> [String] {
        func names(_ s: Statement) -> Bool { s.servicePrincipals.contains { $0 == "*" || $0.lowercased() == service.lowercased() } }
        func grants(_ s: Statement, _ action: String) -> Bool { s.actions.contains { TrustPolicy.glob($0.lowercased(), action.lowercased()) } }
        return wanted.filter { action in
            let allowed = statements.contains { $0.effect == "Allow" && names($0) && grants($0, action) }
            let denied = statements.contains { $0.effect == "Deny" && names($0) && grants($0, action) && $0.conditions.isEmpty }
            return !allowed || denied
        }
    }

    /// Conditions on the statements that name the service principal (reported, not evaluated).
    public func serviceConditions(service: String) -> [Condition] {
        statements.filter { $0.servicePrincipals.contains { $0.lowercased() == service.lowercased() } }.flatMap(\.conditions)
    }

    /// A copy of the document with each failing single-valued condition set to the token's value:
    /// the trust-policy change that would make the exchange pass. Nil when it cannot be rewritten.
    /// With `keeping`, a failing condition whose values include one of these (another service
    /// account of the cluster still relies on it) gets the token's value added, not substituted.
    public func corrected(for failures: [ConditionFailure], keeping: Set<String> = []) -> String? {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(document.utf8))) as? [String: Any] else { return nil }
        var list: [[String: Any]]
        let wasArray: Bool
        if let l = object["Statement"] as? [[String: Any]] { list = l; wasArray = true }
        else if let one = object["Statement"] as? [String: Any] { list = [one]; wasArray = false }
        else { return nil }
        for f in failures where f.statementIndex < list.count {
            guard let value = f.actual.first else { continue }
            var conditions = list[f.statementIndex]["Condition"] as? [String: Any] ?? [:]
            var block = conditions[f.op] as? [String: Any] ?? [:]
            let existing = TrustPolicy.strings(block[f.key])
            block[f.key] = existing.contains(where: { $0 != value && keeping.contains($0) }) ? existing + [value] : value
            conditions[f.op] = block
            list[f.statementIndex]["Condition"] = conditions
        }
        object["Statement"] = wasArray ? list : list.first
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - operators

    static func test(_ c: Condition, _ actual: [String]?) -> Bool {
        var op = c.op
        var quantifier = ""
        for q in ["ForAnyValue:", "ForAllValues:"] where op.hasPrefix(q) { quantifier = q; op.removeFirst(q.count) }
        let ifExists = op.hasSuffix("IfExists")
        if ifExists { op.removeLast("IfExists".count) }
        guard let actual, !actual.isEmpty else {
            if ifExists || quantifier == "ForAllValues:" { return true }
            return op.contains("Not")
        }
        let matchOne: (String) -> Bool
        switch op {
        case "StringEquals": matchOne = { v in c.values.contains(v) }
        case "StringNotEquals": matchOne = { v in !c.values.contains(v) }
        case "StringEqualsIgnoreCase": matchOne = { v in c.values.contains { $0.lowercased() == v.lowercased() } }
        case "StringNotEqualsIgnoreCase": matchOne = { v in !c.values.contains { $0.lowercased() == v.lowercased() } }
        case "StringLike": matchOne = { v in c.values.contains { glob($0, v) } }
        case "StringNotLike": matchOne = { v in !c.values.contains { glob($0, v) } }
        default: return false  // an operator widash does not evaluate counts as not holding
        }
        return quantifier == "ForAllValues:" ? actual.allSatisfy(matchOne) : actual.contains(where: matchOne)
    }

    /// IAM wildcards: `*` any run, `?` one character.
    static func glob(_ pattern: String, _ text: String) -> Bool { Wildcard.matches(pattern, text) }
}

/// One condition that does not hold for the token.
public struct ConditionFailure: Sendable, Hashable {
    public var statementIndex: Int
    public var op: String
    public var key: String
    public var expected: [String]
    /// The token's values for the key (empty when the token lacks the claim).
    public var actual: [String]
}

/// The outcome of evaluating a trust policy.
public struct TrustEvaluation: Sendable, Hashable {
    public var allowed: Bool
    public var statementIndex: Int?
    public var failures: [ConditionFailure]
    public var reason: String
}
