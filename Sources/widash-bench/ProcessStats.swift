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

    /// Bytes the allocator has handed out and not had back: glibc's `malloc_info` totals (arena bytes
    /// from the system minus the free chunks, plus mmapped blocks). That is the live heap, without the
    /// partly used pages RSS still counts after fragmentation. nil on other C libraries.
    static func heapInUse() -> Int? {
        typealias Info = @convention(c) (Int32, UnsafeMutablePointer<FILE>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_info") else { return nil }
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { return nil }
        _ = unsafeBitCast(symbol, to: Info.self)(0, stream)
        fclose(stream)
        defer { free(buffer) }
        guard let buffer else { return nil }
        // The last lines hold the totals over every arena: <total type="fast|rest|mmap" count= size=/>
        // and <system type="current" size=/>.
        let xml = String(cString: buffer)
        guard let totals = xml.range(of: "</heap>", options: .backwards).map({ xml[$0.upperBound...] }) else { return nil }
        func total(_ tag: String) -> Int {
            guard let start = totals.range(of: tag) else { return 0 }
            let rest = totals[start.upperBound...]
            guard let sizeStart = rest.range(of: "size=\""), let end = rest[sizeStart.upperBound...].firstIndex(of: "\"") else { return 0 }
            return Int(rest[sizeStart.upperBound..<end]) ?? 0
        }
        return total("<system type=\"current\"") - total("<total type=\"fast\"") - total("<total type=\"rest\"")
            + total("<total type=\"mmap\"")
    }

    /// The path of this executable, to run measurements in fresh child processes.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
