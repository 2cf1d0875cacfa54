import Foundation
import XCTest

/// Every way out of a `--demo` command ends with its documented exit code, never a crash: success
/// (0), a usage error found after the sandbox started (2), a remote failure (3) and a signal
/// (killed by SIGINT/SIGTERM, as any CLI command). The embedded sandbox's NIO objects once trapped
/// at random while the process exited ("Deinited NIOAsyncWriter without calling finish()", SIGILL,
/// exit 4 instead of 3, only under load), so each path runs many times, two at a time, while two
/// busy threads load the cores. `WIDASH_EXIT_STRESS_RUNS` sets the runs per path (default 15; the
/// issue's acceptance run used 200).
final class DemoExitPathStressTests: XCTestCase {
    struct Path: Sendable {
        var name: String
        var arguments: [String]
        /// Exit code, or the signal that ends it (sent `signalAfter` seconds after start).
        var exitCode: Int32
        var signal: Int32? = nil
        var signalAfter: TimeInterval = 0
        /// A line stderr must contain (the one-line message), nil for none.
        var stderrContains: String?
    }

    static let paths: [Path] = [
        Path(name: "success", arguments: ["identities", "-A", "-o", "json", "--demo"], exitCode: 0, stderrContains: nil),
        Path(name: "usage error after start", arguments: ["trace", "shop/no-such-pod", "--demo"], exitCode: 2,
             stderrContains: "widash: pod shop/no-such-pod not found"),
        Path(name: "remote failure", arguments: ["identities", "-A", "-o", "json", "--demo",
                                                 "--faults", "error-rate=1,error-codes=503,retry-after=0"],
             exitCode: 3, stderrContains: "widash: server error (503)"),
        Path(name: "SIGINT", arguments: ["trace", "shop/frontend", "--demo"], exitCode: SIGINT, signal: SIGINT,
             signalAfter: 0.25, stderrContains: nil),
        Path(name: "SIGTERM", arguments: ["identities", "-A", "--demo"], exitCode: SIGTERM, signal: SIGTERM,
             signalAfter: 0.15, stderrContains: nil),
    ]

    func testEveryExitPathOfADemoCommandEndsWithItsCodeUnderLoad() async throws {
        let runs = ProcessInfo.processInfo.environment["WIDASH_EXIT_STRESS_RUNS"].flatMap(Int.init) ?? 15
        let load = CPULoad(threads: 2)
        defer { load.stop() }
        let jobs = (0..<runs).flatMap { run in Self.paths.map { (run, $0) } }
        let outcomes = try await WidashCLI.concurrentMap(jobs, limit: 2) { (run, path) -> String? in
            try await Self.check(path, run: run)
        }
        let failures = outcomes.compactMap { $0 }
        print("exit paths: \(jobs.count) runs (\(runs) per path, \(Self.paths.count) paths) under load, \(failures.count) wrong")
        XCTAssertEqual(failures, [], "\(failures.count) of \(jobs.count) runs ended wrongly:\n" + failures.prefix(5).joined(separator: "\n"))
    }

    /// Runs one path; nil when it ended as documented, else what went wrong.
    static func check(_ path: Path, run: Int) async throws -> String? {
        let child = try WidashCLI.start(path.arguments)
        if let signal = path.signal {
            try await Task.sleep(for: .milliseconds(Int(path.signalAfter * 1000)))
            child.send(signal)
        }
        let finished: Bool = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: child.waitForExit(timeout: 60)) }
        }
        if !finished { child.killHard() }
        let result = child.result
        let expectSignal = path.signal != nil
        // A signal may arrive after the command already finished its work: then it exits 0.
        let ok = finished && result.killedBySignal == expectSignal && result.exitCode == path.exitCode
            || expectSignal && finished && !result.killedBySignal && result.exitCode == 0
        let messageOK = path.stderrContains.map { result.stderr.contains($0) } ?? true
        let noCrash = !result.stderr.contains("Fatal error") && !result.stderr.contains("Deinited")
        guard ok, messageOK, noCrash else {
            return "\(path.name) #\(run): \(finished ? "" : "hung; ")\(result.summary)"
        }
        return nil
    }
}

/// Busy threads that keep the cores loaded until stopped.
final class CPULoad: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true

    init(threads: Int) {
        for _ in 0..<threads {
            Thread.detachNewThread { [self] in
                var x: UInt64 = 1
                while lock.withLock({ running }) {
                    for _ in 0..<100_000 { x = x &* 6364136223846793005 &+ 1 }
                }
                _ = x
            }
        }
    }

    func stop() { lock.withLock { running = false } }
}
