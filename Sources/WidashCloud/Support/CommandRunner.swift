import Foundation
import Dispatch

/// The result of a finished subprocess.
public struct CommandOutput: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public init(status: Int32, stdout: Data, stderr: Data) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs local helper programs (the Azure CLI). A protocol so tests can script the answers.
public protocol CommandRunner: Sendable {
    /// Runs `executable` (looked up on PATH) with `arguments`; exit status 127 when it is not installed.
    func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> CommandOutput
}

/// Runs programs with Foundation's `Process` via `/usr/bin/env` (PATH lookup as a shell would).
public struct ProcessCommandRunner: CommandRunner {
    public init() {}

    public func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> CommandOutput {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CommandOutput, Error>) in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [executable] + arguments
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: CloudError.command("cannot start \(executable): \(error)"))
                    return
                }
                // A stuck helper (e.g. an interactive login prompt) must not hang the trace.
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
                // Read both pipes before waiting so a full pipe buffer cannot deadlock the child.
                let group = DispatchGroup()
                nonisolated(unsafe) var stderrData = Data()
                group.enter()
                DispatchQueue.global().async {
                    stderrData = err.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                killer.cancel()
                continuation.resume(returning: CommandOutput(status: process.terminationStatus, stdout: stdoutData, stderr: stderrData))
            }
        }
    }
}
