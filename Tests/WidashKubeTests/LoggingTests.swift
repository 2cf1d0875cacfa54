import Foundation
import Logging
import Synchronization
import WidashHTTP
import XCTest
@testable import WidashKube

/// Collects log lines in memory.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var handler: @Sendable (String) -> any LogHandler {
        { label in CapturingHandler(label: label, sink: self) }
    }

    struct CapturingHandler: LogHandler {
        let label: String
        let sink: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            sink.lines.withLock { $0.append("\(label) \(event.level) \(event.message)") }
        }
    }
}

final class LoggingTests: XCTestCase {
    /// The client logs its retries (each call is logged by the session's transport: see
    /// WidashServiceTests.LoggedTransportTests); no line carries a credential or a token.
    func testRetriesAreLoggedWithoutSecrets() async throws {
        let log = CapturedLog()
        let secret = "super-secret-bearer-token-value"
        let transport = FakeTransport { request, index in
            if pathOf(request).hasSuffix("/token") {
                return json(#"{"status":{"token":"minted-secret-token-value","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#, status: 201)
            }
            return index == 0 ? json(statusJSON(code: 503, reason: "ServiceUnavailable", message: "busy"), status: 503, headers: ["retry-after": "0"])
                : json(listJSON([]))
        }
        let client = makeClient(transport, auth: .token(secret)) { options in
            options.logger = Logger(label: "widash.kube", factory: log.handler)
            options.logger.logLevel = .trace
            options.sleep = { _ in }
        }
        _ = try await client.pods(namespace: "shop")
        let issued = try await client.requestToken(namespace: "shop", serviceAccount: "front", audiences: ["x"])
        XCTAssertEqual(issued.token, "minted-secret-token-value")
        let lines = log.lines.withLock { $0 }
        XCTAssertTrue(lines.contains { $0.contains("GET /api/v1/namespaces/shop/pods?limit=500: 503, retrying") }, "\(lines)")
        for line in lines {
            XCTAssertFalse(line.contains(secret), line)
            XCTAssertFalse(line.contains("minted-secret"), line)
            XCTAssertFalse(line.lowercased().contains("authorization"), line)
        }
    }

    func testDescriptionsNeverContainSecrets() throws {
        let secret = "very-secret-token-0123456789"
        let dir = try TempDir()
        let file = try dir.write("k", simpleKubeconfig(userBody: "    token: \(secret)\n    password: \(secret)\n    username: u"))
        let loader = KubeConfigLoader(environment: testEnvironment())
        let merged = try loader.loadMerged(kubeconfigPath: file)
        let resolved = try loader.resolve(merged)
        for text in ["\(merged)", String(reflecting: merged), "\(resolved)", String(reflecting: resolved),
                     "\(KubeAuth.basic(username: "u", password: secret))"] {
            XCTAssertFalse(text.contains(secret), text)
        }
    }
}
