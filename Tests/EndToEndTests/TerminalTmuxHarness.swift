import Foundation
import WidashTestPeers
import XCTest

/// One tmux server and session running a shell script at a fixed size, for driving the real
/// `widash` dashboard. Each harness has its own server socket (`tmux -L`), so tests never see each
/// other's panes and `close()` removes everything it started.
final class TmuxHarness {
    let session: String
    /// A private folder for the script's files (exit codes, `stty` output, logs).
    let directory: URL

    /// A harness; tmux missing is a missing judge (`Peers`).
    init(testName: String = "widash") throws {
        _ = try Peers.tmux()
        session = "widash-test-\(UUID().uuidString.prefix(8))"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(session)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Stops the tmux server and removes the folder.
    func close() {
        _ = try? tmux(["kill-server"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// A path inside the harness folder.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts the session running `script` under bash. The server daemonises and would keep every
    /// inherited descriptor open, including the ones Foundation's Process uses to watch its child,
    /// so the shell closes all descriptors above 2 before exec'ing tmux.
    func start(_ script: String, width: Int = 120, height: Int = 50) throws {
        let quoted = Self.shellQuote(script)
        let start = Process()
        start.executableURL = URL(fileURLWithPath: "/bin/bash")
        start.arguments = ["-c", "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\"; done; "
                           + "exec tmux -L \(session) -f /dev/null new-session -d -s \(session) -x \(width) -y \(height) "
                           + "bash --norc --noprofile -c \(quoted) </dev/null >/dev/null 2>&1"]
        try Self.runAndWait(start, what: "tmux new-session")
        XCTAssertEqual(start.terminationStatus, 0, "tmux new-session failed")
        // The window keeps the size we give it, not the size of any attached client.
        try tmux(["set-option", "-t", session, "window-size", "manual"])
    }

    /// Splits the window with a new pane running `script` under bash; returns the new pane's id (`%N`).
    func split(_ script: String) throws -> String {
        try tmux(["split-window", "-P", "-F", "#{pane_id}", "-t", session, "bash --norc --noprofile -c \(Self.shellQuote(script))"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs tmux against this harness's server. Output goes to a file, not a pipe: a command may
    /// start the tmux server, which would inherit a pipe's write end and keep a reader waiting forever.
    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let outPath = path("tmux-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        guard let out = FileHandle(forWritingAtPath: outPath) else { throw HarnessStopped(reason: "cannot write \(outPath)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        process.arguments = ["-L", session] + args
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try Self.runAndWait(process, what: "tmux \(args.first ?? "")")
        try out.close()
        return (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    }

    /// Types keys: "Enter", "Escape", "C-c" … are tmux key names, anything else is typed literally.
    func keys(_ keys: String...) throws {
        for key in keys {
            if ["Enter", "Escape", "C-c", "Up", "Down"].contains(key) {
                try tmux(["send-keys", "-t", session, key])
            } else {
                try tmux(["send-keys", "-t", session, "-l", key])
            }
            Thread.sleep(forTimeInterval: 0.15)
        }
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    /// A pane format value, e.g. `#{alternate_on}` or `#{cursor_flag}`.
    func display(_ format: String, pane: String? = nil) throws -> String {
        try tmux(["display-message", "-p", "-t", pane ?? session, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func capture(pane: String? = nil) throws -> String { try tmux(["capture-pane", "-p", "-t", pane ?? session]) }

    /// Polls the screen until `condition` holds; fails the test with the last screen otherwise.
    @discardableResult
    func waitFor(_ what: String, pane: String? = nil, timeout: TimeInterval = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try capture(pane: pane)
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("timed out waiting for: \(what). Screen:\n\(last)")
        throw HarnessStopped(reason: "stopped after a failed wait")
    }

    /// Waits until the file exists and is not empty, and returns its text.
    func waitForFile(_ name: String, timeout: TimeInterval = 15) throws -> String {
        let file = name.hasPrefix("/") ? name : path(name)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), !text.isEmpty { return text }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("timed out waiting for \(file); screen:\n\((try? capture()) ?? "")")
        throw HarnessStopped(reason: "stopped after a failed wait")
    }

    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs a process and waits for it with a deadline (a termination handler and a semaphore:
    /// `waitUntilExit` can stall inside XCTest's run loop on Linux).
    static func runAndWait(_ process: Process, what: String, timeout: TimeInterval = 20) throws {
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        guard done.wait(timeout: .now() + timeout) == .success else {
            process.terminate()
            XCTFail("\(what) did not finish within \(Int(timeout)) s")
            throw HarnessStopped(reason: "\(what) hung")
        }
    }
}

/// Finds the built `widash` binary: $WIDASH_BINARY, else `.build/debug/widash` in this package.
enum WidashBinaryLocator {
    static func path() throws -> String {
        do {
            return try WidashCLI.binary().path
        } catch {
            XCTFail("\(error)")
            throw HarnessStopped(reason: "no widash binary")
        }
    }
}

/// Ends a test after a failure was already recorded (a wait that timed out, a process that hung).
struct HarnessStopped: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
