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

/// One line of a decoded JWT header or claim set: its indentation, its text (`key: value`,
/// `key:` above a nested block, or `- value` in an array) and the plain value a person may copy.
public struct ClaimLine: Sendable, Hashable {
    /// Leading spaces (two per level of nesting).
    public var indent: Int
    /// The line without its indentation.
    public var text: String
    /// The dotted path of the claim, e.g. `kubernetes.io.pod.name` (array items add `[i]`).
    public var path: String
    /// The value without the key (times: the number), nil above a nested block.
    public var value: String?

    public init(indent: Int, text: String, path: String, value: String?) {
        self.indent = indent
        self.text = text
        self.path = path
        self.value = value
    }

    /// The line as printed: indentation, then the text.
    public var indentedText: String { String(repeating: " ", count: indent) + text }
}

/// Decoded JWT headers and claim sets for people: one claim per line, strings unquoted, nested
/// objects and arrays of objects indented one level (two spaces) per depth, arrays of plain values
/// inline (`aud: [api://AzureADTokenExchange]`), and times (`exp`, `iat`, `nbf`, `auth_time`,
/// `warnafter`, also nested as in `kubernetes.io.warnafter`) as the number, the UTC date and how
/// far that is from `now`: `exp: 1764700000  2026-12-02 18:26:40 UTC (in 59m 12s)`.
/// The CLI (`widash token`, `widash trace`) and the dashboard print the same lines.
public enum ClaimLines {
    static let timeClaims: Set<String> = ["exp", "iat", "nbf", "auth_time", "warnafter"]
    /// Nesting deeper than this is shown as compact JSON (claims are small; this bounds hostile input).
    static let maxDepth = 8

    /// The lines as text, nested lines indented.
    public static func lines(_ value: JSONValue, now: Date = Date()) -> [String] {
        entries(value, now: now).map(\.indentedText)
    }

    /// The lines with their indentation, paths and values.
    public static func entries(_ value: JSONValue, now: Date = Date()) -> [ClaimLine] {
        guard let members = value.objectMembers else {
            return [ClaimLine(indent: 0, text: value.compactText, path: "", value: value.compactText)]
        }
        var out: [ClaimLine] = []
        appendMembers(members, indent: 0, path: "", depth: 0, firstPrefix: nil, now: now, into: &out)
        return out
    }

    /// `members` one per line at `indent`; with `firstPrefix` (`- `) the first line is an array item's.
    private static func appendMembers(_ members: [JSONValue.Member], indent: Int, path: String, depth: Int,
                                      firstPrefix: String?, now: Date, into out: inout [ClaimLine]) {
        for (i, member) in members.enumerated() {
            let prefix = i == 0 ? (firstPrefix ?? "") : ""
            let lineIndent = i == 0 && firstPrefix != nil ? indent - prefix.count : indent
            let memberPath = path.isEmpty ? member.key : path + "." + member.key
            appendValue(member.value, label: prefix + member.key + ":", key: member.key, indent: lineIndent,
                        childIndent: indent + 2, path: memberPath, depth: depth, now: now, into: &out)
        }
    }

    /// One value after `label`: inline when it is plain, else `label` alone and the block below it.
    private static func appendValue(_ value: JSONValue, label: String, key: String, indent: Int, childIndent: Int,
                                    path: String, depth: Int, now: Date, into out: inout [ClaimLine]) {
        let gap = label.isEmpty ? "" : " "
        if depth < maxDepth, let members = value.objectMembers, !members.isEmpty {
            out.append(ClaimLine(indent: indent, text: label, path: path, value: nil))
            appendMembers(members, indent: childIndent, path: path, depth: depth + 1, firstPrefix: nil, now: now, into: &out)
            return
        }
        if depth < maxDepth, let items = value.arrayValue, items.contains(where: { $0.isContainer }) {
            out.append(ClaimLine(indent: indent, text: label, path: path, value: nil))
            for (i, item) in items.enumerated() {
                let itemPath = "\(path)[\(i)]"
                if let members = item.objectMembers, !members.isEmpty {
                    appendMembers(members, indent: childIndent + 2, path: itemPath, depth: depth + 1, firstPrefix: "- ",
                                  now: now, into: &out)
                } else {
                    appendValue(item, label: "-", key: "", indent: childIndent, childIndent: childIndent + 2, path: itemPath,
                                depth: depth + 1, now: now, into: &out)
                }
            }
            return
        }
        let (shown, copy) = plain(value, key: key, now: now)
        out.append(ClaimLine(indent: indent, text: label + gap + shown, path: path, value: copy))
    }

    /// A plain value as shown and as copied.
    static func plain(_ value: JSONValue, key: String, now: Date) -> (shown: String, copy: String) {
        if timeClaims.contains(key), let seconds = value.doubleValue, seconds.isFinite, abs(seconds) < 1e11 {
            return (value.compactText + "  " + time(seconds, now: now), value.compactText)
        }
        if let s = value.stringValue {
            // Strings with line breaks or control characters stay quoted so that one claim stays one line.
            let safe = !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
            return safe ? (s, s) : (value.compactText, s)
        }
        if let items = value.arrayValue {
            let parts = items.map { $0.stringValue.map { s in s.unicodeScalars.contains { $0.value < 0x20 } ? JSONValue.quoted(s) : s } ?? $0.compactText }
            return ("[" + parts.joined(separator: ", ") + "]", parts.joined(separator: ", "))
        }
        return (value.compactText, value.compactText)
    }

    /// `2026-12-02 18:26:40 UTC (in 59m 12s)` or `… (3m 2s ago)`.
    public static func time(_ seconds: Double, now: Date) -> String {
        let date = Date(timeIntervalSince1970: seconds)
        let relative = date > now
            ? "in " + TokenClock.formatDuration(date.timeIntervalSince(now))
            : TokenClock.formatDuration(now.timeIntervalSince(date)) + " ago"
        return "\(humanTimestamp(date)) (\(relative))"
    }

    /// `2026-12-02 18:26:40 UTC`: the RFC 3339 form with a space and the zone spelled out.
    public static func humanTimestamp(_ date: Date) -> String {
        let iso = TokenClock.timestamp(date)
        guard iso.hasSuffix("Z") else { return iso }
        return iso.dropLast().replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    /// The lines of an evidence value that holds a JSON object (a trace's `header` and `claims`),
    /// nil for any other value.
    public static func evidenceLines(_ text: String, now: Date = Date()) -> [ClaimLine]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("{"), let value = try? JSONValue.parse(trimmed), value.objectMembers != nil else { return nil }
        return entries(value, now: now)
    }
}

extension JSONValue {
    /// An object or an array with something in it (shown as a block, not inline).
    var isContainer: Bool {
        switch self {
        case .object(let m): return !m.isEmpty
        case .array(let a): return !a.isEmpty
        default: return false
        }
    }
}
