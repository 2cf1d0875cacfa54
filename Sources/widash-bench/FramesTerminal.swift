import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one run of the real binary in a pseudo-terminal measured.
struct FramesTerminalResult: Codable, Sendable {
    /// From spawning widash to the first flushed frame with identity rows, and to the first frame
    /// with everything loaded (`loaded == expected`).
    var firstRowsSeconds: Double
    var completeSeconds: Double
    /// Per category: from writing a key's bytes to the terminal until the frame showing it was flushed.
    var keySeconds: [String: [Double]]
    /// Per category: from widash reading the key until that frame was flushed (its own share).
    var keyInsideSeconds: [String: [Double]]
    var sawCompleteFrame: Bool
    /// Keys written, and keys whose frame the log showed.
    var sentKeys: Int
    var framedKeys: Int
    var exitCode: Int32
    /// When the first key was written and the last key's frame flushed, in seconds after the
    /// complete frame (what ran meanwhile, e.g. the trust audit, is the caller's to compare).
    var keysFromSeconds: Double = 0
    var keysUntilSeconds: Double = 0
    /// The dashboard's peak RSS (VmHWM), read just before it was told to quit; 0 where unknown.
    var peakRSSBytes: Int = 0
}

/// Runs the real `widash dashboard` in a pseudo-terminal with `WIDASH_FRAME_LOG`, waits for its
/// first and complete frames, types the script one key at a time (each after the previous key's
/// frame is in the log) and quits with `:q`.
enum FramesTerminal {
    /// - Parameter environment: added to the child's environment (e.g. the sandbox's cloud settings).
    /// - Parameter arguments: added after `dashboard --kubeconfig FILE` (e.g. `--fleet`).
    static func run(widash: String, kubeconfig: String, width: Int, height: Int, keys: [FrameKeystroke],
                    timeout: Double, environment extra: [String: String] = [:], arguments: [String] = []) throws -> FramesTerminalResult {
        let directory = NSTemporaryDirectory() + "widash-bench-frames-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logPath = directory + "/frames.log"
        let home = directory + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)

        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !["KUBECONFIG", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy", "NO_COLOR"].contains(key)
                && !key.hasPrefix("WIDASH_") && !key.hasPrefix("XDG_CONFIG")
        }
        environment["TERM"] = "xterm-256color"
        environment["HOME"] = home
        environment["LANG"] = environment["LANG"] ?? "C.UTF-8"
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        environment["WIDASH_FRAME_LOG"] = logPath
        environment.merge(extra) { _, new in new }

        let deadline = ProcessStats.monotonicSeconds() + timeout
        let child = try PseudoTerminalChild.spawn(widash, ["dashboard", "--kubeconfig", kubeconfig] + arguments,
                                                  environment: environment, width: width, height: height)
        defer { child.terminate() }
        let start = child.startNanoseconds
        let log = FrameLogReader(path: logPath)

        // (b): the first frame with rows, then the first complete frame.
        var firstRows: UInt64?
        var complete: UInt64?
        while complete == nil {
            for line in try log.newLines(until: deadline, child: child) {
                guard case .frame(let t, let rows, let isComplete) = line else { continue }
                if firstRows == nil && rows > 0 { firstRows = t }
                if complete == nil && isComplete { complete = t }
            }
        }
        // (c): one key at a time; its latency ends with the frame that reflects it.
        var keySeconds: [String: [Double]] = [:]
        var insideSeconds: [String: [Double]] = [:]
        var framed = 0
        var firstWritten: UInt64?
        var lastFlushed: UInt64?
        for keystroke in keys {
            let written = try child.write(keystroke.bytes)
            if firstWritten == nil { firstWritten = written }
            var seen: (read: UInt64, flushed: UInt64)?
            while seen == nil {
                for line in try log.newLines(until: deadline, child: child) {
                    if case .key(let read, let flushed) = line { seen = (read, flushed) }
                }
            }
            guard let seen else { continue }
            framed += 1
            lastFlushed = seen.flushed
            guard let category = keystroke.category else { continue }
            keySeconds[category, default: []].append(Double(seen.flushed &- written) / 1e9)
            insideSeconds[category, default: []].append(Double(seen.flushed &- seen.read) / 1e9)
        }
        let peak = ProcessStats.peakRSS(pid: child.pid) ?? 0
        _ = try child.write(FrameScript.quit)
        let exitCode = try child.wait(until: deadline)
        return FramesTerminalResult(
            firstRowsSeconds: Double((firstRows ?? complete ?? start) &- start) / 1e9,
            completeSeconds: Double((complete ?? start) &- start) / 1e9,
            keySeconds: keySeconds, keyInsideSeconds: insideSeconds, sawCompleteFrame: complete != nil,
            sentKeys: keys.count, framedKeys: framed, exitCode: exitCode,
            keysFromSeconds: Double((firstWritten ?? 0) &- (complete ?? start)) / 1e9,
            keysUntilSeconds: Double((lastFlushed ?? 0) &- (complete ?? start)) / 1e9, peakRSSBytes: peak)
    }
}

/// Incremental reader of the frame log (format: /work/notes/frame-log.md, FrameLog.swift):
///
///     frame <t_ns> rows=<n> loaded=<n> expected=<n> complete=<0|1>
///     key <t_read_ns> <t_flushed_ns> <key name>
final class FrameLogReader {
    enum Line: Equatable {
        case frame(at: UInt64, rows: Int, complete: Bool)
        case key(read: UInt64, flushed: UInt64)
    }

    private let path: String
    private var offset: UInt64 = 0
    private var partial: [UInt8] = []

    init(path: String) { self.path = path }

    /// Waits (polling every 0.2 ms) for at least one new complete line; throws when the child
    /// exits or the deadline passes first.
    func newLines(until deadline: Double, child: PseudoTerminalChild) throws -> [Line] {
        while true {
            let lines = readAvailable()
            if !lines.isEmpty { return lines }
            if let code = child.exitStatusIfExited() {
                throw BenchError("widash exited (\(code)) before the expected frame; run it by hand to see why")
            }
            if ProcessStats.monotonicSeconds() > deadline {
                throw BenchError("timed out waiting for a frame in \(path); raise --timeout or shrink the scenario")
            }
            usleep(200)
        }
    }

    private func readAvailable() -> [Line] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else { return [] }
        offset += UInt64(data.count)
        partial += data
        var lines: [Line] = []
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            let text = String(decoding: partial[..<newline], as: UTF8.self)
            partial.removeSubrange(...newline)
            if let line = Self.parse(text) { lines.append(line) }
        }
        return lines
    }

    static func parse(_ text: String) -> Line? {
        let words = text.split(separator: " ")
        guard let kind = words.first else { return nil }
        if kind == "frame", words.count >= 2, let t = UInt64(words[1]) {
            var fields: [Substring: Substring] = [:]
            for word in words.dropFirst(2) {
                let pair = word.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { fields[pair[0]] = pair[1] }
            }
            return .frame(at: t, rows: fields["rows"].flatMap { Int($0) } ?? 0, complete: fields["complete"] == "1")
        }
        if kind == "key", words.count >= 3, let read = UInt64(words[1]), let flushed = UInt64(words[2]) {
            return .key(read: read, flushed: flushed)
        }
        return nil
    }
}

/// A child process whose standard streams are a new pseudo-terminal (its controlling terminal),
/// with a thread draining the terminal output so the child never blocks on writing.
final class PseudoTerminalChild: @unchecked Sendable {
    let pid: pid_t
    let master: Int32
    let startNanoseconds: UInt64
    private let lock = NSLock()
    private var exitCode: Int32?

    private init(pid: pid_t, master: Int32, start: UInt64) {
        self.pid = pid
        self.master = master
        self.startNanoseconds = start
    }

    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String],
                      width: Int, height: Int) throws -> PseudoTerminalChild {
        var master: Int32 = -1
        var slave: Int32 = -1
        var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
        var name = [CChar](repeating: 0, count: 256)
        guard openpty(&master, &slave, &name, nil, &size) == 0 else {
            throw BenchError("openpty failed: \(String(cString: strerror(errno)))")
        }
        let slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        close(slave)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened after setsid, the terminal becomes the child's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, master)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        let setsid: Int16 = 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26), not exported to Swift
        posix_spawnattr_setflags(&attributes, setsid)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(master)
            throw BenchError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        let child = PseudoTerminalChild(pid: pid, master: master, start: start)
        let terminal = master
        let drain = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(terminal, $0.baseAddress, $0.count) }
                if n > 0 { continue }
                if n < 0 && errno == EINTR { continue }
                break  // EIO once the child has closed the terminal
            }
        }
        drain.start()
        return child
    }

    /// Writes `bytes` to the terminal; returns the monotonic time just before writing.
    func write(_ bytes: [UInt8]) throws -> UInt64 {
        let t = DispatchTime.now().uptimeNanoseconds
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw BenchError("writing to the terminal failed: \(String(cString: strerror(errno)))") }
            sent += n
        }
        return t
    }

    /// The exit code (128 + signal when killed) once the child has exited, else nil.
    func exitStatusIfExited() -> Int32? {
        lock.withLock {
            if let exitCode { return exitCode }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            let signal = status & 0x7F
            exitCode = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
            return exitCode
        }
    }

    func wait(until deadline: Double) throws -> Int32 {
        while ProcessStats.monotonicSeconds() < deadline {
            if let code = exitStatusIfExited() { return code }
            usleep(1000)
        }
        throw BenchError("widash did not exit after :q")
    }

    /// Kills the child if it is still running (after a failure), reaps it and closes the terminal.
    func terminate() {
        if exitStatusIfExited() == nil {
            kill(pid, SIGTERM)
            for _ in 0..<200 where exitStatusIfExited() == nil { usleep(10_000) }
            if exitStatusIfExited() == nil {
                kill(pid, SIGKILL)
                for _ in 0..<100 where exitStatusIfExited() == nil { usleep(10_000) }
            }
        }
        close(master)
    }
}
