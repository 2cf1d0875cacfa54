import Foundation
import Logging
import Synchronization
import WidashHTTP
@testable import WidashService
import XCTest

/// Every call a session makes is logged when it ends: method, URL with credential-like query
/// values replaced, status, duration and the server's request id; failures and watch streams too;
/// never headers or bodies.
final class LoggedTransportTests: XCTestCase {
    func testCallsAreLoggedWithTheirRequestIDAndNoCredentials() async throws {
        let lines = Lines()
        var logger = Logger(label: "t") { _ in LineHandler(lines: lines) }
        logger.logLevel = .debug
        let transport = LoggedTransport(base: Answering(), logger: logger)
        let secret = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl"
        _ = try await transport.send(HTTPRequest(method: "POST", url: "https://login.microsoftonline.com/t/oauth2/v2.0/token",
                                                 headers: [("Authorization", "Bearer \(secret)")], body: Data("client_assertion=\(secret)".utf8)))
        _ = try await transport.send(HTTPRequest(url: "https://s3.amazonaws.com/b?X-Amz-Signature=abc123&prefix=logs"))
        await XCTAssertThrowsErrorAsync(try await transport.send(HTTPRequest(url: "https://unreachable.example/x")))
        for try await _ in transport.stream(HTTPRequest(url: "https://api/api/v1/pods?watch=1")) {}

        let logged = lines.all.withLock { $0 }
        XCTAssertTrue(logged.contains { $0.hasPrefix("POST https://login.microsoftonline.com/t/oauth2/v2.0/token → 400") && $0.contains("x-ms-request-id=req-1") && $0.contains("ms=") }, "\(logged)")
        XCTAssertTrue(logged.contains { $0.contains("X-Amz-Signature=redacted") && $0.contains("prefix=logs") && !$0.contains("abc123") }, "\(logged)")
        XCTAssertTrue(logged.contains { $0.hasPrefix("GET https://unreachable.example/x failed: cannot resolve host") }, "\(logged)")
        XCTAssertTrue(logged.contains { $0.contains("watch=1 → 200 (stream opened)") && $0.contains("audit-id=a-1") }, "\(logged)")
        XCTAssertTrue(logged.contains { $0.contains("watch=1 stream ended") }, "\(logged)")
        for line in logged {
            XCTAssertFalse(line.contains(secret) || line.contains("Bearer") || line.contains("client_assertion"), line)
        }
    }
}

private final class Lines: Sendable {
    let all = Mutex<[String]>([])
}

private struct LineHandler: LogHandler {
    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let meta = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.all.withLock { $0.append("\(event.message) \(meta)") }
    }
}

private struct Answering: HTTPTransport {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.url.contains("unreachable") { throw HTTPError.dnsFailure(host: "unreachable.example", detail: "no such host") }
        return HTTPResponse(status: request.method == "POST" ? 400 : 200, headers: ["x-ms-request-id": "req-1"],
                            body: Data(#"{"error":"invalid_client"}"#.utf8))
    }
    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        AsyncThrowingStream { c in
            c.yield(.head(status: 200, headers: ["audit-id": "a-1"]))
            c.yield(.body(Data("{}\n".utf8)))
            c.finish()
        }
    }
}

func XCTAssertThrowsErrorAsync<T>(_ expression: @autoclosure () async throws -> T, file: StaticString = #filePath, line: UInt = #line) async {
    do {
        _ = try await expression()
        XCTFail("no error thrown", file: file, line: line)
    } catch {}
}
