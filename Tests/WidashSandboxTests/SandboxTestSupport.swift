import Foundation
import WidashSandbox
import WidashTestPeers
import XCTest

/// Output of a finished child process.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Collects a pipe's bytes from a background handler (thread-safe), for processes that keep running.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) { lock.withLock { data.append(chunk) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}

enum TestProcess {
    /// Runs a program to completion (killed after `timeout` seconds) and returns its output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    stdin: Data? = nil, timeout: TimeInterval = 30) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        let outText = OutputCollector(), errText = OutputCollector()
        try process.run()
        // Each pipe is read to its end on its own thread, and the result is taken only once both
        // ended: a readability handler still running when it was removed could append its chunk
        // (curl's `-w` line, say) after the result was taken, which lost output on a busy machine.
        let drained = DispatchGroup()
        for (pipe, collector) in [(out, outText), (err, errText)] {
            drained.enter()
            DispatchQueue.global().async {
                collector.append(pipe.fileHandleForReading.readDataToEndOfFile())
                drained.leave()
            }
        }
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        // A descendant that kept the pipes open is not waited for long.
        _ = drained.wait(timeout: .now() + 5)
        return ProcessResult(status: process.terminationStatus, stdout: outText.text, stderr: errText.text)
    }

    /// Polls `condition` every 20 ms for up to `timeout` seconds.
    static func waitUntil(timeout: TimeInterval = 10, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }
}

/// A sandbox started in-process on port 0 with its files in a temporary directory.
struct SandboxFixture {
    let server: SandboxServer
    let directory: String

    var kubeconfig: String { server.info.kubeconfig ?? "" }
    var caFile: String { server.info.caFile ?? "" }

    static func start(scenario: SandboxOptions.Scenario = .demo, faults: FaultSpec? = nil) async throws -> SandboxFixture {
        let directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("widash-sandbox-test-\(UUID().uuidString)")
        let options = SandboxOptions(scenario: scenario, isStatic: true, faults: faults, outputDirectory: directory)
        return SandboxFixture(server: try await SandboxServer.start(options), directory: directory)
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs real kubectl against this sandbox (own discovery cache, no user config).
    func kubectl(_ arguments: [String], context: String? = nil, timeout: TimeInterval = 30) throws -> ProcessResult {
        let kubectl = try Peers.kubectl()
        var args = ["--kubeconfig", kubeconfig, "--cache-dir", (directory as NSString).appendingPathComponent("kube-cache")]
        if let context { args += ["--context", context] }
        return try TestProcess.run(kubectl, args + arguments, environment: ["HOME": directory, "PATH": "/usr/bin:/bin"],
                                   timeout: timeout)
    }

    /// curl against the sandbox trusting its CA; `-sS` plus the given arguments.
    func curl(_ arguments: [String], timeout: TimeInterval = 30) throws -> ProcessResult {
        return try TestProcess.run(try Peers.curl(), ["-sS", "--cacert", caFile] + arguments,
                                   environment: ["PATH": "/usr/bin:/bin"], timeout: timeout)
    }

    /// The admin bearer token, read back from the kubeconfig the sandbox wrote.
    var adminToken: String {
        let text = (try? String(contentsOfFile: kubeconfig, encoding: .utf8)) ?? ""
        let tokens = text.split(separator: "\n").filter { $0.contains("token:") }
        return tokens.first.map { $0.split(separator: "\"")[1] }.map(String.init) ?? ""
    }
}

enum TestPython {
    /// The Python interpreter (WIDASH_PYTHON, else python3), if it has `module`.
    static func require(module: String) throws -> String {
        try Peers.python(importing: [module])
    }

    static func run(_ python: String, script: String, arguments: [String] = []) throws -> ProcessResult {
        let executable = python.hasPrefix("/") ? python : "/usr/bin/env"
        let prefix = python.hasPrefix("/") ? [] : [python]
        return try TestProcess.run(executable, prefix + ["-c", script] + arguments)
    }
}

/// Decodes a JWT's claims without verifying it (the tests verify with an independent library).
func jwtClaims(_ token: String) -> [String: Any]? {
    let parts = token.split(separator: ".")
    guard parts.count == 3 else { return nil }
    var base64 = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let data = Data(base64Encoded: base64) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

func jsonObject(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}
