import Foundation
import WidashSandbox
import XCTest

/// The demo operators' environments: the full one (also what the sandbox's env file exports) and the
/// limited one, which swaps every cloud's credential and nothing else.
final class OperatorEnvironmentTests: XCTestCase {
    func testFullAndLimitedOperators() {
        let base = ["HOME": "/home/me", "AWS_PROFILE": "prod", "AZURE_CLIENT_SECRET": "real-secret",
                    "GOOGLE_APPLICATION_CREDENTIALS": "/home/me/key.json", "GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.real"]
        let full = SandboxServer.operatorEnvironment(base: base)
        XCTAssertEqual(full, SandboxServer.operatorEnvironment(base: base, operator: .full))
        XCTAssertEqual(full["HOME"], "/home/me")
        XCTAssertNil(full["AWS_PROFILE"])
        XCTAssertNil(full["GOOGLE_APPLICATION_CREDENTIALS"], "no real Google credentials reach a demo")
        XCTAssertEqual(full["AWS_CONFIG_FILE"], "/dev/null")
        XCTAssertEqual(full["AWS_ACCESS_KEY_ID"], "AKIAWIDASHDEMO000001")
        XCTAssertEqual(full["AZURE_CLIENT_SECRET"], "widash-demo-operator-secret")
        XCTAssertEqual(full["GOOGLE_OAUTH_ACCESS_TOKEN"], SandboxServer.operatorEnvironment["GOOGLE_OAUTH_ACCESS_TOKEN"])
        XCTAssertTrue(full["GOOGLE_OAUTH_ACCESS_TOKEN"]?.hasPrefix("ya29.") == true)

        let limited = SandboxServer.operatorEnvironment(base: base, operator: .limited)
        XCTAssertEqual(limited["AWS_ACCESS_KEY_ID"], "AKIAWIDASHLIMITED001")
        XCTAssertEqual(limited["AZURE_CLIENT_SECRET"], "widash-demo-limited-operator-secret")
        let swapped = ["AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GOOGLE_OAUTH_ACCESS_TOKEN"]
        for name in swapped {
            XCTAssertNotNil(limited[name], name)
            XCTAssertNotEqual(limited[name], full[name], name)
        }
        for (name, value) in full where !swapped.contains(name) {
            XCTAssertEqual(limited[name], value, "\(name) is the same for both operators")
        }
        XCTAssertEqual(Set(DemoOperator.allCases.map(\.rawValue)), ["full", "limited"])
    }

    func testEnvFileExportsTheFullOperator() async throws {
        let sandbox = try await SandboxFixture.start()
        addTeardownBlock { await sandbox.stop() }
        let exports = sandbox.server.envExports()
        for (name, value) in SandboxServer.operatorEnvironment(for: .full) {
            XCTAssertTrue(exports.contains("export \(name)='\(value)'"), name)
        }
        XCTAssertFalse(exports.contains("AKIAWIDASHLIMITED001"))
    }
}
