import Foundation

/// Bytes a child writes to one pipe, collected by a reader thread; waiters can block until a
/// newline arrives or the pipe closes.
final class PipeCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var data = Data()
    private var closed = false

    func append(_ chunk: Data) {
        condition.lock()
        data.append(chunk)
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// The first complete line, waiting up to `timeout` seconds; nil when none arrived in time or
    /// the pipe closed first.
    func firstLine(timeout: TimeInterval) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: data[data.startIndex..<newline], as: UTF8.self)
            }
            if closed || !condition.wait(until: deadline) { return nil }
        }
    }

    /// Waits until the writer side closed (the child and everything it started exited).
    func waitClosed(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !closed {
            if !condition.wait(until: deadline) { return closed }
        }
        return true
    }
}

/// What a finished child left behind.
struct ChildResult: Sendable {
    var exitCode: Int32
    /// True when the child ended by a signal (then `exitCode` is the signal number).
    var killedBySignal: Bool
    var stdout: String
    var stderr: String

    /// stderr's non-empty lines.
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init).filter { !$0.isEmpty } }

    /// A compact description for assertion messages.
    var summary: String {
        "exit \(exitCode)\(killedBySignal ? " (signal)" : "")\n--- stdout ---\n\(stdout.prefix(4000))\n--- stderr ---\n\(stderr.prefix(4000))"
    }
}

/// A child process with its stdout and stderr read concurrently (so a chatty child never blocks
/// on a full pipe), which can be waited for with a deadline, signalled, or killed.
final class ChildProcess: @unchecked Sendable {
    let arguments: [String]
    private let process = Process()
    private let stdoutCollector = PipeCollector()
    private let stderrCollector = PipeCollector()
    private let exited = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var hasExited = false

    init(executable: URL, arguments: [String], environment: [String: String]) throws {
        self.arguments = arguments
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        Self.drain(out.fileHandleForReading, into: stdoutCollector)
        Self.drain(err.fileHandleForReading, into: stderrCollector)
    }

    private static func drain(_ handle: FileHandle, into collector: PipeCollector) {
        Thread.detachNewThread {
            // read(2) returns what is there (FileHandle.read(upToCount:) waits for the whole count on a
            // pipe, which would hold back a ready line; availableData traps on a read error).
            let descriptor = handle.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                collector.append(Data(buffer[0..<count]))
            }
            try? handle.close()
            collector.close()
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// The first line the child printed on stdout, waiting up to `timeout` seconds.
    func firstStdoutLine(timeout: TimeInterval) -> String? { stdoutCollector.firstLine(timeout: timeout) }

    /// Sends `signal` to the child (not to anything else).
    func send(_ signal: Int32) {
        if !exitedYet { _ = kill(process.processIdentifier, signal) }
    }

    private var exitedYet: Bool { lock.withLock { hasExited } }

    /// Waits for the child to exit; false when it is still running after `timeout` seconds.
    func waitForExit(timeout: TimeInterval) -> Bool {
        if exitedYet { return true }
        guard exited.wait(timeout: .now() + timeout) == .success else { return false }
        lock.withLock { hasExited = true }
        // The readers end when the pipes close, right after the exit.
        _ = stdoutCollector.waitClosed(timeout: 5)
        _ = stderrCollector.waitClosed(timeout: 5)
        return true
    }

    /// Kills a hung child (SIGKILL) and reaps it.
    func killHard() {
        send(SIGKILL)
        _ = waitForExit(timeout: 10)
    }

    /// Output so far and, once exited, the exit status.
    var result: ChildResult {
        let done = exitedYet
        return ChildResult(exitCode: done ? process.terminationStatus : -1,
                           killedBySignal: done && process.terminationReason == .uncaughtSignal,
                           stdout: stdoutCollector.text, stderr: stderrCollector.text)
    }
}
