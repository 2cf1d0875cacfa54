import Foundation
import Logging
import WidashHTTP
import WidashKube
@testable import WidashService
import XCTest

/// Exit-code classification and the log handler's scrubbing.
final class ServiceSupportTests: XCTestCase {
    func testConfigurationErrorsExitTwoAndRemoteErrorsThree() {
        XCTAssertEqual(FailureKind(KubeConfigError.noConfiguration(searched: ["/x"])).exitCode, 2)
        XCTAssertEqual(FailureKind(SessionError.podNotFound(namespace: "shop", name: "x")).exitCode, 2)
        XCTAssertEqual(FailureKind(KubeClientError.readOnly(action: "request a token")).exitCode, 2)
        XCTAssertEqual(FailureKind(HTTPError.connectionRefused(url: "https://127.0.0.1:1", detail: "refused")).exitCode, 3)
        XCTAssertEqual(FailureKind(HTTPError.timeout(url: "https://x", detail: "slow")).exitCode, 3)
    }

    func testLogFileIsScrubbedOfTokensAndSecrets() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("widash-log-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let make = try ScrubbingFileLogHandler.open(path: path)
        let logger = Logger(label: "test") { make($0, .trace) }
        // A JWT-shaped value and an AWS secret key, as a careless caller might log them.
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpmcm9udGVuZCJ9."
            + String(repeating: "s1gnAture", count: 30)
        logger.info("got token \(token)", metadata: ["secret": "SecretAccessKey=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("got token"), text)
        XCTAssertFalse(text.contains("s1gnAtures1gnAture"), text)
        XCTAssertFalse(text.contains("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), text)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testUnwritableLogFileIsAClearError() {
        XCTAssertThrowsError(try ScrubbingFileLogHandler.open(path: "/nonexistent-dir/widash.log")) { error in
            XCTAssertTrue("\(error)".contains("cannot open log file /nonexistent-dir/widash.log"), "\(error)")
        }
    }
}
