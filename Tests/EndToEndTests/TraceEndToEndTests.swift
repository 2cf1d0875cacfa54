import Foundation
import WidashSandboxKit
import XCTest

/// `widash trace --demo` for the whole acceptance table (issue 5), each run starting its own demo
/// sandbox inside the widash process; two runs at a time.
final class TraceEndToEndTests: XCTestCase {
    /// One row of the acceptance table.
    struct Expectation: Sendable {
        var pod: String
        var provider: String
        /// The step that fails; nil when all five pass.
        var failingStep: Int?
        var errorCode: String?
        var httpStatus: String?
        /// Strings the failing step's diagnosis must contain.
        var diagnosisMentions: [String] = []
        /// (expected, actual) pairs the diagnosis' mismatches must contain.
        var mismatches: [(String, String)] = []
        /// `--pod-token`: steps 2–5 present the pod's own token file.
        var podToken = false
    }

    static let table: [Expectation] = [
        Expectation(pod: "shop/frontend", provider: "azure"),
        Expectation(pod: "shop/backend", provider: "azure"),
        Expectation(pod: "broken/wrong-subject", provider: "azure", failingStep: 3, errorCode: "AADSTS700213",
                    diagnosisMentions: ["system:serviceaccount:broken:wrongsubject", "system:serviceaccount:broken:wrong-subject"],
                    mismatches: [("system:serviceaccount:broken:wrongsubject", "system:serviceaccount:broken:wrong-subject")]),
        // Both issuers: checked against the token's own iss below (the sandbox's port is not known here).
        Expectation(pod: "broken/wrong-issuer", provider: "azure", failingStep: 3, errorCode: "AADSTS700211"),
        Expectation(pod: "broken/wrong-audience", provider: "azure", failingStep: 3, errorCode: "AADSTS700212",
                    diagnosisMentions: ["api://AzureADTokenExchangeChina", "api://AzureADTokenExchange"],
                    mismatches: [("api://AzureADTokenExchangeChina", "api://AzureADTokenExchange")]),
        Expectation(pod: "broken/no-label", provider: "azure", failingStep: 1,
                    diagnosisMentions: ["azure.workload.identity/use"]),
        Expectation(pod: "broken/no-client-id", provider: "azure", failingStep: 1,
                    diagnosisMentions: ["azure.workload.identity/client-id"]),
        // A fresh TokenRequest is fine (as on any API server); the pod's own file, which its
        // node's kubelet stopped refreshing, is expired: Entra refuses what the pod really presents.
        Expectation(pod: "broken/stale-token", provider: "azure"),
        Expectation(pod: "broken/stale-token", provider: "azure", failingStep: 3, errorCode: "AADSTS700024", podToken: true),
        Expectation(pod: "broken/no-role", provider: "azure", failingStep: 5, httpStatus: "403"),
        Expectation(pod: "aws/irsa-bad-trust", provider: "aws-irsa", failingStep: 3, errorCode: "AccessDenied",
                    diagnosisMentions: [":sub", "system:serviceaccount:aws:irsa-bad-trust-old"],
                    mismatches: [("system:serviceaccount:aws:irsa-bad-trust-old", "system:serviceaccount:aws:irsa-bad-trust")]),
        Expectation(pod: "aws/irsa-ok", provider: "aws-irsa"),
        Expectation(pod: "aws/podid-ok", provider: "aws-pod-identity"),
        Expectation(pod: "gcp/gke-ok", provider: "gcp"),
    ]

    func testAcceptanceTable() async throws {
        let runs = try await WidashCLI.concurrentMap(Self.table, limit: 2) { expectation in
            try await WidashCLI.run(["trace", "--demo", "-o", "json", expectation.pod] + (expectation.podToken ? ["--pod-token"] : []))
        }
        for (expectation, result) in zip(Self.table, runs) {
            check(expectation, result)
        }
    }

    private func check(_ row: Expectation, _ result: ChildResult, file: StaticString = #filePath, line: UInt = #line) {
        let pod = row.pod
        XCTAssertEqual(result.exitCode, row.failingStep == nil ? 0 : 1, "\(pod): exit code; \(result.summary)", file: file, line: line)
        guard let trace = try? TraceDocument(json: result.stdout) else {
            XCTFail("\(pod): stdout is not a JSON object; \(result.summary)", file: file, line: line)
            return
        }
        XCTAssertEqual(Set(trace.root.keys), TraceDocument.topLevelKeys.union(row.podToken ? ["podTokenFile"] : []), "\(pod): top-level keys", file: file, line: line)
        if row.failingStep != 1 {
            let tokenUsed = TraceDocument.evidence(trace.step(1))["tokenUsed"] as? String ?? ""
            XCTAssertTrue(tokenUsed.contains(row.podToken ? "the pod's own file" : "a fresh TokenRequest"),
                          "\(pod): step 1 says which token it used: \(tokenUsed)", file: file, line: line)
        }
        XCTAssertEqual(trace.root["pod"] as? String, pod, file: file, line: line)
        XCTAssertEqual(trace.root["provider"] as? String, row.provider, "\(pod): provider", file: file, line: line)
        XCTAssertEqual(trace.root["result"] as? String, row.failingStep == nil ? "passed" : "failed", "\(pod): result", file: file, line: line)

        XCTAssertEqual(trace.steps.map { ($0["number"] as? NSNumber)?.intValue ?? 0 }, [1, 2, 3, 4, 5], "\(pod): step numbers", file: file, line: line)
        XCTAssertEqual(trace.steps.map { $0["title"] as? String ?? "" }, TraceDocument.titles, "\(pod): step titles", file: file, line: line)
        for step in trace.steps {
            let keys = Set(step.keys)
            XCTAssertTrue(keys.isSubset(of: TraceDocument.stepKeys), "\(pod): unexpected step keys \(keys.subtracting(TraceDocument.stepKeys))", file: file, line: line)
            XCTAssertTrue(keys.isSuperset(of: TraceDocument.stepKeys.subtracting(["diagnosis"])), "\(pod): step lacks \(TraceDocument.stepKeys.subtracting(keys))", file: file, line: line)
            XCTAssertGreaterThanOrEqual((step["durationMs"] as? NSNumber)?.intValue ?? -1, 0, "\(pod): durationMs", file: file, line: line)
            XCTAssertNotNil(step["evidence"] as? [String: Any], "\(pod): evidence is an object", file: file, line: line)
        }

        guard let failing = row.failingStep else {
            XCTAssertEqual(trace.statuses, Array(repeating: "passed", count: 5), "\(pod): every step passes; \(result.stdout.prefix(3000))", file: file, line: line)
            return
        }
        let expectedStatuses = (1...5).map { $0 < failing ? "passed" : $0 == failing ? "failed" : "skipped" }
        XCTAssertEqual(trace.statuses, expectedStatuses, "\(pod): fails at step \(failing)", file: file, line: line)
        let step = trace.step(failing)
        let evidence = TraceDocument.evidence(step)
        if let code = row.errorCode {
            XCTAssertEqual(evidence["errorCode"] as? String, code, "\(pod): evidence.errorCode of step \(failing); evidence \(evidence)", file: file, line: line)
        }
        if let status = row.httpStatus {
            XCTAssertEqual(evidence["status"] as? String, status, "\(pod): evidence.status of step \(failing)", file: file, line: line)
        }
        let diagnosis = TraceDocument.diagnosisText(step)
        XCTAssertNotNil(TraceDocument.diagnosis(step)?["summary"] as? String, "\(pod): the failed step has a diagnosis summary", file: file, line: line)
        for mention in row.diagnosisMentions {
            XCTAssertTrue(diagnosis.contains(mention), "\(pod): diagnosis does not mention \(mention): \(diagnosis)", file: file, line: line)
        }
        let mismatches = TraceDocument.mismatches(step)
        for (expected, actual) in row.mismatches {
            XCTAssertTrue(mismatches.contains { $0.expected == expected && $0.actual == actual },
                          "\(pod): no mismatch expected=\(expected) actual=\(actual) in \(mismatches)", file: file, line: line)
        }
        if pod == "broken/wrong-issuer" {
            // The federated credential's issuer is the cluster's plus a trailing slash.
            let issuer = TraceDocument.evidence(trace.step(1))["iss"] as? String ?? "<no iss in step 1 evidence>"
            XCTAssertTrue(mismatches.contains { $0.expected == issuer + "/" && $0.actual == issuer },
                          "\(pod): no mismatch expected=\(issuer)/ actual=\(issuer) in \(mismatches)", file: file, line: line)
            XCTAssertTrue(diagnosis.contains(issuer + "/"), "\(pod): diagnosis lacks \(issuer)/: \(diagnosis)", file: file, line: line)
        }
    }

    /// Issue "What the pod really holds", acceptance: the pod's own token, read through pods/exec
    /// over WebSocket from the sandbox (which keeps each pod's projected file as the kubelet does),
    /// is expired and says when its refresh was due; Entra refuses it at step 3.
    func testThePodsOwnTokenShowsWhatThePodReallyPresents() async throws {
        let result = try await WidashCLI.run(["trace", "--demo", "-o", "json", "--pod-token", "broken/stale-token"])
        XCTAssertEqual(result.exitCode, 1, result.summary)
        let trace = try TraceDocument(json: result.stdout)
        let step1 = TraceDocument.evidence(trace.step(1))
        let file = step1["podTokenFile"] as? String ?? ""
        XCTAssertTrue(file.hasPrefix("expired "), "\(step1)")
        XCTAssertTrue(file.contains("refresh was due") && file.contains("is not refreshing it"), file)
        XCTAssertNotNil(step1["podTokenRefreshDue"], "\(step1)")
        XCTAssertNil(step1["tokenRequest"], "no TokenRequest when the pod's own token is presented: \(step1)")
        let token = step1["token"] as? String ?? ""
        XCTAssertFalse(token.split(separator: ".").count == 3 && token.count > 100, "the token is never shown in full: \(token)")
        let judged = try XCTUnwrap(trace.root["podTokenFile"] as? [String: Any], "\(trace.root.keys)")
        XCTAssertEqual(judged["state"] as? String, "expired")
        XCTAssertEqual(TraceDocument.evidence(trace.step(3))["errorCode"] as? String, "AADSTS700024")

        let fresh = try await WidashCLI.run(["trace", "--demo", "-o", "json", "--pod-token", "shop/frontend"])
        XCTAssertEqual(fresh.exitCode, 0, fresh.summary)
        let frontend = try XCTUnwrap(try TraceDocument(json: fresh.stdout).root["podTokenFile"] as? [String: Any])
        XCTAssertEqual(frontend["state"] as? String, "fresh", "\(frontend)")
    }

    func testPodTokenIsRefusedInReadOnlyModeBeforeAnyRequest() async throws {
        let result = try await WidashCLI.run(["trace", "--demo", "--readonly", "--pod-token", "broken/stale-token"])
        XCTAssertEqual(result.exitCode, 2, result.summary)
        XCTAssertTrue(result.stderr.contains("pods/exec") && result.stderr.contains("read-only"), result.stderr)
        XCTAssertEqual(result.stdout, "", "nothing ran")
    }

    func testTextOutputOfAFailureNamesTheCodeAndBothSubjects() async throws {
        let result = try await WidashCLI.run(["trace", "--demo", "-o", "text", "broken/wrong-subject"])
        XCTAssertEqual(result.exitCode, 1, result.summary)
        XCTAssertTrue(result.stdout.contains("AADSTS700213"), result.stdout)
        XCTAssertTrue(result.stdout.contains("system:serviceaccount:broken:wrongsubject"), result.stdout)
        XCTAssertTrue(result.stdout.contains("system:serviceaccount:broken:wrong-subject"), result.stdout)
        XCTAssertTrue(result.stdout.contains("step 3"), "the result line names the failing step: \(result.stdout)")
    }

    func testResourceFlagChoosesWhatStepFiveCalls() async throws {
        // A subscription read (not the subscription list, which answers 200 with an empty list to anyone, as ARM does).
        let arm = "https://management.azure.com/subscriptions/\(DemoDirectory.subscriptionID)?api-version=2022-12-01"
        let runs = try await WidashCLI.concurrentMap([("shop/frontend", arm), ("broken/no-role", arm)], limit: 2) { pod, url in
            try await WidashCLI.run(["trace", "--demo", "-o", "json", pod, "--resource", url])
        }
        // frontend holds a role on the subscription; no-role holds none.
        XCTAssertEqual(runs[0].exitCode, 0, runs[0].summary)
        let frontendStep5 = TraceDocument.evidence(try TraceDocument(json: runs[0].stdout).step(5))
        XCTAssertEqual(frontendStep5["request"] as? String, "GET \(arm)", "\(frontendStep5)")
        XCTAssertEqual(runs[1].exitCode, 1, runs[1].summary)
        let noRole = try TraceDocument(json: runs[1].stdout)
        XCTAssertEqual(noRole.statuses, ["passed", "passed", "passed", "passed", "failed"])
        XCTAssertEqual(TraceDocument.evidence(noRole.step(5))["request"] as? String, "GET \(arm)")
        XCTAssertEqual(TraceDocument.evidence(noRole.step(5))["status"] as? String, "403")
    }
}
