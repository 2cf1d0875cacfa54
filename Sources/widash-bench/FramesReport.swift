import Foundation

/// The `frames` table: medians over runs of start-up times and per-category keystroke percentiles,
/// next to the targets.
enum FramesReport {
    static let firstRowsTarget = 0.5
    static let completeTarget = 1.5
    static let keyP99Target = 0.010

    static func table(terminal: [FramesTerminalResult], inProcess: [FramesInProcess.Result]) -> String {
        var table = BenchTable(["measurement", "p50 / median", "p99", "target", "met"])
        if !terminal.isEmpty {
            let first = Format.median(terminal.map(\.firstRowsSeconds))
            let complete = Format.median(terminal.map(\.completeSeconds))
            table.add(["(b) start → first identity rows", Format.seconds(first), "-", "≤ 0.5 s", met(first <= firstRowsTarget)])
            table.add(["(b) start → complete frame", Format.seconds(complete), "-", "≤ 1.5 s", met(complete <= completeTarget)])
            // Read just before `:q`, after the whole script (the dashboard's high-water mark).
            let peak = Format.median(terminal.map { Double($0.peakRSSBytes) })
            table.add(["    the dashboard's peak RSS (VmHWM)", Format.bytes(Int(peak)), "-", "", ""])
            for category in FrameScript.categories {
                let runs = terminal.compactMap { $0.keySeconds[category] }.filter { !$0.isEmpty }
                guard !runs.isEmpty else { continue }
                let p50 = Format.median(runs.map { Percentile.of($0, 50) })
                let p99 = Format.median(runs.map { Percentile.of($0, 99) })
                table.add(["(c) key → frame, \(category) (\(runs[0].count) keys)", milliseconds(p50), milliseconds(p99), "p99 ≤ 10 ms",
                           met(p99 <= keyP99Target)])
            }
            for category in FrameScript.categories {
                let runs = terminal.compactMap { $0.keyInsideSeconds[category] }.filter { !$0.isEmpty }
                guard !runs.isEmpty else { continue }
                table.add(["    key read → frame flushed inside widash, \(category)", milliseconds(Format.median(runs.map { Percentile.of($0, 50) })),
                           milliseconds(Format.median(runs.map { Percentile.of($0, 99) })), "", ""])
            }
        }
        if !inProcess.isEmpty {
            for category in FrameScript.categories {
                let runs = inProcess.compactMap { $0.seconds[category] }.filter { !$0.isEmpty }
                guard !runs.isEmpty else { continue }
                let p50 = Format.median(runs.map { Percentile.of($0, 50) })
                let p99 = Format.median(runs.map { Percentile.of($0, 99) })
                table.add(["    update + render in-process, \(category)", milliseconds(p50), milliseconds(p99), "", ""])
            }
            let apply = Format.median(inProcess.map(\.inventoryUpdateSeconds))
            table.add(["    inventory update + render in-process", Format.seconds(apply), "-", "", ""])
        }
        return table.render()
    }

    /// Fails the run when the dashboard did not finish, did not exit 0, or a key got no frame.
    static func check(terminal: [FramesTerminalResult]) throws {
        for (index, run) in terminal.enumerated() {
            guard run.exitCode == 0 else { throw BenchError("terminal run \(index + 1): widash exited with \(run.exitCode), expected 0 after :q") }
            guard run.sawCompleteFrame else { throw BenchError("terminal run \(index + 1): the frame log never showed a complete frame") }
            guard run.framedKeys == run.sentKeys else {
                throw BenchError("terminal run \(index + 1): \(run.framedKeys) of \(run.sentKeys) keys got a frame")
            }
        }
        if !terminal.isEmpty {
            print("\nconsistency: ok: \(terminal.count) terminal runs each reached a complete frame, every key got a frame, widash exited 0")
        }
    }

    static func milliseconds(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }

    static func met(_ ok: Bool) -> String { ok ? "yes" : "NO" }
}
