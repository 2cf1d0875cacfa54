import Foundation
import XCTest
@testable import WidashTUI

/// The benchmark frame log (`WIDASH_FRAME_LOG`): its line format, key names, append mode and 0600.
final class FrameLogTests: XCTestCase {
    private func temporaryPath() -> String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("widash-framelog-\(UUID().uuidString)")
    }

    func testFrameAndKeyLinesAreWrittenInTheDocumentedFormat() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let log = try XCTUnwrap(FrameLog.fromEnvironment(["WIDASH_FRAME_LOG": path]))
            log.frameFlushed(at: 100, rows: 0, loaded: 0, expected: 3)
            log.keyRead(.char("j"), at: 150)
            log.keyRead(.ctrl("c"), at: 160)
            log.frameFlushed(at: 200, rows: 7, loaded: 3, expected: 3)
            log.frameFlushed(at: 300, rows: 2, loaded: 3, expected: 3)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, """
            frame 100 rows=0 loaded=0 expected=3 complete=0
            frame 200 rows=7 loaded=3 expected=3 complete=1
            key 150 200 j
            key 160 200 ctrl-c
            frame 300 rows=2 loaded=3 expected=3 complete=1

            """)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o600)
    }

    func testAppendsToAnExistingFile() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "earlier run\n".write(toFile: path, atomically: false, encoding: .utf8)
        FrameLog(path: path)?.frameFlushed(at: 5, rows: 1, loaded: 1, expected: 1)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8),
                       "earlier run\nframe 5 rows=1 loaded=1 expected=1 complete=1\n")
    }

    func testDisabledWhenUnsetOrUnopenable() {
        XCTAssertNil(FrameLog.fromEnvironment([:]))
        XCTAssertNil(FrameLog.fromEnvironment(["WIDASH_FRAME_LOG": ""]))
        XCTAssertNil(FrameLog.fromEnvironment(["WIDASH_FRAME_LOG": "/nonexistent-dir-\(UUID().uuidString)/log"]))
    }

    func testKeyNamesAreSingleWords() {
        let cases: [(Key, String)] = [(.char("j"), "j"), (.char(" "), "space"), (.char(":"), ":"), (.char("é"), "é"),
                                      (.char("\t"), "U+9"), (.ctrl("c"), "ctrl-c"), (.enter, "enter"), (.escape, "escape"),
                                      (.pageDown, "pagedown"), (.backTab, "backtab"), (.function(5), "f5")]
        for (key, name) in cases {
            XCTAssertEqual(FrameLog.name(of: key), name)
            XCTAssertFalse(FrameLog.name(of: key).contains(where: \.isWhitespace))
        }
    }

    func testMonotonicClockAdvances() {
        let a = FrameLog.now()
        let b = FrameLog.now()
        XCTAssertGreaterThan(a, 0)
        XCTAssertGreaterThanOrEqual(b, a)
    }
}
