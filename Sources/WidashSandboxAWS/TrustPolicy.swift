import Foundation

/// The facts of one `sts:AssumeRole*` call that a role trust policy is evaluated against.
public struct TrustRequest: Sendable, Equatable {
    public enum Principal: Sendable, Equatable {
        /// An IAM OIDC (or SAML) provider ARN.
        case federated(String)
        /// An AWS service principal such as `pods.eks.amazonaws.com`.
        case service(String)
        /// An IAM user/role ARN or account.
        case aws(String)
    }

    public var principal: Principal
    public var action: String
    /// Condition keys (`oidc.example.com:sub`, `aws:RequestTag/…`) and their values; keys are case-insensitive.
    public var conditionKeys: [String: [String]]

    public init(principal: Principal, action: String, conditionKeys: [String: [String]] = [:]) {
        self.principal = principal
        self.action = action
        self.conditionKeys = conditionKeys
    }
}

/// The outcome of evaluating a trust policy, with the reason in words for diagnosis and logs
/// (AWS itself only says "Not authorized to perform …").
public enum TrustDecision: Sendable, Equatable {
    case allowed
    case denied(reason: String)

    public var isAllowed: Bool { self == .allowed }
}

/// A role trust policy (IAM policy grammar: Version, Statement[Effect, Principal, Action, Condition]).
public struct TrustPolicy: Sendable {
    struct Statement: Sendable {
        var sid: String?
        var allow: Bool
        var principals: [String: [String]]
        var anyPrincipal: Bool
        var actions: [String]
        /// operator → (condition key → allowed values)
        var conditions: [String: [String: [String]]]
    }

    var statements: [Statement]

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case notJSON
        case missingStatement
        case badStatement(Int, String)

        public var description: String {
            switch self {
            case .notJSON: return "trust policy is not a JSON object"
            case .missingStatement: return "trust policy has no Statement"
            case .badStatement(let i, let why): return "trust policy statement \(i) is malformed: \(why)"
            }
        }
    }

    public init(json: String) throws(ParseError) {
        guard let data = json.data(using: .utf8),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { throw .notJSON }
        let raw: [[String: Any]]
        if let list = object["Statement"] as? [[String: Any]] { raw = list }
        else if let one = object["Statement"] as? [String: Any] { raw = [one] }
        else { throw .missingStatement }
        statements = try raw.enumerated().map { (index, s) throws(ParseError) in try Self.statement(s, index: index) }
    }

    private static func statement(_ s: [String: Any], index: Int) throws(ParseError) -> Statement {
        guard let effect = s["Effect"] as? String, effect == "Allow" || effect == "Deny" else {
            throw .badStatement(index, "Effect must be Allow or Deny")
        }
        var principals: [String: [String]] = [:]
        var anyPrincipal = false
        if let p = s["Principal"] as? String, p == "*" { anyPrincipal = true }
        else if let p = s["Principal"] as? [String: Any] {
            for (kind, value) in p { principals[kind] = strings(value) }
            if principals["AWS"] == ["*"] { anyPrincipal = true }
        } else { throw .badStatement(index, "Principal is missing") }
        let actions = strings(s["Action"] ?? [])
        if actions.isEmpty { throw .badStatement(index, "Action is missing") }
        var conditions: [String: [String: [String]]] = [:]
        if let c = s["Condition"] as? [String: Any] {
            for (op, body) in c {
                guard let pairs = body as? [String: Any] else { throw .badStatement(index, "Condition \(op) is not an object") }
                conditions[op] = pairs.mapValues(strings)
            }
        }
        return Statement(sid: s["Sid"] as? String, allow: effect == "Allow", principals: principals,
                         anyPrincipal: anyPrincipal, actions: actions, conditions: conditions)
    }

    /// A string or an array of strings (numbers and booleans as their text), as IAM accepts.
    private static func strings(_ value: Any) -> [String] {
        if let s = value as? String { return [s] }
        if let list = value as? [Any] { return list.flatMap(strings) }
        if let n = value as? NSNumber { return [n.stringValue] }
        return []
    }

    /// IAM's rule: an explicit Deny wins, otherwise some Allow statement must match principal,
    /// action and every condition.
    public func evaluate(_ request: TrustRequest) -> TrustDecision {
        var reasons: [String] = []
        var allowed = false
        for (index, statement) in statements.enumerated() {
            let name = statement.sid.map { "statement \(index) (\($0))" } ?? "statement \(index)"
            switch statement.matches(request) {
            case .success:
                if !statement.allow { return .denied(reason: "\(name) explicitly denies \(request.action)") }
                allowed = true
            case .failure(let why):
                if statement.allow { reasons.append("\(name): \(why)") }
            }
        }
        if allowed { return .allowed }
        return .denied(reason: reasons.isEmpty ? "no statement allows \(request.action)" : reasons.joined(separator: "; "))
    }
}

extension TrustPolicy.Statement {
    func matches(_ request: TrustRequest) -> Result<Void, PolicyMismatchReason> {
        if !anyPrincipal {
            let (kind, value): (String, String) = switch request.principal {
            case .federated(let v): ("Federated", v)
            case .service(let v): ("Service", v)
            case .aws(let v): ("AWS", v)
            }
            let listed = principals[kind] ?? []
            if !listed.contains(value) {
                let have = principals.map { "\($0.key) \($0.value.joined(separator: ", "))" }.joined(separator: "; ")
                return .failure(PolicyMismatchReason("principal is \(have.isEmpty ? "none" : have), the request's is \(kind) \(value)"))
            }
        }
        // Action names are case-insensitive and may use wildcards ("sts:*").
        if !actions.contains(where: { Glob.matches(pattern: $0.lowercased(), request.action.lowercased()) }) {
            return .failure(PolicyMismatchReason("actions \(actions.joined(separator: ", ")) do not include \(request.action)"))
        }
        for (op, pairs) in conditions.sorted(by: { $0.key < $1.key }) {
            for (key, expected) in pairs.sorted(by: { $0.key < $1.key }) {
                let actual = request.conditionKeys.first { $0.key.lowercased() == key.lowercased() }?.value
                if let why = ConditionOperator.check(op, key: key, expected: expected, actual: actual) {
                    return .failure(PolicyMismatchReason(why))
                }
            }
        }
        return .success(())
    }
}

/// Why one statement did not match, in words.
struct PolicyMismatchReason: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}
