import Foundation
import WidashCore

/// A table as it is shown (the filtered, sorted rows; cells whole, not cut) in CSV (RFC 4180:
/// fields with a comma, quote or line break quoted, quotes doubled, CRLF line ends) or JSON (an
/// array of objects, keys in column order).
struct TableExport: Sendable, Hashable {
    var titles: [String]
    var rows: [[String]]

    var csv: String {
        ([titles] + rows).map { $0.map(Self.csvField).joined(separator: ",") + "\r\n" }.joined()
    }

    var json: String {
        let keys = titles.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
        let objects = rows.map { row in
            JSONValue.object(zip(keys, row).map { JSONValue.Member($0.0, .string($0.1)) })
        }
        return JSONValue.array(objects).serialized(pretty: true) + "\n"
    }

    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func identities(_ state: AppState) -> TableExport {
        let columns = IdentityColumn.allCases
        let rows = state.index.identityRows.map { i in
            columns.map { IdentityCells.text(state.inventory.identities[i], $0, now: state.now) }
        }
        return TableExport(titles: columns.map(\.title), rows: rows)
    }

    static func pods(_ state: AppState) -> TableExport {
        let rows = state.index.podRows.map { ref in
            PodsView.cells(state.inventory.identities[ref.identity].pods[ref.pod], now: state.now)
        }
        return TableExport(titles: PodsView.titles, rows: rows)
    }

    static func doctor(_ checks: [DoctorCheck]) -> TableExport {
        TableExport(titles: ["STATUS", "CHECK", "DETAIL"], rows: checks.map { [$0.status.rawValue, $0.name, $0.detail] })
    }
}
