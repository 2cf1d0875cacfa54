import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of running a child process to completion.
struct ProcessOutput: Sendable {
    var exitCode: Int32
    var stdout: Data
    var stderr: Data
    var timedOut: Bool
}

enum ProcessRunError: Error {
    case notFound
    case spawnFailed(String)
}

/// Runs a command in its own process group with stdin on /dev/null, collecting stdout and stderr.
/// On timeout or cancellation the whole group is killed, so a plugin's own children (a `sleep`, a
/// browser helper) cannot keep the pipes open and hang us.
enum ProcessRunner {
    /// Finds `command` the way a shell does: as a path when it contains '/', else along `PATH`.
    static func locate(_ command: String, path: String?) -> String? {
        if command.contains("/") {
            return access(command, X_OK) == 0 ? command : nil
        }
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(command)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    static func run(executable: String, arguments: [String], environment: [String: String],
                    timeout: Duration, maxOutputBytes: Int = 4 << 20) async throws -> ProcessOutput {
        let stdoutPipe = try makePipe()
        let stderrPipe = try makePipe()
        let pid: pid_t
        do {
            pid = try spawn(executable: executable, arguments: arguments, environment: environment,
                            stdout: stdoutPipe.write, stderr: stderrPipe.write)
        } catch {
            [stdoutPipe.read, stdoutPipe.write, stderrPipe.read, stderrPipe.write].forEach { _ = close($0) }
            throw error
        }
        _ = close(stdoutPipe.write)
        _ = close(stderrPipe.write)

        let state = ChildState(pid: pid)
        let timer = Task {
            do { try await Task.sleep(for: timeout) } catch { return }
            state.timedOut.withLock { $0 = true }
            state.killGroup()
        }

        let output: ProcessOutput = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ProcessOutput, Never>) in
                // Blocking reads and waitpid run on their own threads, never on the cooperative pool.
                Thread.detachNewThread {
                    let data = readAll(stderrPipe.read, limit: maxOutputBytes)
                    state.stderr.withLock { $0 = data }
                    state.stderrDone.signal()
                }
                Thread.detachNewThread {
                    let stdout = readAll(stdoutPipe.read, limit: maxOutputBytes)
                    state.stderrDone.wait()
                    let code = waitForExit(pid)
                    state.finished.withLock { $0 = true }
                    timer.cancel()
                    _ = close(stdoutPipe.read)
                    _ = close(stderrPipe.read)
                    continuation.resume(returning: ProcessOutput(
                        exitCode: code, stdout: stdout, stderr: state.stderr.withLock { $0 },
                        timedOut: state.timedOut.withLock { $0 }))
                }
            }
        } onCancel: {
            state.killGroup()
        }
        try Task.checkCancellation()
        return output
    }

    /// Shared between the timer, the reader threads and the cancellation handler.
    private final class ChildState: Sendable {
        let pid: pid_t
        let timedOut = Mutex(false)
        let finished = Mutex(false)
        let stderr = Mutex(Data())
        let stderrDone = DispatchSemaphore(value: 0)
        init(pid: pid_t) { self.pid = pid }

        /// Kills the whole process group, unless the child was already reaped (its pid may be reused).
        func killGroup() {
            finished.withLock { done in
                if !done { _ = kill(-pid, SIGKILL) }
            }
        }
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ProcessRunError.spawnFailed(String(cString: strerror(errno))) }
        return (fds[0], fds[1])
    }

    private static func spawn(executable: String, arguments: [String], environment: [String: String],
                              stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (so a timeout can kill the plugin's children too), default signal mask.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let argvList: [UnsafeMutablePointer<CChar>?] = argv + [nil]
        let envList: [UnsafeMutablePointer<CChar>?] = envp + [nil]
        let result = posix_spawn(&pid, executable, &actions, &attributes, argvList, envList)
        guard result == 0 else {
            if result == ENOENT { throw ProcessRunError.notFound }
            throw ProcessRunError.spawnFailed(String(cString: strerror(result)))
        }
        return pid
    }

    private static func readAll(_ fd: Int32, limit: Int) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            // Keep draining past the limit so the child never blocks on a full pipe.
            if data.count < limit { data.append(contentsOf: buffer[0..<min(count, limit - data.count)]) }
        }
        return data
    }

    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
