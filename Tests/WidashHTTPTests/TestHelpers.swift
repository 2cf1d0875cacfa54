import Foundation
import WidashHTTP
import XCTest

extension HTTPError {
    /// The case name, so tests can compare kinds and print the full message on mismatch.
    var kind: String {
        switch self {
        case .invalidURL: return "invalidURL"
        case .dnsFailure: return "dnsFailure"
        case .connectionRefused: return "connectionRefused"
        case .timeout: return "timeout"
        case .tlsUnknownCA: return "tlsUnknownCA"
        case .tlsHostnameMismatch: return "tlsHostnameMismatch"
        case .tlsCertificateExpired: return "tlsCertificateExpired"
        case .tlsClientCertificateRejected: return "tlsClientCertificateRejected"
        case .tls: return "tls"
        case .tooManyRedirects: return "tooManyRedirects"
        case .bodyTooLarge: return "bodyTooLarge"
        case .cancelled: return "cancelled"
        case .proxy: return "proxy"
        case .other: return "other"
        }
    }
}

/// Runs `operation`, expecting it to throw an `HTTPError` of the given kind whose message is one line.
@discardableResult
func assertHTTPError<T>(_ kind: String, file: StaticString = #filePath, line: UInt = #line,
                        _ operation: () async throws -> T) async -> HTTPError? {
    do {
        let value = try await operation()
        XCTFail("expected HTTPError.\(kind), got a result: \(value)", file: file, line: line)
        return nil
    } catch let error as HTTPError {
        XCTAssertEqual(error.kind, kind, "message: \(error.description)", file: file, line: line)
        if ProcessInfo.processInfo.environment["WIDASH_TEST_SHOW_ERRORS"] != nil { print("[\(kind)] \(error.description)") }
        XCTAssertFalse(error.description.contains("\n"), "message is not one line: \(error.description)",
                       file: file, line: line)
        return error
    } catch {
        XCTFail("expected HTTPError.\(kind), got \(error)", file: file, line: line)
        return nil
    }
}

/// A transport that ignores the machine's proxy variables unless a test passes some.
func makeTransport(_ options: HTTPClientOptions = HTTPClientOptions(),
                   environment: [String: String] = [:]) -> CurlTransport {
    CurlTransport(options: options, environment: environment)
}

func decodeEcho(_ response: HTTPResponse, file: StaticString = #filePath, line: UInt = #line) throws -> EchoReply {
    XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self), file: file, line: line)
    return try JSONDecoder().decode(EchoReply.self, from: response.body)
}

/// Short timeouts so failing cases end in seconds.
let quickTimeouts = HTTPTimeouts(connect: .seconds(5), total: .seconds(15), lowSpeedBytes: 1, lowSpeedTime: .seconds(10))
