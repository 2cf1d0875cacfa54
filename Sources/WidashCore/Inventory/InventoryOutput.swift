import Foundation

/// The JSON form of the inventory (`widash identities -o json`): ISO-8601 dates, sorted keys,
/// pretty-printed. Field names are the Codable names of the inventory types (README "JSON fields").
public enum InventoryJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode(_ inventory: Inventory) throws -> Data {
        try encoder().encode(inventory)
    }

    /// Reads what ``encode(_:)`` wrote (end-to-end tests, saved snapshots).
    public static func decode(_ data: Data) throws -> Inventory {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Inventory.self, from: data)
    }
}

/// The table form of the inventory (`widash identities -o table`): one row per binding (one for a
/// service account without any), then the findings, wrapped to the width.
public enum InventoryTable {
    public static let headers = ["NAMESPACE", "SERVICE ACCOUNT", "PROVIDER", "IDENTITY", "TENANT/ACCOUNT", "PODS", "TTL", "TRUST", "STATUS"]
    /// Columns that give up width first when the table is too wide, in that order.
    static let shrinkable = [3, 4, 1, 0, 2]

    public static func render(_ inventory: Inventory, width: Int = 120) -> String {
        let width = max(width, 40)
        var lines: [String] = []
        if inventory.identities.isEmpty {
            lines.append("No service accounts found.")
        } else {
            lines += table(rows(inventory), width: width)
        }
        let findings = inventory.clusterFindings + inventory.identities.flatMap(\.findings)
        if !findings.isEmpty {
            lines.append("")
            lines.append("FINDINGS (\(findings.count))")
            for f in findings {
                lines += wrap("\(f.severity.rawValue.uppercased()) \(f.code) \(f.subject): \(f.message)", width: width, indent: 2)
                lines += wrap("fix: \(f.fix)", width: width, indent: 4, firstIndent: 2)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func rows(_ inventory: Inventory) -> [[String]] {
        inventory.identities.flatMap { entry -> [[String]] in
            let status = entry.status == .none ? "-" : entry.status.rawValue
            let pods = String(entry.pods.count)
            guard !entry.bindings.isEmpty else {
                return [[entry.namespace, entry.name, "-", "-", "-", pods, podTTL(entry, nil), "-", status]]
            }
            return entry.bindings.map { b in
                [entry.namespace, entry.name, b.provider.displayName, b.cloudIdentity ?? "-", b.tenant ?? "-", pods,
                 b.tokenExpirationSeconds.map(ttl) ?? podTTL(entry, b.provider), b.trust?.label ?? "-", status]
            }
        }
    }

    private static func podTTL(_ entry: IdentityEntry, _ provider: Provider?) -> String {
        entry.pods.first { $0.provider == provider && $0.tokenTTLSeconds != nil }?.tokenTTLSeconds.map(ttl) ?? "-"
    }

    private static func ttl(_ seconds: Int) -> String { TokenClock.formatDuration(TimeInterval(seconds)) }

    static func table(_ rows: [[String]], width: Int) -> [String] {
        var widths = headers.indices.map { i in ([headers[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        let gap = 2
        func total() -> Int { widths.reduce(0, +) + gap * (widths.count - 1) }
        // Take one column from the widest shrinkable column until it fits or nothing can give;
        // columns keep their header's width while others can still give, then go down to 6.
        while total() > width {
            var candidates = shrinkable.filter { widths[$0] > max(headers[$0].count, 6) }
            if candidates.isEmpty { candidates = shrinkable.filter { widths[$0] > 6 } }
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                let text = truncate(cell, to: widths[i])
                out += i == cells.count - 1 ? text : text + String(repeating: " ", count: widths[i] - text.count + gap)
            }
            return out
        }
        return [line(headers)] + rows.map(line)
    }

    static func truncate(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.prefix(width)) }
        return String(text.prefix(width - 1)) + "…"
    }

    /// Word-wraps `text`; continuation lines are indented by `indent`, the first by `firstIndent`.
    static func wrap(_ text: String, width: Int, indent: Int, firstIndent: Int = 0) -> [String] {
        var lines: [String] = []
        var current = String(repeating: " ", count: firstIndent)
        var currentHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            if currentHasWord, current.count + 1 + word.count > width {
                lines.append(current)
                current = String(repeating: " ", count: indent)
                currentHasWord = false
            }
            // A word longer than a line (a URL, a JSON patch) is split hard.
            while current.count + (currentHasWord ? 1 : 0) + word.count > width, width - current.count - 1 > 8 {
                let room = width - current.count - (currentHasWord ? 1 : 0)
                current += (currentHasWord ? " " : "") + word.prefix(room)
                lines.append(current)
                word = word.dropFirst(room)
                current = String(repeating: " ", count: indent)
                currentHasWord = false
            }
            if word.isEmpty { continue }
            current += (currentHasWord ? " " : "") + word
            currentHasWord = true
        }
        if currentHasWord { lines.append(current) }
        return lines
    }
}
