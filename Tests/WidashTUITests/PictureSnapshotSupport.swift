import XCTest
@testable import WidashTUI

/// Exact-text comparison for the trace diagram and token timeline snapshots, whose expected text
/// sits inline in their tests. WIDASH_RECORD=1 prints the actual screen as a Swift array literal
/// to paste after reviewing it.
enum PictureSnapshot {
    static func assertLines(_ buf: ScreenBuffer, _ expected: [String], _ name: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        let actual = buf.lines
        if ProcessInfo.processInfo.environment["WIDASH_RECORD"] == "1" {
            print("// \(name)")
            for l in actual { print("            \"\(l.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\",") }
            return
        }
        XCTAssertEqual(actual.count, expected.count, "\(name): line count", file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() where a != e {
            XCTFail("\(name) line \(i):\n  expected: \(e)\n  actual:   \(a)", file: file, line: line)
        }
    }
}
