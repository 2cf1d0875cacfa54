import Foundation

extension JSONValue {
    /// Compact JSON text, members in document order.
    public var compactText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return intValue.map(String.init) ?? String(n)
        case .string(let s): return Self.quoted(s)
        case .array(let items): return "[" + items.map(\.compactText).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { Self.quoted($0.key) + ":" + $0.value.compactText }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Decoded JWT headers and claim sets as `key: value` lines for people: strings unquoted, times
/// (`exp`, `iat`, `nbf`, …) with their date, nested objects as compact JSON.
public enum ClaimLines {
    static let timeClaims: Set<String> = ["exp", "iat", "nbf", "auth_time", "warnafter"]

    public static func lines(_ value: JSONValue, now: Date = Date()) -> [String] {
        guard let members = value.objectMembers else { return [value.compactText] }
        return members.map { member in
            "\(member.key): \(render(key: member.key, member.value, now: now))"
        }
    }

    static func render(key: String, _ value: JSONValue, now: Date) -> String {
        if timeClaims.contains(key), let seconds = value.doubleValue {
            let date = Date(timeIntervalSince1970: seconds)
            let relative = date > now
                ? "in " + TokenClock.formatDuration(date.timeIntervalSince(now))
                : TokenClock.formatDuration(now.timeIntervalSince(date)) + " ago"
            return "\(value.compactText) (\(TokenClock.timestamp(date)), \(relative))"
        }
        if let s = value.stringValue { return s }
        return value.compactText
    }
}
