import ArgumentParser
import Foundation

/// Time to the first and the complete identities frame, and keystroke-to-frame latency, of the real
/// dashboard against the sandbox's scale scenario (issue "Scale and speed", (b) and (c)).
///
/// One sandbox serves every run. Each run is a fresh child process, alternating between:
/// - `terminal`: the real `widash` binary in a pseudo-terminal with `WIDASH_FRAME_LOG`; start-up
///   times come from its frame log, keystroke latency is from writing a key's bytes to the
///   terminal until the frame showing it is flushed;
/// - `in-process`: `update` + rendering the full screen into a `ScreenBuffer` for the same keys
///   on the same inventory (loaded through the real client), i.e. widash's own share of a key.
struct FramesBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "Dashboard time to first/complete frame and keystroke-to-frame latency at scale.")

    @OptionGroup var scale: ScaleOptions
    @Option(help: "Runs per measurement (alternating; medians are reported).")
    var runs = 3
    @Option(help: "Terminal width.")
    var width = 160
    @Option(help: "Terminal height.")
    var height = 50
    @Option(help: "The widash executable (default: the one next to this executable).")
    var widash: String?
    @Option(help: "Seconds allowed for one terminal run.")
    var timeout = 120.0
    @Flag(help: "Only the in-process measurement (no terminal, no widash binary).")
    var inProcessOnly = false
    @Flag(help: "Only the real binary in a terminal.")
    var terminalOnly = false

    func validate() throws {
        guard !(inProcessOnly && terminalOnly) else { throw ValidationError("--in-process-only and --terminal-only exclude each other") }
        guard runs > 0, width >= 40, height >= 10 else { throw ValidationError("need --runs ≥ 1 and a terminal of at least 40×10") }
    }

    func run() async throws {
        let binary = widash ?? (ProcessStats.executablePath as NSString).deletingLastPathComponent + "/widash"
        if !inProcessOnly && !FileManager.default.isExecutableFile(atPath: binary) {
            throw BenchError("the widash executable is missing at \(binary): build it (`swift build -c release --product widash`) or pass --widash PATH")
        }
        print(MachineDescription.text)
        let sandbox = try await ScaleSandbox.start(scale)
        do {
            // The runs block while they wait for children: on a thread of their own, not the
            // cooperative pool the sandbox serves from.
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
                Thread { done.resume(with: Result { try measure(sandbox: sandbox, binary: binary) }) }.start()
            }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    private func measure(sandbox: ScaleSandbox, binary: String) throws {
        print("terminal \(width)×\(height), \(runs) runs")
        var terminal: [FramesTerminalResult] = []
        var inProcess: [FramesInProcess.Result] = []
        for run in 0..<runs {
            let kinds = inProcessOnly ? ["in-process"] : terminalOnly ? ["terminal"] : ["terminal", "in-process"]
            for kind in run % 2 == 0 ? kinds : kinds.reversed() {
                if kind == "terminal" {
                    let result = try FramesTerminal.run(widash: binary, kubeconfig: sandbox.kubeconfig, width: width, height: height,
                                                        keys: FrameScript.keystrokes(), timeout: timeout)
                    print("  run \(run + 1) terminal: first rows \(Format.seconds(result.firstRowsSeconds)), "
                          + "complete \(Format.seconds(result.completeSeconds)), complete frame seen: \(result.sawCompleteFrame ? "yes" : "no"), "
                          + "keys framed \(result.framedKeys)/\(result.sentKeys), exit \(result.exitCode)")
                    terminal.append(result)
                } else {
                    let result = try Self.runChild(kubeconfig: sandbox.kubeconfig, width: width, height: height)
                    print("  run \(run + 1) in-process: inventory update \(Format.seconds(result.inventoryUpdateSeconds)), "
                          + "\(result.identities) identities, \(result.pods) pods")
                    inProcess.append(result)
                }
            }
        }
        print()
        print(FramesReport.table(terminal: terminal, inProcess: inProcess))
        try FramesReport.check(terminal: terminal)
    }

    /// One in-process measurement in a fresh child process.
    static func runChild(kubeconfig: String, width: Int, height: Int) throws -> FramesInProcess.Result {
        try ChildRunner.measurement(FramesInProcess.Result.self, [
            "measure-frames", "--kubeconfig", kubeconfig, "--width", String(width), "--height", String(height),
        ], what: "in-process measurement").value
    }
}

/// The child side of `frames`: loads the inventory through the real client and replays the keys
/// in-process; prints one JSON line.
struct MeasureFrames: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "measure-frames", shouldDisplay: false)

    @Option var kubeconfig: String
    @Option var width = 160
    @Option var height = 50

    func run() async throws {
        let inventory = try await FramesInventoryLoader.load(kubeconfig: kubeconfig)
        // Once to warm up (first-use costs of the code paths), then the measured replay.
        _ = FramesInProcess.measure(inventory: inventory, keys: FrameScript.keystrokes(), width: width, height: height)
        let result = FramesInProcess.measure(inventory: inventory, keys: FrameScript.keystrokes(), width: width, height: height)
        print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
    }
}
