import Foundation
import XCTest

/// `widash token --demo`: a TokenRequest, decoded and verified; the raw token only with --show-token.
final class TokenEndToEndTests: XCTestCase {
    private let request = ["token", "--demo", "shop/frontend", "--audience", "api://AzureADTokenExchange", "--duration", "1h"]

    /// `name: value` lines of the text output (indented claim lines included).
    private func field(_ name: String, in text: String) -> String? {
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(name + ": ") { return String(trimmed.dropFirst(name.count + 2)) }
        }
        return nil
    }

    /// The leading number of a claim line such as `exp: 1795918470  2026-12-02 18:26:40 UTC (in 59m 59s)`.
    private func number(_ name: String, in text: String) -> Int? {
        field(name, in: text).flatMap { Int($0.prefix { $0.isNumber }) }
    }

    func testTextShowsDecodedClaimsAndAVerifiedSignatureButNotTheToken() async throws {
        let result = try await WidashCLI.run(request)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        XCTAssertEqual(field("sub", in: result.stdout), "system:serviceaccount:shop:frontend", result.stdout)
        XCTAssertTrue(field("aud", in: result.stdout)?.contains("api://AzureADTokenExchange") ?? false, result.stdout)
        XCTAssertTrue(field("signature", in: result.stdout)?.hasPrefix("verified") ?? false, result.stdout)
        let iat = try XCTUnwrap(number("iat", in: result.stdout), result.stdout)
        let exp = try XCTUnwrap(number("exp", in: result.stdout), result.stdout)
        XCTAssertEqual(exp - iat, 3600, "--duration 1h asks for a one-hour token")
        XCTAssertFalse(SecretScan.containsJWT(result.stdout + result.stderr), "the raw token is printed without --show-token:\n\(result.stdout)")
        XCTAssertNotNil(field("token", in: result.stdout), "a redacted token line is shown: \(result.stdout)")
    }

    func testShowTokenPrintsTheRawTokenAndItDecodes() async throws {
        let result = try await WidashCLI.run(request + ["--show-token"])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let token = try XCTUnwrap(SecretScan.firstJWT(result.stdout), "no whole JWT with --show-token:\n\(result.stdout)")
        XCTAssertEqual(field("token", in: result.stdout), token, "the token line holds exactly the token")
        let header = try XCTUnwrap(decodeJWTSegment(token, index: 0))
        let claims = try XCTUnwrap(decodeJWTSegment(token, index: 1))
        XCTAssertEqual(header["alg"] as? String, "RS256")
        XCTAssertEqual(claims["sub"] as? String, "system:serviceaccount:shop:frontend")
        XCTAssertEqual(claims["aud"] as? [String], ["api://AzureADTokenExchange"])
        let iat = (claims["iat"] as? NSNumber)?.intValue ?? 0, exp = (claims["exp"] as? NSNumber)?.intValue ?? 0
        XCTAssertEqual(exp - iat, 3600)
        XCTAssertEqual(claims["iss"] as? String, field("iss", in: result.stdout), "the decoded iss matches the printed one")
    }

    /// `--pod P --pod-token`: the pod's own projected file (pods/exec over WebSocket from the
    /// sandbox), judged by the kubelet's rule; hidden unless --show-token; refused when read-only.
    func testThePodsOwnTokenFileIsReadJudgedAndHidden() async throws {
        let stale = try await WidashCLI.run(["token", "--demo", "broken/stale-token", "--pod", "stale-token", "--pod-token", "-o", "json"])
        XCTAssertEqual(stale.exitCode, 0, stale.summary)
        let file = try decodeJSONObject(stale.stdout)
        XCTAssertEqual(file["state"] as? String, "expired", stale.stdout)
        XCTAssertEqual(file["path"] as? String, "/var/run/secrets/azure/wi/token/azure-identity-token")
        XCTAssertNotNil(file["refreshDueAt"], stale.stdout)
        XCTAssertEqual((file["claims"] as? [String: Any])?["sub"] as? String, "system:serviceaccount:broken:stale-token")
        XCTAssertFalse(SecretScan.containsJWT(stale.stdout + stale.stderr), "the raw token is printed without --show-token")

        let fresh = try await WidashCLI.run(["token", "--demo", "shop/frontend", "--pod", "frontend", "--pod-token", "--show-token"])
        XCTAssertEqual(fresh.exitCode, 0, fresh.summary)
        XCTAssertTrue(field("state", in: fresh.stdout)?.hasPrefix("fresh") ?? false, fresh.stdout)
        XCTAssertNotNil(SecretScan.firstJWT(fresh.stdout), "--show-token prints it")

        let refused = try await WidashCLI.run(["token", "--demo", "--readonly", "shop/frontend", "--pod", "frontend", "--pod-token"])
        XCTAssertEqual(refused.exitCode, 2, refused.summary)
        XCTAssertTrue(refused.stderr.contains("pods/exec"), refused.stderr)
        let noPod = try await WidashCLI.run(["token", "--demo", "shop/frontend", "--pod-token"])
        XCTAssertEqual(noPod.exitCode, 2, noPod.summary)
    }

    func testReadonlyRefusesWithOneLineAndExitTwo() async throws {
        let result = try await WidashCLI.run(request + ["--readonly"])
        XCTAssertEqual(result.exitCode, 2, result.summary)
        XCTAssertEqual(result.stderrLines.count, 1, "exactly one line on stderr: \(result.stderr)")
        let line = result.stderrLines.first ?? ""
        XCTAssertTrue(line.hasPrefix("widash:"), line)
        XCTAssertTrue(line.lowercased().contains("read-only"), line)
        XCTAssertFalse(SecretScan.containsJWT(result.stdout + result.stderr))
    }

    /// `readOnly: true` in the config file is enforced like `--readonly`; a bad file names its line.
    func testConfigFileReadOnlyRefusesAndABadFileNamesTheLine() async throws {
        let directory = try TemporaryDirectory("config")
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/widash", withIntermediateDirectories: true)
        try "theme: dark\nreadOnly: true\n".write(toFile: directory.path + "/widash/config.yaml", atomically: false, encoding: .utf8)
        let refused = try await WidashCLI.run(request, environment: ["XDG_CONFIG_HOME": directory.path])
        XCTAssertEqual(refused.exitCode, 2, refused.summary)
        XCTAssertTrue(refused.stderr.lowercased().contains("read-only"), refused.summary)

        try "theme: dark\nreadOnly: maybe\n".write(toFile: directory.path + "/widash/config.yaml", atomically: false, encoding: .utf8)
        let bad = try await WidashCLI.run(request, environment: ["XDG_CONFIG_HOME": directory.path])
        XCTAssertEqual(bad.exitCode, 2, bad.summary)
        XCTAssertTrue(bad.stderr.contains("line 2"), bad.summary)
    }

    func testDurationBelowTheTenMinuteMinimumIsAConfigurationError() async throws {
        let result = try await WidashCLI.run(["token", "--demo", "shop/frontend", "--duration", "5m"])
        XCTAssertEqual(result.exitCode, 2, result.summary)
        XCTAssertFalse(result.killedBySignal)
        // The person must learn why: one line naming the minimum.
        XCTAssertEqual(result.stderrLines.count, 1, "exactly one line on stderr explaining the refusal; got: \(result.summary)")
        XCTAssertTrue(result.stderr.contains("10m") || result.stderr.contains("600"),
                      "the message names the 10 minute minimum; got stderr: '\(result.stderr)'")
    }

    func testJSONOutputParsesAndHidesTheToken() async throws {
        let result = try await WidashCLI.run(request + ["-o", "json"])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let object = try decodeJSONObject(result.stdout)
        let claims = try XCTUnwrap(object["claims"] as? [String: Any], "\(object)")
        XCTAssertEqual(claims["sub"] as? String, "system:serviceaccount:shop:frontend")
        XCTAssertNotNil(object["header"] as? [String: Any])
        XCTAssertEqual(object["signatureValid"] as? Bool, true, "\(object)")
        XCTAssertNotNil(object["expirationTimestamp"] as? String)
        XCTAssertFalse(SecretScan.containsJWT(result.stdout), "the JSON holds the raw token without --show-token")
    }
}
