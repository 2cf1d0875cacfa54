import Dispatch
import Foundation

/// An append-only, plain-text log of flushed frames and key latencies for benchmarks, enabled by
/// `WIDASH_FRAME_LOG=<file>`. Lines (times are CLOCK_MONOTONIC nanoseconds, comparable across processes):
///
///     frame <t_ns> rows=<filtered identity rows> loaded=<n> expected=<n> complete=<0|1>
///     key <t_read_ns> <t_flushed_ns> <key name>
///
/// On the fleet view `rows` counts the fleet's rows and `loaded`/`expected` its clusters (a cluster
/// counts as loaded once its summary is ready or unreachable).
///
/// It holds counts and key names only, never screen text, so nothing secret can reach it.
/// Write errors are ignored: a benchmark aid must never disturb the dashboard.
final class FrameLog {
    private let fd: Int32
    /// Keys read but not yet shown in a flushed frame.
    private var pendingKeys: [(readAt: UInt64, name: String)] = []

    /// Opens the log named by `WIDASH_FRAME_LOG` (append, created 0600), or nil when unset or unopenable.
    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> FrameLog? {
        guard let path = env["WIDASH_FRAME_LOG"], !path.isEmpty else { return nil }
        return FrameLog(path: path)
    }

    init?(path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }

    /// CLOCK_MONOTONIC in nanoseconds (what `DispatchTime` uses on Linux).
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Remembers a key read at `readAt`; it is written with the time of the next flushed frame.
    func keyRead(_ key: Key, at readAt: UInt64) {
        pendingKeys.append((readAt, Self.name(of: key)))
    }

    /// Records a flushed frame and the keys it reflects.
    func frameFlushed(at t: UInt64, rows: Int, loaded: Int, expected: Int) {
        let complete = expected > 0 && loaded >= expected
        var text = "frame \(t) rows=\(rows) loaded=\(loaded) expected=\(expected) complete=\(complete ? 1 : 0)\n"
        for k in pendingKeys { text += "key \(k.readAt) \(t) \(k.name)\n" }
        pendingKeys.removeAll(keepingCapacity: true)
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// A one-word name for a key: the character itself (`space` for a blank), `ctrl-c`, `enter`, `f5`, ….
    static func name(of key: Key) -> String {
        switch key {
        case .char(let c):
            if c == " " { return "space" }
            if c.isWhitespace || c.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 }) {
                return "U+" + c.unicodeScalars.map { String($0.value, radix: 16, uppercase: true) }.joined(separator: "+")
            }
            return String(c)
        case .ctrl(let c): return "ctrl-\(c)"
        case .enter: return "enter"
        case .escape: return "escape"
        case .backspace: return "backspace"
        case .delete: return "delete"
        case .tab: return "tab"
        case .backTab: return "backtab"
        case .up: return "up"
        case .down: return "down"
        case .left: return "left"
        case .right: return "right"
        case .pageUp: return "pageup"
        case .pageDown: return "pagedown"
        case .home: return "home"
        case .end: return "end"
        case .function(let n): return "f\(n)"
        }
    }
}
