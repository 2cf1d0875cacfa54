import Foundation

/// What one child process cost: wall time, and peak RSS from the kernel's `ru_maxrss` (wait4).
struct ChildRun {
    var exitStatus: Int32
    var wallSeconds: Double
    var peakRSSBytes: Int
    /// What the child wrote to stdout when it was captured, else empty.
    var stdout: Data
    var stderr: String

    var succeeded: Bool { exitStatus == 0 }
}

/// Runs programs with posix_spawn and reaps them with wait4 (Foundation's Process reaps its children
/// itself and keeps the rusage). stdout goes to /dev/null unless captured; stderr is kept (to
/// explain a failure); stdin may carry a secret (a header with a bearer token), which therefore
/// appears neither in argv nor on disk.
///
/// Peak RSS: Linux carries the high-water mark of the memory a process had before `execve` into
/// its `ru_maxrss`, and posix_spawn's child shares this (large: it serves the sandbox) process's
/// memory until it execs — so a direct child's `ru_maxrss` is at least ours. GNU time, when
/// installed, forks the measured program from its own small process and reports that program's
/// own peak (`%M`); without it the figure is an upper bound, and says so.
enum ChildRunner {
    static let gnuTime = "/usr/bin/time"
    private static let rusageMarker = "widash-bench-rusage"

    static var hasGNUTime: Bool { FileManager.default.isExecutableFile(atPath: gnuTime) }

    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, captureStdout: Bool = false,
                    environment: [String: String]? = nil) throws -> ChildRun {
        guard hasGNUTime else {
            return try spawn(executable, arguments, stdin: stdin, captureStdout: captureStdout, environment: environment)
        }
        var run = try spawn(gnuTime, ["-f", "\n\(rusageMarker) %M", executable] + arguments, stdin: stdin,
                            captureStdout: captureStdout, environment: environment)
        var lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        if let index = lines.lastIndex(where: { $0.hasPrefix(rusageMarker) }) {
            if let kilobytes = lines[index].split(separator: " ").last.flatMap({ Int($0) }) { run.peakRSSBytes = kilobytes * 1024 }
            lines.remove(at: index)
            run.stderr = lines.joined(separator: "\n").trimmingCharacters(in: .newlines)
        }
        // GNU time exits with the program's status (128 + signal for a signal).
        return run
    }

    /// Runs this executable with a hidden measuring subcommand (a fresh process per measurement, so
    /// one run's heap does not colour the next) and decodes the JSON line it prints last.
    static func measurement<T: Decodable>(_ type: T.Type, _ arguments: [String], what: String,
                                          environment: [String: String]? = nil) throws -> (value: T, run: ChildRun) {
        let run = try Self.run(ProcessStats.executablePath, arguments, captureStdout: true, environment: environment)
        guard run.succeeded else { throw BenchError("the \(what) failed (exit \(run.exitStatus)): \(run.stderr.suffix(2000))") }
        guard let line = run.stdout.split(separator: UInt8(ascii: "\n")).last,
              let value = try? JSONDecoder().decode(T.self, from: Data(line)) else {
            throw BenchError("the \(what) printed no result: \(run.stderr.suffix(2000))")
        }
        return (value, run)
    }

    private static func spawn(_ executable: String, _ arguments: [String], stdin: Data?, captureStdout: Bool,
                              environment: [String: String]?) throws -> ChildRun {
        let stdoutPipe = captureStdout ? try Self.pipe() : nil
        let stderrPipe = try Self.pipe()
        let stdinPipe = stdin == nil ? nil : try Self.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdoutPipe {
            posix_spawn_file_actions_adddup2(&actions, stdoutPipe.write, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.write, 2)
        if let stdinPipe {
            posix_spawn_file_actions_adddup2(&actions, stdinPipe.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        for pipe in [stdoutPipe, stderrPipe, stdinPipe].compactMap({ $0 }) {
            posix_spawn_file_actions_addclose(&actions, pipe.read)
            posix_spawn_file_actions_addclose(&actions, pipe.write)
        }
        let argv = ([executable] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") }
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let start = ProcessStats.monotonicSeconds()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv + [nil], env + [nil])
        for pipe in [stdoutPipe, stderrPipe, stdinPipe].compactMap({ $0 }) {
            // The parent keeps the ends it uses: read ends of stdout/stderr, write end of stdin.
            close(pipe === stdinPipe ? pipe.read : pipe.write)
        }
        guard spawned == 0 else {
            [stdoutPipe?.read, stderrPipe.read, stdinPipe?.write].compactMap { $0 }.forEach { close($0) }
            throw BenchError("could not start \(executable): \(String(cString: strerror(spawned))); is it installed?")
        }
        if let stdinPipe, let stdin {
            let writeEnd = stdinPipe.write
            Thread.detachNewThread {
                stdin.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count, let base = raw.baseAddress {
                        let written = write(writeEnd, base + offset, raw.count - offset)
                        if written < 0, errno == EINTR { continue }
                        if written <= 0 { break }
                        offset += written
                    }
                }
                close(writeEnd)
            }
        }
        let output = Collected()
        let errors = Collected()
        let group = DispatchGroup()
        if let stdoutPipe { drain(stdoutPipe.read, into: output, group: group) }
        drain(stderrPipe.read, into: errors, group: group)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("waiting for \(executable) failed: \(String(cString: strerror(errno)))") }
        }
        let wall = ProcessStats.monotonicSeconds() - start
        group.wait()
        // WIFEXITED / WEXITSTATUS by hand (macros are not imported); a signal shows as 128 + signal.
        let exit: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ChildRun(exitStatus: exit, wallSeconds: wall, peakRSSBytes: Int(usage.ru_maxrss) * 1024,
                        stdout: output.data, stderr: String(decoding: errors.data, as: UTF8.self))
    }

    private final class Pipe: @unchecked Sendable {
        let read: Int32, write: Int32
        init(read: Int32, write: Int32) { self.read = read; self.write = write }
    }

    private static func pipe() throws -> Pipe {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw BenchError("pipe failed: \(String(cString: strerror(errno)))") }
        return Pipe(read: fds[0], write: fds[1])
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = Data()
        func append(_ chunk: Data) { lock.withLock { bytes.append(chunk) } }
        var data: Data { lock.withLock { bytes } }
    }

    private static func drain(_ descriptor: Int32, into collected: Collected, group: DispatchGroup) {
        group.enter()
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                collected.append(Data(buffer[0..<count]))
            }
            close(descriptor)
            group.leave()
        }
    }

    /// The absolute path of `name` on PATH, or nil.
    static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
