import Foundation
import XCTest

/// `WIDASH_FRAME_LOG`: the real dashboard under tmux appends `frame` and `key` lines in the
/// documented format (/work/notes/frame-log.md, README), which a benchmark can parse.
final class TerminalFrameLogTests: XCTestCase {
    private var harness: TmuxHarness?

    override func setUpWithError() throws { harness = try TmuxHarness(testName: "TerminalFrameLogTests") }

    override func tearDown() { harness?.close() }

    private struct Frame { var t: UInt64; var rows: Int; var loaded: Int; var expected: Int; var complete: Bool }
    private struct KeyLine { var read: UInt64; var flushed: UInt64; var name: String }

    func testFrameLogRecordsFramesAndKeys() throws {
        let t = try XCTUnwrap(harness)
        let binary = try WidashBinaryLocator.path()
        let log = t.path("frames.log")
        try t.start("HOME=\(WidashCLI.home) WIDASH_FRAME_LOG=\(log) TERM=xterm-256color \(binary) --demo; "
                    + "echo $? > \(t.path("code")); sleep 60")
        try t.waitFor("identities listed") { $0.contains("frontend") && $0.contains("wrong-subject") }
        try t.keys("j", "/wrong-sub", "Enter")
        try t.waitFor("filter narrows to wrong-subject") { !$0.contains("frontend") && $0.contains("wrong-subject") }
        try t.keys(":q", "Enter")
        XCTAssertEqual(try t.waitForFile("code").trimmingCharacters(in: .whitespacesAndNewlines), "0")

        let text = try String(contentsOfFile: log, encoding: .utf8)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: log)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o600, "the frame log is owner-only")
        var frames: [Frame] = []
        var keys: [KeyLine] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let f = line.split(separator: " ").map(String.init)
            if f.count == 6, f[0] == "frame", let t = UInt64(f[1]),
               let rows = Self.value(f[2], "rows"), let loaded = Self.value(f[3], "loaded"),
               let expected = Self.value(f[4], "expected"), let complete = Self.value(f[5], "complete"), complete <= 1 {
                frames.append(Frame(t: t, rows: rows, loaded: loaded, expected: expected, complete: complete == 1))
            } else if f.count == 4, f[0] == "key", let read = UInt64(f[1]), let flushed = UInt64(f[2]) {
                keys.append(KeyLine(read: read, flushed: flushed, name: f[3]))
            } else {
                XCTFail("line not in the documented format: \(line)")
            }
        }
        XCTAssertTrue(text.hasSuffix("\n"), "every line ends with a newline")
        XCTAssertEqual(frames.map(\.t), frames.map(\.t).sorted(), "frame times are monotonic")
        let full = try XCTUnwrap(frames.first { $0.complete }, "a frame with the inventory complete")
        XCTAssertGreaterThan(full.rows, 1)
        XCTAssertEqual(full.loaded, full.expected)
        XCTAssertTrue(frames.contains { $0.complete && $0.rows == 1 }, "a frame with only the filtered row")

        XCTAssertEqual(Array(keys.map(\.name).prefix(13)),
                       ["j", "/", "w", "r", "o", "n", "g", "-", "s", "u", "b", "enter", ":"])
        let frameTimes = Set(frames.map(\.t))
        for k in keys {
            XCTAssertLessThanOrEqual(k.read, k.flushed, "key \(k.name) flushed after it was read")
            XCTAssertTrue(frameTimes.contains(k.flushed), "key \(k.name) names the frame that showed it")
        }
        XCTAssertFalse(text.contains("eyJ"), "no token-like text in the frame log")
    }

    /// `name=123` → 123.
    private static func value(_ field: String, _ name: String) -> Int? {
        guard field.hasPrefix(name + "=") else { return nil }
        return Int(field.dropFirst(name.count + 1))
    }
}
