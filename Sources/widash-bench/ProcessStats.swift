import Foundation

/// Memory and time figures of the current process, read from /proc (Linux) with fallbacks.
enum ProcessStats {
    /// Peak resident set size (VmHWM), in bytes; nil where /proc is absent.
    static func peakRSS() -> Int? { statusField("VmHWM:") }

    /// Another process's peak resident set size (while it runs: read before it exits).
    static func peakRSS(pid: Int32) -> Int? { statusField("VmHWM:", path: "/proc/\(pid)/status") }

    /// Current resident set size (VmRSS), in bytes.
    static func currentRSS() -> Int? { statusField("VmRSS:") }

    private static func statusField(_ name: String, path: String = "/proc/self/status") -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let number = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
            return number.map { $0 * 1024 }
        }
        return nil
    }

    /// Returns freed heap memory to the system (glibc `malloc_trim`), so that RSS reflects what is
    /// still held. Looked up at run time: absent on other C libraries, where it does nothing.
    static func trimHeap() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// The path of this executable, to run measurements in fresh child processes.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
