import Foundation
import XCTest

/// `--log-file` at debug level is worth reading after a failed exchange in the field: every
/// Kubernetes and cloud call (method, URL, status, duration, the server's request id) and every
/// trace step's decision, and never a secret.
final class LoggingEndToEndTests: XCTestCase {
    func testATraceAtDebugLevelLogsEveryCallAndEveryStepAndNoSecret() async throws {
        let directory = try TemporaryDirectory("log")
        defer { directory.remove() }
        let log = directory.file("widash.log")
        let result = try await WidashCLI.run(["trace", "broken/wrong-subject", "--demo", "-o", "json", "--log-file", log, "--log-level", "debug"])
        XCTAssertEqual(result.exitCode, 1, result.summary)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)

        func logged(_ what: String, _ predicate: (String) -> Bool) {
            XCTAssertTrue(lines.contains(where: predicate), "no log line for \(what):\n\(text)")
        }
        logged("the pod read") { $0.contains("GET https://127.0.0.1:") && $0.contains("/api/v1/namespaces/broken/pods/wrong-subject → 200") }
        logged("the TokenRequest") { $0.contains("POST ") && $0.contains("/serviceaccounts/wrong-subject/token → 201") }
        logged("the Entra exchange with its request id") {
            $0.contains("POST https://login.microsoftonline.com/") && $0.contains("/oauth2/v2.0/token → 401") && $0.contains("x-ms-request-id=")
        }
        logged("the federated credentials read (ARM: a managed identity)") { $0.contains("/federatedIdentityCredentials?api-version=") && $0.contains("→ 200") }
        logged("durations") { $0.contains(" ms=") }
        for step in 1...5 { logged("step \(step)'s decision") { $0.contains("trace broken/wrong-subject step \(step) (") } }
        logged("step 3's diagnosis") { $0.contains("step 3 (trust checked): failed") && $0.contains("errorCode=AADSTS700213") }

        // No secret of any kind: tokens (whole JWTs), the form that carries the assertion, the
        // operator's client secret, bearer tokens from the kubeconfig.
        let jwt = try NSRegularExpression(pattern: #"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"#)
        XCTAssertNil(jwt.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), "a whole JWT in the log:\n\(text)")
        for secret in ["widash-demo-operator-secret", "client_assertion=", "Bearer ", "widash-admin-", "client_secret"] {
            XCTAssertFalse(text.contains(secret), "'\(secret)' in the log:\n\(text)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: log)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
    }
}
