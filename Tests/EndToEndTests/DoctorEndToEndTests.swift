import Foundation
import XCTest

/// `widash doctor`: cluster-level pass/warn/fail checks.
final class DoctorEndToEndTests: XCTestCase {
    /// `STATUS  name  detail` lines as (status, name, detail).
    private func checks(_ text: String) -> [(status: String, name: String, detail: String)] {
        text.split(separator: "\n").compactMap { line in
            let text = String(line)
            guard let match = text.range(of: #"^(PASS|WARN|FAIL)\s+(.+?)(\s{2,}|$)"#, options: .regularExpression) else { return nil }
            let head = text[match]
            let status = String(head.prefix(4))
            let name = head.dropFirst(4).trimmingCharacters(in: .whitespaces)
            return (status, name, String(text[match.upperBound...]))
        }
    }

    func testDemoPassesWithTheLegacyWarning() async throws {
        let result = try await WidashCLI.run(["doctor", "--demo"])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let lines = checks(result.stdout)
        XCTAssertFalse(lines.isEmpty, "no PASS/WARN/FAIL lines: \(result.stdout)")
        func status(of name: String) -> String? { lines.first { $0.name == name }?.status }
        XCTAssertEqual(status(of: "issuer"), "PASS", result.stdout)
        XCTAssertEqual(status(of: "public JWKS"), "PASS", result.stdout)
        XCTAssertEqual(status(of: "AWS IAM OIDC provider"), "PASS", result.stdout)
        XCTAssertEqual(status(of: "aad-pod-identity"), "WARN", result.stdout)
        XCTAssertFalse(lines.contains { $0.status == "FAIL" }, result.stdout)
        XCTAssertEqual(lines.count, result.stdout.split(separator: "\n").count, "every line is a check line:\n\(result.stdout)")
    }

    func testJSONOutputParses() async throws {
        let result = try await WidashCLI.run(["doctor", "--demo", "-o", "json"])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let value = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let items = try XCTUnwrap(value as? [[String: Any]], "a JSON array of checks: \(result.stdout)")
        var byName: [String: String] = [:]
        for item in items {
            let name = try XCTUnwrap(item["name"] as? String, "\(item)")
            byName[name] = item["status"] as? String
            XCTAssertNotNil(item["detail"] as? String, "\(item)")
            XCTAssertTrue(["pass", "warn", "fail"].contains(item["status"] as? String ?? ""), "\(item)")
        }
        XCTAssertEqual(byName["issuer"], "pass", "\(byName)")
        XCTAssertEqual(byName["public JWKS"], "pass", "\(byName)")
        XCTAssertEqual(byName["AWS IAM OIDC provider"], "pass", "\(byName)")
        XCTAssertEqual(byName["aad-pod-identity"], "warn", "\(byName)")
        XCTAssertEqual(byName["EKS Pod Identity agent"], "pass", "the demo runs the agent: \(byName)")
    }

    func testUnreachableAPIServerExitsThree() async throws {
        let directory = try TemporaryDirectory("doctor")
        defer { directory.remove() }
        let port = try ClosedPort.find()
        let kubeconfig = try directory.write(KubeconfigText.tokenUser(server: "https://127.0.0.1:\(port)"), to: "kubeconfig")
        let result = try await WidashCLI.run(["doctor", "--kubeconfig", kubeconfig])
        XCTAssertEqual(result.exitCode, 3, result.summary)
        XCTAssertEqual(checks(result.stdout).first?.status, "FAIL", result.stdout)
        XCTAssertEqual(checks(result.stdout).first?.name, "API server", result.stdout)
    }
}
