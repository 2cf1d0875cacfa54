/// A plain-text table with right-aligned numeric columns, as printed by every benchmark.
struct BenchTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) { self.headers = headers }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }
}

enum Format {
    static func seconds(_ value: Double) -> String {
        value < 1 ? "\(Int((value * 1000).rounded())) ms" : String(format: "%.2f s", value)
    }

    static func bytes(_ value: Int) -> String {
        let v = Double(value)
        let kib = 1024.0, mib = kib * 1024, gib = mib * 1024
        if v >= gib { return String(format: "%.2f GB", v / gib) }
        if v >= mib { return String(format: "%.0f MB", v / mib) }
        if v >= kib { return String(format: "%.0f KB", v / kib) }
        return "\(value) B"
    }

    /// Two significant digits below 10 (0.12×, 4.1×), whole numbers above: a target such as ≤ 0.1× must
    /// not look met when it is 0.14×.
    static func ratio(_ value: Double) -> String {
        if value < 0.1 { return String(format: "%.3f×", value) }
        if value < 1 { return String(format: "%.2f×", value) }
        return value < 10 ? String(format: "%.1f×", value) : String(format: "%.0f×", value)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
