import Foundation
import WidashTestPeers
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

func requireReference(_ sub: String) throws -> URL {
    try Peers.reference(sub)
}

/// Runs Python (WIDASH_PYTHON, default python3) with `script`, feeding `input` on stdin.
/// A missing interpreter or module is a missing judge (`Peers`).
func runPython(_ script: String, input: Data, requiredModules: [String]) throws -> Data {
    let python = try Peers.python(importing: requiredModules)
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
