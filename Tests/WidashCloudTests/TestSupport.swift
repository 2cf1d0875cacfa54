import Foundation
import XCTest
import WidashHTTP

/// A transport that answers from a script and records what was sent.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [HTTPRequest] = []
    private let handler: @Sendable (HTTPRequest) async throws -> HTTPResponse

    init(_ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) { self.handler = handler }

    var requests: [HTTPRequest] { lock.lock(); defer { lock.unlock() }; return sent }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        record(request)
        return try await handler(request)
    }

    private func record(_ request: HTTPRequest) { lock.withLock { sent.append(request) } }

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        AsyncThrowingStream { $0.finish(throwing: HTTPError.invalidURL(request.url)) }
    }
}

func json(_ status: Int, _ text: String) -> HTTPResponse {
    HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Data(text.utf8))
}

func xml(_ status: Int, _ text: String) -> HTTPResponse {
    HTTPResponse(status: status, headers: ["content-type": "text/xml"], body: Data(text.utf8))
}

/// `../shared/reference` next to the repository (or WIDASH_REFERENCE); nil when absent.
func referenceDirectory() -> URL? {
    if let env = ProcessInfo.processInfo.environment["WIDASH_REFERENCE"] { return URL(fileURLWithPath: env) }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dir = repo.deletingLastPathComponent().appendingPathComponent("shared/reference")
    return FileManager.default.fileExists(atPath: dir.path) ? dir : nil
}

func requireReference(_ sub: String) throws -> URL {
    guard let dir = referenceDirectory() else {
        print("SKIP: reference data not found (../shared/reference or WIDASH_REFERENCE)")
        throw XCTSkip("reference data not found (../shared/reference or WIDASH_REFERENCE)")
    }
    let url = dir.appendingPathComponent(sub)
    guard FileManager.default.fileExists(atPath: url.path) else {
        print("SKIP: \(url.path) is absent")
        throw XCTSkip("\(url.path) is absent")
    }
    return url
}

/// Runs Python (WIDASH_PYTHON, default python3) with `script`, feeding `input` on stdin.
/// Skips with a printed reason when the interpreter or a module is missing.
func runPython(_ script: String, input: Data, requiredModules: [String]) throws -> Data {
    let python = ProcessInfo.processInfo.environment["WIDASH_PYTHON"] ?? "python3"
    let check = try runProcess(python, ["-c", requiredModules.map { "import \($0)" }.joined(separator: "; ")], input: Data())
    guard check.status == 0 else {
        let reason = "\(python) lacks \(requiredModules.joined(separator: ", ")): \(String(decoding: check.stderr.suffix(200), as: UTF8.self))"
        print("SKIP: \(reason)")
        throw XCTSkip(reason)
    }
    let result = try runProcess(python, ["-c", script], input: input)
    guard result.status == 0 else {
        XCTFail("python failed: \(String(decoding: result.stderr, as: UTF8.self))")
        return Data()
    }
    return result.stdout
}

func runProcess(_ executable: String, _ args: [String], input: Data) throws -> (status: Int32, stdout: Data, stderr: Data) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [executable] + args
    let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
    p.standardInput = inPipe
    p.standardOutput = outPipe
    p.standardError = errPipe
    try p.run()
    inPipe.fileHandleForWriting.write(input)
    try inPipe.fileHandleForWriting.close()
    let errBox = DataBox()
    let t = Thread { errBox.data = errPipe.fileHandleForReading.readDataToEndOfFile() }
    t.start()
    let out = outPipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    while !errBox.done { usleep(1000) }
    return (p.terminationStatus, out, errBox.data)
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _data = Data()
    private var _done = false
    var data: Data {
        get { lock.lock(); defer { lock.unlock() }; return _data }
        set { lock.lock(); _data = newValue; _done = true; lock.unlock() }
    }
    var done: Bool { lock.lock(); defer { lock.unlock() }; return _done }
}
