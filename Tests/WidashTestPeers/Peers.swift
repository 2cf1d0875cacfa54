import Foundation
import XCTest

/// The real peers that judge widash in the tests (kubectl, the Python peers, tmux, curl, the
/// public reference data), found in one place with one policy: a missing judge is a skip with a
/// printed reason on a developer's machine, and a failure naming the judge under `CI=true`
/// (`.ci/run` sets it), so CI can never pass because a judge silently stopped judging.
public enum Peers {
    /// True when missing judges fail instead of skip.
    public static var strict: Bool {
        ProcessInfo.processInfo.environment["CI"]?.lowercased() == "true"
    }

    /// The error a test throws when `judge` is missing: `XCTSkip` normally, a failure under CI.
    public static func missing(_ judge: String, fix: String) -> any Error {
        let reason = "\(judge) is missing: \(fix)"
        print("\(strict ? "FAIL" : "SKIP"): \(reason)")
        return strict ? MissingJudge(reason: reason) : XCTSkip(reason)
    }

    /// Real kubectl: `$KUBECTL`, else the first `kubectl` on PATH, else /usr/bin/kubectl.
    public static func kubectl() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["KUBECTL"]].compactMap { $0 } + searchPath("kubectl") + ["/usr/bin/kubectl"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw missing("kubectl", fix: "install kubectl ≥ 1.24 on PATH or set KUBECTL (see install-deps.sh)")
        }
        return path
    }

    /// A Python interpreter that can import every module of `modules`: `$WIDASH_PYTHON` (the
    /// venv install-deps.sh makes), else `python3` on PATH.
    public static func python(importing modules: [String]) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let configured = environment["WIDASH_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        let candidates = (configured.map { $0.contains("/") ? [$0] : searchPath($0) } ?? []) + searchPath("python3")
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if run(candidate, ["-c", modules.map { "import \($0)" }.joined(separator: "; ")]) == 0 { return candidate }
        }
        throw missing("a Python with \(modules.joined(separator: ", "))",
                      fix: "run ./install-deps.sh and set WIDASH_PYTHON=$PWD/.venv/bin/python (tried \(candidates.joined(separator: ", ")))")
    }

    /// tmux, for the dashboard's end-to-end tests.
    public static func tmux() throws -> String {
        guard let path = (searchPath("tmux") + ["/usr/bin/tmux"]).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw missing("tmux", fix: "apt-get install tmux (install-deps.sh does)")
        }
        return path
    }

    /// curl, a second HTTP client next to widash's.
    public static func curl() throws -> String {
        guard let path = (searchPath("curl") + ["/usr/bin/curl"]).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw missing("curl", fix: "apt-get install curl")
        }
        return path
    }

    /// A folder of the public reference data (`../shared/reference` beside the repository, or
    /// `$WIDASH_REFERENCE`), e.g. `reference("aws-sigv4")`.
    public static func reference(_ sub: String) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let root = environment["WIDASH_REFERENCE"].map { URL(fileURLWithPath: $0) }
            ?? repository.deletingLastPathComponent().appendingPathComponent("shared/reference")
        let url = root.appendingPathComponent(sub)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw missing("the reference data \(url.path)", fix: "check out shared/reference beside the repository or set WIDASH_REFERENCE")
        }
        return url
    }

    static func searchPath(_ name: String) -> [String] {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
    }

    /// Runs a short probe; its exit status, or -1 when it could not run or took over 20 s.
    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            return -1
        }
        return process.terminationStatus
    }
}

/// A judge missing under `CI=true`: thrown from a test, XCTest records it as a failure.
public struct MissingJudge: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "missing judge under CI=true: \(reason)" }
}
