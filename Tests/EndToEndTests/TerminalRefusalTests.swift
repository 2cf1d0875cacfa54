import Foundation
import XCTest

/// Issue #8 "Terminal": where the dashboard cannot run (TERM=dumb or unset, an unknown TERM, stdout
/// or stdin not a terminal) widash says so in one line, suggests the non-interactive commands,
/// exits 2 at once and leaves the terminal as it was. Run in a real tmux pane, so the other
/// standard streams are a terminal.
final class TerminalRefusalTests: XCTestCase {
    private var harness: TmuxHarness?

    override func setUpWithError() throws { harness = try TmuxHarness(testName: "TerminalRefusalTests") }

    override func tearDown() { harness?.close() }

    /// Runs each `label: command` in the pane's shell (widash's stderr, redirected right after its
    /// `--demo`, to `<label>.err`; its exit status to `<label>.code`), then `done`; returns
    /// (code, stderr) per label.
    private func runInPane(_ commands: [(label: String, command: String)]) throws -> [String: (code: String, stderr: String)] {
        let t = try XCTUnwrap(harness)
        var script = "stty -g > \(t.path("before")); "
        for (label, command) in commands {
            let redirected = command.replacingOccurrences(of: "--demo", with: "--demo 2> \(t.path(label + ".err"))")
            script += "\(redirected); echo ${PIPESTATUS[0]} > \(t.path(label + ".code")); "
        }
        script += "stty -g > \(t.path("after")); echo ok > \(t.path("done")); sleep 120"
        try t.start(script, width: 120, height: 30)
        _ = try t.waitForFile("done", timeout: 20)
        XCTAssertEqual(try t.waitForFile("before"), try t.waitForFile("after"), "the terminal settings are untouched")
        XCTAssertEqual(try t.display("#{alternate_on}"), "0")
        var out: [String: (String, String)] = [:]
        for (label, _) in commands {
            let code = (try? String(contentsOfFile: t.path(label + ".code"), encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: t.path(label + ".err"), encoding: .utf8)) ?? ""
            out[label] = (code.trimmingCharacters(in: .whitespacesAndNewlines), err)
        }
        return out
    }

    private func assertOneLineSuggestion(_ result: (code: String, stderr: String)?, reason: String,
                                         file: StaticString = #filePath, line: UInt = #line) {
        guard let result else { return XCTFail("no result", file: file, line: line) }
        XCTAssertEqual(result.code, "2", "exit code; stderr: \(result.stderr)", file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(reason), "names the reason (\(reason)): \(result.stderr)", file: file, line: line)
        for command in ["widash identities", "widash trace", "widash token", "widash doctor"] {
            XCTAssertTrue(result.stderr.contains(command), "suggests `\(command)`: \(result.stderr)", file: file, line: line)
        }
    }

    func testDumbOrMissingTERMSuggestsTheNonInteractiveCommands() throws {
        let binary = try WidashBinaryLocator.path()
        let results = try runInPane([
            ("dumb", "env HOME=\(WidashCLI.home) TERM=dumb \(binary) --demo"),
            ("unset", "env -u TERM HOME=\(WidashCLI.home) \(binary) --demo"),
        ])
        assertOneLineSuggestion(results["dumb"], reason: "TERM is dumb")
        assertOneLineSuggestion(results["unset"], reason: "TERM is not set")
    }

    func testStandardStreamsThatAreNotTerminalsGiveAClearMessage() throws {
        let t = try XCTUnwrap(harness)
        let binary = try WidashBinaryLocator.path()
        let env = "env HOME=\(WidashCLI.home) TERM=xterm-256color"
        let results = try runInPane([
            ("pipe", "\(env) \(binary) --demo | cat > \(t.path("pipe.out"))"),
            ("file", "\(env) \(binary) --demo > \(t.path("file.out"))"),
            ("stdin", "\(env) \(binary) --demo < /dev/null"),
        ])
        assertOneLineSuggestion(results["pipe"], reason: "standard output is not a terminal")
        assertOneLineSuggestion(results["file"], reason: "standard output is not a terminal")
        assertOneLineSuggestion(results["stdin"], reason: "standard input is not a terminal")
        for name in ["pipe.out", "file.out"] {
            XCTAssertEqual(try String(contentsOfFile: t.path(name), encoding: .utf8), "", "nothing written to stdout (\(name))")
        }
    }

    func testUnknownTERMExitsWithAMessage() throws {
        let binary = try WidashBinaryLocator.path()
        let results = try runInPane([("unknown", "env HOME=\(WidashCLI.home) TERM=no-such-terminal-xyz \(binary) --demo")])
        let result = try XCTUnwrap(results["unknown"])
        XCTAssertEqual(result.code, "2", result.stderr)
        XCTAssertTrue(result.stderr.contains("TERM=no-such-terminal-xyz"), result.stderr)
        XCTAssertTrue(result.stderr.contains("widash identities"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one line: \(result.stderr)")
    }
}
