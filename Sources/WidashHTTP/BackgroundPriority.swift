import CCurl
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the dashboard's UI thread ahead of its background work on a busy machine. Once
/// `enable()`d (the dashboard does, the CLI commands do not), a thread doing background work —
/// an HTTP transfer, the live feed, the trust audit, table preparation — lowers its own
/// scheduling priority (nice +10; on Linux nice is per thread, and raising it needs no
/// privilege) when it starts such work. The UI thread never does, so a keystroke is handled
/// first even while thousands of cloud reads run.
public enum BackgroundPriority {
    private static let enabled = Atomic<Bool>(false)
    static let niceness: Int32 = 10

    public static func enable() { enabled.store(true, ordering: .relaxed) }

    /// Lowers the calling thread's priority when enabled (a cheap syscall; idempotent).
    public static func lowerCurrentThread() {
        guard enabled.load(ordering: .relaxed) else { return }
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(widash_gettid()), niceness)
        #endif
    }
}
