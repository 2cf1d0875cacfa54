import Foundation
import XCTest

/// Why a child could not be run to the end.
struct ChildProcessFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs the real `widash` binary as a subprocess.
enum WidashCLI {
    /// The package root, from this file's path (`<root>/Tests/EndToEndTests/Support/WidashCLI.swift`).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `WIDASH_BINARY`, else `<package root>/.build/debug/widash`, else a `widash` beside the test bundle.
    static func binary() throws -> URL { try product("widash", variable: "WIDASH_BINARY") }

    /// The benchmark executable, found like `binary()` (`WIDASH_BENCH_BINARY`).
    static func benchBinary() throws -> URL { try product("widash-bench", variable: "WIDASH_BENCH_BINARY") }

    private static func product(_ name: String, variable: String) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment[variable], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ChildProcessFailure(description: "\(variable)=\(path) is not an executable file: build it with `swift build --product \(name)` or unset \(variable)")
            }
            return URL(fileURLWithPath: path)
        }
        let inPackage = packageRoot.appendingPathComponent(".build/debug/\(name)")
        if FileManager.default.isExecutableFile(atPath: inPackage.path) { return inPackage }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
            .deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        throw ChildProcessFailure(description: "the \(name) binary is missing (looked for \(inPackage.path)): run `swift build` (or `swift build --product \(name)`) first, or set \(variable)")
    }

    /// A private HOME for every child, so no user kubeconfig, config file or cloud profile leaks in.
    static let home: String = {
        let path = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("widash-e2e-home")  // widash writes nothing there (SecretsEndToEndTests checks)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// The test's environment without anything that would point widash elsewhere (kubeconfig,
    /// proxies, cloud credentials), with a private HOME and a wide terminal for tables.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        let dropped = ["KUBECONFIG", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"]
        var env = ProcessInfo.processInfo.environment.filter { key, _ in
            !dropped.contains(key) && !key.hasPrefix("AWS_") && !key.hasPrefix("AZURE_") && !key.hasPrefix("GOOGLE_")
                && !key.hasPrefix("XDG_CONFIG")
        }
        env["HOME"] = home
        env["NO_PROXY"] = "127.0.0.1,localhost"
        env["COLUMNS"] = "200"
        for (key, value) in extra { env[key] = value }
        return env
    }

    /// Starts widash with `arguments` (for children that keep running, e.g. `sandbox serve`).
    static func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(executable: try binary(), arguments: arguments, environment: environment(extra))
    }

    /// Runs widash to completion. A child still running after `timeout` seconds is killed and the
    /// test fails (the error names the command and shows its output so far).
    static func run(_ arguments: [String], environment extra: [String: String] = [:], timeout: TimeInterval = 60,
                    file: StaticString = #filePath, line: UInt = #line) async throws -> ChildResult {
        try await runProgram(try binary(), arguments, environment: environment(extra), timeout: timeout, file: file, line: line)
    }

    /// Runs any program to completion with the same kill-on-timeout rule.
    static func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String], timeout: TimeInterval = 60,
                           file: StaticString = #filePath, line: UInt = #line) async throws -> ChildResult {
        let (result, finished) = try await runOrKill(executable, arguments, environment: environment, timeout: timeout)
        if !finished {
            let message = "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s and was killed; \(result.summary)"
            XCTFail(message, file: file, line: line)
            throw ChildProcessFailure(description: message)
        }
        return result
    }

    /// Runs a program; when it is still running after `timeout` seconds it is killed (SIGKILL) and
    /// `finished` is false.
    static func runOrKill(_ executable: URL, _ arguments: [String], environment: [String: String],
                          timeout: TimeInterval) async throws -> (result: ChildResult, finished: Bool) {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment)
        let finished: Bool = await withCheckedContinuation { continuation in
            // The wait blocks a thread, so it must not run on the cooperative pool.
            DispatchQueue.global().async { continuation.resume(returning: child.waitForExit(timeout: timeout)) }
        }
        if !finished { child.killHard() }
        return (child.result, finished)
    }

    /// Runs `items` through `body`, at most `limit` at a time, and returns the results in order.
    static func concurrentMap<Item: Sendable, Output: Sendable>(
        _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async throws -> Output
    ) async throws -> [Output] {
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var results = [Output?](repeating: nil, count: items.count)
            var next = 0
            func addNext() {
                guard next < items.count else { return }
                let index = next, item = items[index]
                next += 1
                group.addTask { (index, try await body(item)) }
            }
            for _ in 0..<max(1, limit) { addNext() }
            while let (index, output) = try await group.next() {
                results[index] = output
                addNext()
            }
            return results.compactMap { $0 }
        }
    }
}

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String) throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("widash-e2e-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func write(_ text: String, to name: String) throws -> String {
        let target = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Parses a JSON document printed by widash into a dictionary, failing the test when it is not one.
func decodeJSONObject(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try XCTUnwrap(value as? [String: Any], "expected a JSON object, got: \(text.prefix(500))", file: file, line: line)
}
