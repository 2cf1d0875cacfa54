import Foundation
import XCTest

/// Issue 8, secrets: everything widash writes during traces and token fetches (stdout, stderr, a
/// trace-level `--log-file`, and any file in its HOME or TMPDIR) holds no whole token, client
/// assertion, access token, AWS secret key or session token; only `--show-token` prints the token.
final class SecretsEndToEndTests: XCTestCase {
    struct Run: Sendable {
        var label: String
        var arguments: [String]
        var expectedExit: Int32
    }

    static let runs: [Run] = [
        Run(label: "trace text shop/frontend", arguments: ["trace", "--demo", "-o", "text", "shop/frontend"], expectedExit: 0),
        Run(label: "trace json shop/frontend", arguments: ["trace", "--demo", "-o", "json", "shop/frontend"], expectedExit: 0),
        Run(label: "trace json broken/wrong-subject", arguments: ["trace", "--demo", "-o", "json", "broken/wrong-subject"], expectedExit: 1),
        Run(label: "trace text aws/irsa-ok", arguments: ["trace", "--demo", "-o", "text", "aws/irsa-ok"], expectedExit: 0),
        Run(label: "trace json aws/irsa-ok", arguments: ["trace", "--demo", "-o", "json", "aws/irsa-ok"], expectedExit: 0),
        Run(label: "trace json aws/podid-ok", arguments: ["trace", "--demo", "-o", "json", "aws/podid-ok"], expectedExit: 0),
        Run(label: "trace json gcp/gke-ok", arguments: ["trace", "--demo", "-o", "json", "gcp/gke-ok"], expectedExit: 0),
        Run(label: "token text shop/frontend",
            arguments: ["token", "--demo", "shop/frontend", "--audience", "api://AzureADTokenExchange", "--duration", "1h"], expectedExit: 0),
        Run(label: "token json aws/irsa-ok", arguments: ["token", "--demo", "aws/irsa-ok", "--pod", "irsa-ok", "-o", "json"], expectedExit: 0),
    ]

    /// What one run left behind: its output and every file it wrote.
    struct Capture: Sendable {
        var result: ChildResult
        var log: String?
        var files: [String: String]
    }

    /// Runs widash with a trace-level log, a private HOME and TMPDIR, and collects all it wrote.
    static func capture(_ arguments: [String]) async throws -> Capture {
        let directory = try TemporaryDirectory("secrets")
        defer { directory.remove() }
        let home = directory.file("home"), tmp = directory.file("tmp"), log = directory.file("widash.log")
        for path in [home, tmp] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        let result = try await WidashCLI.run(arguments + ["--log-file", log, "--log-level", "trace"],
                                             environment: ["HOME": home, "TMPDIR": tmp])
        let logText = FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) }
        var files: [String: String] = [:]
        for (path, text) in SecretScan.files(under: home) + SecretScan.files(under: tmp) { files[path] = text }
        return Capture(result: result, log: logText, files: files)
    }

    func testNothingWidashWritesHoldsASecret() async throws {
        let captures = try await WidashCLI.concurrentMap(Self.runs, limit: 2) { run in try await Self.capture(run.arguments) }
        for (run, capture) in zip(Self.runs, captures) {
            XCTAssertEqual(capture.result.exitCode, run.expectedExit, "\(run.label): \(capture.result.summary)")
            XCTAssertFalse(capture.result.stdout.isEmpty, "\(run.label): printed something to check")
            XCTAssertEqual(SecretScan.findings(in: capture.result.stdout), [], "\(run.label): stdout")
            XCTAssertEqual(SecretScan.findings(in: capture.result.stderr), [], "\(run.label): stderr")
            let log = capture.log ?? ""
            XCTAssertNotNil(capture.log, "\(run.label): --log-file was not created")
            XCTAssertFalse(log.isEmpty, "\(run.label): the trace-level log is empty")
            XCTAssertTrue(log.contains("GET ") || log.contains("POST "), "\(run.label): a trace-level log records the requests:\n\(log.prefix(2000))")
            XCTAssertEqual(SecretScan.findings(in: log), [], "\(run.label): log file")
            for (path, text) in capture.files {
                XCTAssertEqual(SecretScan.findings(in: text), [], "\(run.label): file \(path) written under HOME/TMPDIR")
            }
        }
    }

    /// The scan is able to fail: --show-token prints a whole JWT (the one exception), and even then
    /// the log holds none.
    func testShowTokenIsTheOnlyWayToSeeTheTokenAndItIsNotLogged() async throws {
        let capture = try await Self.capture(["token", "--demo", "shop/frontend", "--show-token"])
        XCTAssertEqual(capture.result.exitCode, 0, capture.result.summary)
        XCTAssertTrue(SecretScan.containsJWT(capture.result.stdout), "--show-token prints the token: \(capture.result.stdout)")
        XCTAssertFalse(SecretScan.findings(in: capture.result.stdout).isEmpty, "the scanner recognises the printed token")
        XCTAssertEqual(SecretScan.findings(in: capture.log ?? ""), [], "log file")
        XCTAssertEqual(SecretScan.findings(in: capture.result.stderr), [], "stderr")
        for (path, text) in capture.files {
            XCTAssertEqual(SecretScan.findings(in: text), [], "file \(path) written under HOME/TMPDIR")
        }
    }

    /// The patterns match the secrets' real shapes and not their redacted forms.
    func testScannerPatterns() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
        XCTAssertFalse(SecretScan.findings(in: "token: \(jwt)").isEmpty)
        XCTAssertFalse(SecretScan.findings(in: "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab</SecretAccessKey>").isEmpty)
        XCTAssertFalse(SecretScan.findings(in: "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab").isEmpty)
        XCTAssertFalse(SecretScan.findings(in: "sessionToken IQoJb3JpZ2luX2VjEabcdefghijkl").isEmpty)
        XCTAssertFalse(SecretScan.findings(in: "ya29.c.abcdefghijklmnopqrstuvwxyz").isEmpty)
        XCTAssertFalse(SecretScan.findings(in: "Authorization: Bearer abcdefghijklmnopqrstuvwxyz").isEmpty)
        for redacted in ["eyJhbGciOi….eyJuYmYiOj….<sig 342 chars>", "eyJ0eXAiOiJK….eyJuYmYiOjE3….… (1144 chars, signature hidden)",
                         "accessKeyId ASIA…RDUD", "sessionToken IQoJb3…bhZ9 (317 chars)", "ya29.d…PI4R (167 chars)",
                         "AKIAWIDASHDEMO000001"] {
            XCTAssertEqual(SecretScan.findings(in: redacted), [], redacted)
        }
    }
}
