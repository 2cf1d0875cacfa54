import Foundation
import XCTest

/// Drives the real `widash --demo` dashboard under tmux at a fixed size (issue "The dashboard",
/// acceptance): identities listed, filter, open, trace with step 3 failed and AADSTS700213 on screen,
/// `:theme monochrome`, resizes, `:q` exits 0 and restores the terminal.
final class DashboardTmuxTests: XCTestCase {
    private var session = ""
    private var directory = URL(fileURLWithPath: "/")

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            print("DashboardTmuxTests skipped: tmux is not installed (./install-deps.sh installs it)")
            throw XCTSkip("tmux is not installed")
        }
        session = "widash-test-\(UUID().uuidString.prefix(8))"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(session)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        _ = try? tmux(["kill-session", "-t", session])
        try? FileManager.default.removeItem(at: directory)
    }

    func testDemoDashboardEndToEnd() throws {
        let binary = try WidashBinaryLocator.path()
        let dir = directory.path
        // stty -g before and after: the terminal must be restored exactly.
        let script = "stty -g > \(dir)/before; TERM=xterm-256color \(binary) --demo; echo $? > \(dir)/code; stty -g > \(dir)/after; sleep 60"
        try startSession(script)

        var screen = try waitFor("identities listed") { $0.contains("frontend") && $0.contains("wrong-subject") && $0.contains("shop") }
        XCTAssertTrue(screen.contains("Identities"), screen)

        try keys("/wrong-sub", "Enter")
        screen = try waitFor("filter narrows to wrong-subject") { !$0.contains("frontend") && $0.contains("wrong-subject") }
        try keys("Enter")
        screen = try waitFor("identity detail opens") { $0.contains("Identity broken/wrong-subject") }
        try keys("t")
        screen = try waitFor("step 3 failed with AADSTS700213", timeout: 40) {
            $0.contains("AADSTS700213") && $0.contains("✗ 3  trust checked")
        }
        XCTAssertTrue(screen.contains("Trace broken/wrong-subject"), screen)
        try keys("G")
        screen = try waitFor("steps 4 and 5 skipped and the result line") {
            $0.contains("FAILED at step 3") && $0.contains("4  token issued") && $0.contains("5  resource called")
        }
        try keys("g")
        screen = try waitFor("step 1 at the top") { $0.contains("✓ 1  token projected") }

        try keys(":theme monochrome", "Enter")
        screen = try waitFor("theme switched") { $0.contains("theme monochrome") }

        try tmux(["resize-window", "-t", session, "-x", "80", "-y", "24"])
        screen = try waitFor("redraws at 80x24") { $0.split(separator: "\n").first.map { $0.count <= 80 } == true && $0.contains("widash") }
        try tmux(["resize-window", "-t", session, "-x", "30", "-y", "8"])
        screen = try waitFor("too small message") { $0.lowercased().contains("too small") }
        try tmux(["resize-window", "-t", session, "-x", "120", "-y", "35"])
        screen = try waitFor("back to full size") { $0.contains("widash") && !$0.lowercased().contains("too small") }

        try keys(":q", "Enter")
        let code = try waitForFile("\(dir)/code")
        XCTAssertEqual(code.trimmingCharacters(in: .whitespacesAndNewlines), "0")
        let after = try waitForFile("\(dir)/after")
        let before = try String(contentsOfFile: "\(dir)/before", encoding: .utf8)
        XCTAssertEqual(before, after, "terminal settings restored after exit")
    }

    // MARK: - tmux helpers

    /// Starts the tmux session (and server). The server daemonises and would keep every inherited
    /// descriptor open, including the ones Foundation's Process uses to watch its child, so the
    /// shell closes all descriptors above 2 before exec'ing tmux.
    private func startSession(_ script: String) throws {
        let quoted = "'" + script.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let start = Process()
        start.executableURL = URL(fileURLWithPath: "/bin/bash")
        start.arguments = ["-c", "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\"; done; "
                           + "exec tmux new-session -d -s \(session) -x 120 -y 35 \(quoted) </dev/null >/dev/null 2>&1"]
        try Self.runAndWait(start, what: "tmux new-session")
        XCTAssertEqual(start.terminationStatus, 0, "tmux new-session failed")
    }

    /// Runs tmux. Output goes to a file, not a pipe: `new-session` may start the tmux server, which
    /// would inherit a pipe's write end and keep a pipe reader waiting forever.
    @discardableResult
    private func tmux(_ args: [String]) throws -> String {
        let outPath = directory.appendingPathComponent("tmux-out-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        guard let out = FileHandle(forWritingAtPath: outPath) else { throw XCTSkip("cannot write \(outPath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        process.arguments = args
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try Self.runAndWait(process, what: "tmux \(args.first ?? "")")
        try out.close()
        return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    }

    private func keys(_ keys: String...) throws {
        for key in keys {
            if key == "Enter" || key == "Escape" {
                try tmux(["send-keys", "-t", session, key])
            } else {
                try tmux(["send-keys", "-t", session, "-l", key])
            }
            Thread.sleep(forTimeInterval: 0.15)
        }
    }

    /// Runs a process and waits for it with a deadline (a termination handler and a semaphore:
    /// `waitUntilExit` can stall inside XCTest's run loop on Linux).
    private static func runAndWait(_ process: Process, what: String, timeout: TimeInterval = 20) throws {
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        guard done.wait(timeout: .now() + timeout) == .success else {
            process.terminate()
            XCTFail("\(what) did not finish within \(Int(timeout)) s")
            throw XCTSkip("stopped: \(what) hung")
        }
    }

    private func capture() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    private func waitFor(_ what: String, timeout: TimeInterval = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try capture()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.25)
        }
        XCTFail("timed out waiting for: \(what). Screen:\n\(last)")
        throw XCTSkip("stopped after a failed wait")
    }

    private func waitForFile(_ path: String, timeout: TimeInterval = 15) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty { return text }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("timed out waiting for \(path); screen:\n\((try? capture()) ?? "")")
        throw XCTSkip("stopped after a failed wait")
    }
}

/// Finds the built `widash` binary: $WIDASH_BINARY, else `.build/debug/widash` in this package.
enum WidashBinaryLocator {
    static func path() throws -> String {
        if let env = ProcessInfo.processInfo.environment["WIDASH_BINARY"], !env.isEmpty { return env }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let candidate = url.appendingPathComponent(".build/debug/widash").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            XCTFail("widash is not built at \(candidate): run `swift build` first")
            throw XCTSkip("no binary")
        }
        return candidate
    }
}
