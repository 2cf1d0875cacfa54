import Foundation
import WidashSandbox
import XCTest

/// The scale scenario's paging and the client-visible effect of each fault kind.
final class ScaleAndFaultTests: XCTestCase {
    func testScaleScenarioServesPagedListsCompletely() async throws {
        let sandbox = try await SandboxFixture.start(scenario: .scale(namespaces: 7, serviceAccounts: 20, pods: 123))
        addTeardownBlock { await sandbox.stop() }
        // kubectl pages with limit/continue (chunk size 25 → 5 pages).
        let result = try sandbox.kubectl(["get", "pods", "-A", "--chunk-size", "25", "-o", "name"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let names = result.stdout.split(separator: "\n")
        XCTAssertEqual(names.count, 123)
        XCTAssertEqual(Set(names).count, 123)
        // Raw paging: every page but the last carries continue and remainingItemCount.
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            var url = sandbox.server.info.apiServer + "/api/v1/pods?limit=50"
            if let token { url += "&continue=" + token }
            let result = try sandbox.curl(["-H", "Authorization: Bearer \(sandbox.adminToken)", url])
            let list = try XCTUnwrap(jsonObject(result.stdout), result.stdout)
            let items = try XCTUnwrap(list["items"] as? [[String: Any]])
            seen += items.compactMap { ($0["metadata"] as? [String: Any]).map { "\($0["namespace"] ?? "")/\($0["name"] ?? "")" } }
            let metadata = list["metadata"] as? [String: Any]
            token = metadata?["continue"] as? String
            if token != nil { XCTAssertEqual(metadata?["remainingItemCount"] as? Int, 123 - seen.count) }
            pages += 1
        } while token != nil && pages < 10
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(seen.count, 123)
        XCTAssertEqual(seen, seen.sorted(), "stable key order")
        let sample = try sandbox.curl(["-H", "Authorization: Bearer \(sandbox.adminToken)",
                                       sandbox.server.info.apiServer + "/api/v1/pods?limit=1"]).stdout
        XCTAssertGreaterThan(sample.utf8.count, 2500, "a scale pod is realistic (about 3 KB)")
    }

    func testLatencyFaultDelaysResponses() async throws {
        let sandbox = try await SandboxFixture.start(faults: FaultSpec(latency: .milliseconds(400)))
        addTeardownBlock { await sandbox.stop() }
        let started = Date()
        let result = try sandbox.curl(["-H", "Authorization: Bearer \(sandbox.adminToken)", sandbox.server.info.apiServer + "/api"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("APIVersions"))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.4)
    }

    func testErrorFaultAnswersWithStatusAndRetryAfter() async throws {
        let sandbox = try await SandboxFixture.start(faults: try FaultSpec(parsing: "error-rate=1,error-codes=503|429,retry-after=7"))
        addTeardownBlock { await sandbox.stop() }
        var codes = Set<String>()
        for _ in 0..<12 {
            let result = try sandbox.curl(["-i", "-H", "Authorization: Bearer \(sandbox.adminToken)",
                                           sandbox.server.info.apiServer + "/api/v1/namespaces"])
            let head = result.stdout.lowercased()
            XCTAssertTrue(head.contains("retry-after: 7"), result.stdout)
            XCTAssertTrue(result.stdout.contains("\"kind\":\"Status\""), result.stdout)
            if head.hasPrefix("http/1.1 503") { codes.insert("503") }
            if head.hasPrefix("http/1.1 429") { codes.insert("429") }
        }
        XCTAssertEqual(codes, ["503", "429"], "both configured codes are drawn")
        // The issuer's discovery endpoints are exempt, so cloud key fetches keep working.
        let jwks = try sandbox.curl(["-w", "\n%{http_code}", sandbox.server.info.apiServer + "/openid/v1/jwks"])
        XCTAssertTrue(jwks.stdout.hasSuffix("\n200"), jwks.stdout)
    }

    func testCutWatchFaultCutsTheStreamWithoutTheFinalChunk() async throws {
        let sandbox = try await SandboxFixture.start(faults: try FaultSpec(parsing: "cut-watch=1s"))
        addTeardownBlock { await sandbox.stop() }
        let result = try sandbox.curl(["-N", "-H", "Authorization: Bearer \(sandbox.adminToken)",
                                       sandbox.server.info.apiServer + "/api/v1/namespaces/shop/pods?watch=true"], timeout: 20)
        XCTAssertTrue(result.stdout.contains("\"type\":\"ADDED\""), result.stdout)
        // curl 18: "transfer closed with outstanding read data remaining" — the chunked body never ended.
        XCTAssertEqual(result.status, 18, result.stderr)
    }

    func testRestartFaultForgetsResourceVersions() async throws {
        let sandbox = try await SandboxFixture.start(scenario: .demo, faults: try FaultSpec(parsing: "restart-after=1s"))
        addTeardownBlock { await sandbox.stop() }
        let auth = ["-H", "Authorization: Bearer \(sandbox.adminToken)"]
        let list = try XCTUnwrap(jsonObject(try sandbox.curl(auth + [sandbox.server.info.apiServer + "/api/v1/pods?limit=3"]).stdout))
        let metadata = try XCTUnwrap(list["metadata"] as? [String: Any])
        let resourceVersion = try XCTUnwrap(metadata["resourceVersion"] as? String)
        let continueToken = try XCTUnwrap(metadata["continue"] as? String)
        let before = await sandbox.server.currentResourceVersion()
        let restarted = await TestProcess.waitUntil(timeout: 10) {
            await sandbox.server.currentResourceVersion() > before
        }
        XCTAssertTrue(restarted)

        let watch = try sandbox.curl(auth + ["-N", "--max-time", "5",
                                             sandbox.server.info.apiServer + "/api/v1/pods?watch=true&resourceVersion=\(resourceVersion)"])
        let event = try XCTUnwrap(jsonObject(String(watch.stdout.split(separator: "\n").first ?? "")), watch.stdout)
        XCTAssertEqual(event["type"] as? String, "ERROR")
        let status = try XCTUnwrap(event["object"] as? [String: Any])
        XCTAssertEqual(status["code"] as? Int, 410)
        XCTAssertEqual(status["reason"] as? String, "Expired")

        let page = try sandbox.curl(auth + ["-w", "\n%{http_code}",
                                            sandbox.server.info.apiServer + "/api/v1/pods?limit=3&continue=\(continueToken)"])
        XCTAssertTrue(page.stdout.hasSuffix("\n410"), page.stdout)
        XCTAssertTrue(page.stdout.contains("\"reason\":\"Expired\""), page.stdout)
    }

    func testFaultSpecParsesTheDocumentedSyntax() throws {
        let spec = try FaultSpec(parsing: "latency=200ms,error-rate=0.1,error-codes=500|503|429,retry-after=1,cut-watch=5s,restart-after=30s,seed=7")
        XCTAssertEqual(spec.latency, .milliseconds(200))
        XCTAssertEqual(spec.errorRate, 0.1)
        XCTAssertEqual(spec.errorCodes, [500, 503, 429])
        XCTAssertEqual(spec.retryAfterSeconds, 1)
        XCTAssertEqual(spec.cutWatchAfter, .seconds(5))
        XCTAssertEqual(spec.restartAfter, .seconds(30))
        XCTAssertEqual(spec.seed, 7)
        XCTAssertNil(spec.activeFor)
        XCTAssertEqual(try FaultSpec(parsing: "for=2m").activeFor, .seconds(120))
        XCTAssertEqual(try FaultSpec(parsing: "for=1.5").activeFor, .milliseconds(1500))
        let example = try FaultSpec(parsing: FaultSpec.example)
        XCTAssertEqual(example.activeFor, .seconds(120), "the documented example parses and uses every key")
        XCTAssertThrowsError(try FaultSpec(parsing: "latency=fast"))
        XCTAssertThrowsError(try FaultSpec(parsing: "error-rate=2"))
        XCTAssertThrowsError(try FaultSpec(parsing: "for=1e30s"), "an absurd duration is an error, not an overflow")
        XCTAssertThrowsError(try FaultSpec(parsing: "for=-1s"))
        XCTAssertThrowsError(try FaultSpec(parsing: "bogus=1")) { error in
            XCTAssertTrue("\(error)".hasPrefix("unknown fault 'bogus': use latency, error-rate, error-codes, retry-after, cut-watch, restart-after, for or seed"),
                          "\(error)")
        }
        for key in FaultSpec.keys {
            XCTAssertTrue(FaultSpec.help.contains("\(key)="), "the help text does not explain \(key)")
        }
    }

    func testRestartAfterDoesNotHappenOnceTheFaultsAreOff() async throws {
        let sandbox = try await SandboxFixture.start(scenario: .demo, faults: try FaultSpec(parsing: "restart-after=1s"))
        addTeardownBlock { await sandbox.stop() }
        sandbox.server.setFaults(nil)
        let before = await sandbox.server.currentResourceVersion()
        try await Task.sleep(for: .milliseconds(1500))
        let after = await sandbox.server.currentResourceVersion()
        XCTAssertEqual(before, after, "the planned restart ran although the faults were turned off")
        // Installed again at run time, the restart counts from then.
        sandbox.server.setFaults(try FaultSpec(parsing: "restart-after=200ms"))
        let restarted = await TestProcess.waitUntil(timeout: 10) {
            await sandbox.server.currentResourceVersion() > after
        }
        XCTAssertTrue(restarted)
    }

    func testCutWatchStopsCuttingOnceTheFaultsLapse() async throws {
        // cut-watch=1s for 500ms: the watch opened at once gets a cut planned, but by then the faults are over.
        let sandbox = try await SandboxFixture.start(faults: try FaultSpec(parsing: "cut-watch=1s,for=500ms"))
        addTeardownBlock { await sandbox.stop() }
        let result = try sandbox.curl(["-N", "--max-time", "3", "-H", "Authorization: Bearer \(sandbox.adminToken)",
                                       sandbox.server.info.apiServer + "/api/v1/namespaces/shop/pods?watch=true"], timeout: 20)
        XCTAssertTrue(result.stdout.contains("\"type\":\"ADDED\""), result.stdout)
        // curl 28: its own --max-time ended the watch; the server never cut it (that would be curl 18).
        XCTAssertEqual(result.status, 28, result.stderr)
        XCTAssertNil(sandbox.server.activeFaults)
    }
}
