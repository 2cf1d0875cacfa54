import Foundation

/// One cluster in `widash identities --all-contexts -o json`: its summary and, with `--details`,
/// its inventory — exactly the document `widash identities --context C -o json` prints for it.
public struct FleetCluster: Codable, Sendable, Hashable {
    public var summary: ClusterSummary
    public var inventory: Inventory?
    public init(summary: ClusterSummary, inventory: Inventory? = nil) {
        self.summary = summary
        self.inventory = inventory
    }
}

/// `{"clusters": [{"summary": …, "inventory": …}, …]}`, in context order. JSON field names are a
/// public contract (README "Fleet").
public struct FleetDocument: Codable, Sendable, Hashable {
    public var clusters: [FleetCluster]
    public init(clusters: [FleetCluster]) { self.clusters = clusters }

    /// Encoded as the inventory is (ISO-8601 dates, sorted keys, pretty-printed).
    public func encoded() throws -> Data { try InventoryJSON.encoder().encode(self) }

    public static func decode(_ data: Data) throws -> FleetDocument {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(FleetDocument.self, from: data)
    }
}

/// The table of `widash identities --all-contexts`: one row per context, then why each
/// unreachable one could not be read.
public enum FleetTable {
    public static let headers = ["CONTEXT", "STATUS", "PROVIDERS", "IDENTITIES", "PODS", "ERRORS", "WARNINGS", "TRUST",
                                 "ISSUER", "DISCOVERY", "WEBHOOKS", "SOONEST EXPIRY"]
    /// Columns that give up width when the table is too wide, in that order, down to these widths
    /// (issuer, providers, webhooks, trust); the context name is never cut, so a table wider than
    /// the terminal stays readable.
    static let shrinkable: [(column: Int, minimum: Int)] = [(8, 12), (2, 14), (10, 12), (7, 10)]

    public static func render(_ summaries: [ClusterSummary], width: Int = 120, now: Date = Date()) -> String {
        let rows = summaries.map { row($0, now: now) }
        var lines = table(rows, width: max(width, 40))
        let failed = summaries.filter { $0.failure != nil }
        if !failed.isEmpty {
            lines.append("")
            lines.append("UNREACHABLE (\(failed.count))")
            for summary in failed {
                if let failure = summary.failure { lines.append("  \(summary.context): \(failure.kind.rawValue): \(failure.message)") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func row(_ s: ClusterSummary, now: Date) -> [String] {
        let status: String
        switch s.status {
        case .ready: status = "ready"
        case .loading: status = "loading"
        case .unreachable: status = "unreachable: \(s.failure?.kind.rawValue ?? "other")"
        }
        guard s.status == .ready else { return [s.context, status] + Array(repeating: "-", count: headers.count - 2) }
        return [s.context, status, providers(s.providers), String(s.identities), String(s.pods), String(s.errors), String(s.warnings),
                trust(s.trust), s.issuer ?? "-", s.issuerDiscovery?.state.rawValue ?? "-", webhooks(s.webhooks),
                s.soonestTokenExpiry.map { expiry($0, now: now) } ?? "-"]
    }

    /// "Azure WI 3, AWS IRSA 1", in the providers' usual order.
    public static func providers(_ counts: [String: Int]) -> String {
        let parts = Provider.allCases.compactMap { p in counts[p.rawValue].map { "\(p.displayName) \($0)" } }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }

    /// "13✓ 4✗ 2?" — trusted, mismatch, unknown, as the inventory's TRUST column marks them (zeros
    /// left out); "-" when the audit did not run.
    public static func trust(_ counts: TrustCounts?) -> String {
        guard let counts else { return "-" }
        let parts = [(counts.trusted, "✓"), (counts.mismatch, "✗"), (counts.unknown, "?")].filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }
        return parts.isEmpty ? "0" : parts.joined(separator: " ")
    }

    /// "azure:Fail, aws:Ignore" (a webhook without failurePolicy fails closed: Kubernetes' default).
    public static func webhooks(_ hooks: [WebhookSummary]) -> String {
        hooks.isEmpty ? "-" : hooks.map { "\($0.kind):\($0.failurePolicy ?? "Fail")" }.joined(separator: " ")
    }

    static func expiry(_ date: Date, now: Date) -> String {
        let left = date.timeIntervalSince(now)
        return left > 0 ? "in \(TokenClock.formatDuration(left))" : "expired"
    }

    static func table(_ rows: [[String]], width: Int) -> [String] {
        var widths = headers.indices.map { i in ([headers[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        let gap = 2
        func total() -> Int { widths.reduce(0, +) + gap * (widths.count - 1) }
        while total() > width, let column = shrinkable.first(where: { widths[$0.column] > $0.minimum })?.column {
            widths[column] -= 1
        }
        func line(_ cells: [String]) -> String {
            cells.indices.map { i in
                let cell = cells[i].count > widths[i] ? String(cells[i].prefix(max(widths[i] - 1, 0))) + "…" : cells[i]
                return i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: String(repeating: " ", count: gap))
        }
        return [line(headers)] + rows.map(line)
    }
}
