import ArgumentParser

/// Time to the first and the complete identities frame, and keystroke-to-frame latency, of the real
/// dashboard against the sandbox's scale scenario (issue "Scale and speed", (b) and (c)).
struct FramesBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames", abstract: "Dashboard time to first/complete frame and keystroke latency (not written yet).")

    func run() throws {
        throw BenchError("the frames benchmark is not written yet")
    }
}

/// The child side of `frames`.
struct MeasureFrames: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "measure-frames", shouldDisplay: false)
}
