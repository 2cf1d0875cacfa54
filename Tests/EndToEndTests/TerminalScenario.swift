import Foundation
import XCTest

/// The demo dashboard run from a pane's shell the way a person runs it, with everything the
/// terminal tests check afterwards recorded in the harness folder: `pid` (widash's own pid, via
/// `exec`), `err` (its stderr), `code` (its exit status), then `before`/`after` (`stty -g` around
/// the run) and `stty` (`stty -a` after it). The pane's shell stays alive so the restored terminal
/// can be inspected.
struct TerminalScenario {
    let harness: TmuxHarness
    let binary: String

    init(_ harness: TmuxHarness) throws {
        self.harness = harness
        binary = try WidashBinaryLocator.path()
    }

    /// The shell script; `environment` is put before the command (`TERM=… LC_ALL=…`), `input` redirects stdin.
    func script(environment: String = "LC_ALL=C.UTF-8 TERM=xterm-256color", input: String? = nil) -> String {
        let h = harness
        // No core file from the crash test, and no interactive Swift backtracer waiting on the terminal.
        let run = "ulimit -c 0; echo $$ > \(h.path("pid")); exec env SWIFT_BACKTRACE=enable=no HOME=\(WidashCLI.home) WIDASH_FRAME_LOG=\(h.path("frames.log")) \(environment) \(binary) --demo"
        return "stty -g > \(h.path("before")); bash -c \(TmuxHarness.shellQuote(run)) 2> \(h.path("err"))"
            + (input.map { " < \($0)" } ?? "")
            + "; echo $? > \(h.path("code")); stty -g > \(h.path("after")); stty -a > \(h.path("stty")); sleep 120"
    }

    /// Waits until the demo's identities are on screen and fully loaded (the header shows
    /// "loading n/m" until then; rows far down the list, like namespace `shop`, may be below the
    /// fold at small sizes, so this checks an early row and the status line).
    @discardableResult
    func waitForIdentities(pane: String? = nil) throws -> String {
        do {
            return try harness.waitFor("identities listed", pane: pane) {
                $0.contains("wrong-subj") && $0.contains(" service accounts") && !$0.contains("loading")
            }
        } catch {
            let log = (try? String(contentsOfFile: harness.path("frames.log"), encoding: .utf8)) ?? "(no frame log)"
            print("pane \((try? harness.display("#{pane_width}x#{pane_height}", pane: pane)) ?? "?"); frame log tail:\n"
                  + log.split(separator: "\n").suffix(5).joined(separator: "\n"))
            throw error
        }
    }

    /// widash's pid (written by the script before `exec`).
    func pid() throws -> pid_t {
        let text = try harness.waitForFile("pid")
        return try XCTUnwrap(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), "pid file: \(text)")
    }

    /// Waits for widash to end and the shell to record the terminal: its exit code and stderr.
    func finished() throws -> (code: Int32, stderr: String) {
        _ = try harness.waitForFile("stty")
        let code = try harness.waitForFile("code").trimmingCharacters(in: .whitespacesAndNewlines)
        let err = (try? String(contentsOfFile: harness.path("err"), encoding: .utf8)) ?? ""
        return (try XCTUnwrap(Int32(code), "exit code file: \(code)"), err)
    }

    /// Asserts that the dashboard owns the terminal now: alternate screen on, cursor hidden.
    func assertDashboardOwnsTerminal(pane: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try harness.display("#{alternate_on}", pane: pane), "1", "dashboard uses the alternate screen", file: file, line: line)
        XCTAssertEqual(try harness.display("#{cursor_flag}", pane: pane), "0", "dashboard hides the cursor", file: file, line: line)
    }

    /// Asserts the pane is back to normal after widash ended: normal screen, visible cursor,
    /// canonical mode and echo on, and `stty -g` exactly as before the run.
    func assertTerminalRestored(pane: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        try waitForDisplay("#{alternate_on}", "0", pane: pane, what: "back in the normal screen", file: file, line: line)
        try waitForDisplay("#{cursor_flag}", "1", pane: pane, what: "cursor visible", file: file, line: line)
        let stty = try harness.waitForFile("stty")
        let flags = Set(stty.split(whereSeparator: { " ;\n".contains($0) }).map(String.init))
        for flag in ["icanon", "echo", "isig", "icrnl", "opost"] {
            XCTAssertTrue(flags.contains(flag) && !flags.contains("-" + flag), "stty -a shows \(flag) on:\n\(stty)", file: file, line: line)
        }
        let before = try harness.waitForFile("before")
        let after = try harness.waitForFile("after")
        XCTAssertEqual(before, after, "stty -g after the run equals stty -g before it", file: file, line: line)
    }

    /// Polls a pane format until it has the value (tmux processes the pane's output asynchronously).
    private func waitForDisplay(_ format: String, _ value: String, pane: String?, what: String,
                                file: StaticString, line: UInt) throws {
        var last = ""
        for _ in 0..<25 {
            last = try harness.display(format, pane: pane)
            if last == value { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("\(what): \(format) is \(last), expected \(value). Screen:\n\((try? harness.capture(pane: pane)) ?? "")",
                file: file, line: line)
    }

    /// True while the process exists and is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }

    /// Waits (up to `timeout`) for the process to be gone.
    static func waitUntilGone(_ pid: pid_t, timeout: TimeInterval = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !isAlive(pid) { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }
}

extension String {
    /// The screen's lines as Characters (capture-pane trims trailing blanks).
    var screenLines: [String] { split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// True when no line is wider than `width` and there are at most `height` non-empty lines.
    func fits(width: Int, height: Int) -> Bool {
        let lines = screenLines
        let lastNonEmpty = lines.lastIndex { !$0.isEmpty } ?? -1
        return lastNonEmpty < height && lines.allSatisfy { $0.count <= width }
    }
}
