import Foundation
import XCTest

/// Issue "Cloud-side trust at a glance", acceptance: `widash identities -A -o json --demo` carries
/// the trust verdicts without any trace, `--fail-on` gates pipelines, the limited demo operator gets
/// `unknown` naming the missing permission, `--no-cloud` reads the cluster only.
final class TrustAuditEndToEndTests: XCTestCase {
    /// `namespace/name provider` → the binding's `trust` object.
    func verdicts(_ stdout: String) throws -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        for identity in try InventoryDocument(json: stdout).identities {
            for binding in InventoryDocument.bindings(identity) {
                if let trust = binding["trust"] as? [String: Any] {
                    out["\(identity["namespace"] ?? "")/\(identity["name"] ?? "") \(binding["provider"] ?? "")"] = trust
                }
            }
        }
        return out
    }

    func failingFields(_ trust: [String: Any]?) -> [String] {
        (trust?["mismatches"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    func testTheDemoVerdictsWithoutAnyTrace() async throws {
        let result = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo"], timeout: 120)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let v = try verdicts(result.stdout)
        for key in ["shop/frontend azure", "shop/backend azure", "aws/irsa-ok aws-irsa", "aws/podid-ok aws-pod-identity", "gcp/gke-ok gcp"] {
            XCTAssertEqual(v[key]?["state"] as? String, "trusted", "\(key): \(v[key] ?? [:])")
        }
        XCTAssertEqual(failingFields(v["broken/wrong-subject azure"]), ["subject"])
        XCTAssertEqual(failingFields(v["broken/wrong-issuer azure"]), ["issuer"])
        XCTAssertEqual(failingFields(v["broken/wrong-audience azure"]), ["audience"])
        XCTAssertEqual(failingFields(v["aws/irsa-bad-trust aws-irsa"]), ["subject"])
        for key in ["broken/wrong-subject azure", "broken/wrong-issuer azure", "broken/wrong-audience azure", "aws/irsa-bad-trust aws-irsa"] {
            XCTAssertEqual(v[key]?["state"] as? String, "mismatch", key)
            XCTAssertNotNil(v[key]?["checkedAt"] as? String, key)
            XCTAssertNotNil(v[key]?["source"] as? String, key)
        }
        let subject = try XCTUnwrap((v["broken/wrong-subject azure"]?["mismatches"] as? [[String: Any]])?.first)
        XCTAssertEqual(subject["expected"] as? String, "system:serviceaccount:broken:wrongsubject")
        XCTAssertEqual(subject["got"] as? String, "system:serviceaccount:broken:wrong-subject")
        XCTAssertEqual(subject["closest"] as? String, "federated credential aks-wrong-subject")
        XCTAssertTrue((v["broken/wrong-subject azure"]?["fix"] as? String ?? "").hasPrefix("az identity federated-credential update --name 'aks-wrong-subject'"))
        XCTAssertTrue((v["aws/irsa-bad-trust aws-irsa"]?["fix"] as? String ?? "").hasPrefix("aws iam update-assume-role-policy --role-name irsa-bad-trust"))
        // broken/no-role: trusted, but nothing granted: a warning, with the finding.
        XCTAssertEqual(v["broken/no-role azure"]?["state"] as? String, "trusted")
        XCTAssertEqual(v["broken/no-role azure"]?["noRoles"] as? Bool, true)
        let noRole = try InventoryDocument(json: result.stdout).identity("broken", "no-role")
        XCTAssertTrue(InventoryDocument.findingCodes(noRole).contains("no-role-assignment"))
        XCTAssertEqual(noRole["status"] as? String, "warning")
        XCTAssertEqual(try InventoryDocument(json: result.stdout).identity("broken", "wrong-subject")["status"] as? String, "error")
    }

    func testFailOnGatesPipelines() async throws {
        let mismatch = try await WidashCLI.run(["identities", "-A", "--demo", "--fail-on", "mismatch"], timeout: 120)
        XCTAssertEqual(mismatch.exitCode, 1, mismatch.summary)
        XCTAssertTrue(mismatch.stderr.contains("4 binding(s) with trust mismatch"), mismatch.summary)
        XCTAssertTrue(mismatch.stdout.contains("TRUST"), "the table is still printed: \(mismatch.summary)")
        // The full demo operator reads everything: nothing is unknown.
        let unknown = try await WidashCLI.run(["identities", "-A", "--demo", "--fail-on", "unknown", "-o", "json"], timeout: 120)
        XCTAssertEqual(unknown.exitCode, 0, unknown.summary)
        let bad = try await WidashCLI.run(["identities", "--demo", "--no-cloud", "--fail-on", "mismatch"], timeout: 60)
        XCTAssertEqual(bad.exitCode, 2, bad.summary)
    }

    func testTheLimitedOperatorGetsUnknownNamingThePermission() async throws {
        let result = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo", "--demo-operator", "limited", "--fail-on", "unknown"],
                                             timeout: 120)
        XCTAssertEqual(result.exitCode, 1, result.summary)
        let v = try verdicts(result.stdout)
        XCTAssertEqual(v["broken/wrong-subject azure"]?["state"] as? String, "unknown")
        XCTAssertEqual(v["broken/wrong-subject azure"]?["missingPermission"] as? String,
                       "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read")
        XCTAssertEqual(v["aws/irsa-ok aws-irsa"]?["missingPermission"] as? String, "iam:GetRole")
        XCTAssertEqual(v["aws/podid-ok aws-pod-identity"]?["missingPermission"] as? String, "eks:ListPodIdentityAssociations")
        XCTAssertEqual(v["gcp/gke-ok gcp"]?["missingPermission"] as? String, "iam.serviceAccounts.getIamPolicy")
        XCTAssertTrue(v.values.allSatisfy { $0["state"] as? String == "unknown" }, "\(v)")
    }

    func testNoCloudReadsTheClusterOnly() async throws {
        let result = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo", "--no-cloud"], timeout: 120)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        XCTAssertTrue(try verdicts(result.stdout).isEmpty)
        XCTAssertFalse(result.stdout.contains("\"trust\""))
        let table = try await WidashCLI.run(["identities", "-n", "broken", "--demo"], timeout: 120)
        let row = try XCTUnwrap(table.stdout.split(separator: "\n").first { $0.hasPrefix("broken") && $0.contains("wrong-subject") }, table.summary)
        XCTAssertTrue(row.contains("✗ subject"), String(row))
    }

    /// The audit is read-only (no TokenRequest, no exchange), so `--readonly` gives the same verdicts.
    /// (AuditTraceAgreementTests records every request of an in-process read-only audit and shows
    /// none of them is a TokenRequest or an exchange.)
    func testTheAuditRunsUnderReadonlyWithTheSameVerdicts() async throws {
        let plain = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo"], timeout: 120)
        let readonly = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo", "--readonly"], timeout: 120)
        XCTAssertEqual(plain.exitCode, 0, plain.summary)
        XCTAssertEqual(readonly.exitCode, 0, readonly.summary)
        func summary(_ stdout: String) throws -> [String: String] {
            try verdicts(stdout).mapValues { "\($0["state"] ?? "") \(failingFields($0)) \($0["missingPermission"] ?? "-")" }
        }
        let expected = try summary(plain.stdout)
        XCTAssertGreaterThanOrEqual(expected.count, 16, "\(expected)")
        XCTAssertEqual(try summary(readonly.stdout), expected)
        XCTAssertFalse(try summary(readonly.stdout).values.contains { $0.hasPrefix("unknown") }, "read-only must not hide the cloud side")
    }

    /// aws/podid-late: an association made after its pod started. The binding comes from the
    /// association, with the finding and the restart that gives the pod the agent's env.
    func testAPodStartedBeforeItsAssociationIsAFindingWithTheRestart() async throws {
        let result = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo"], timeout: 120)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let late = try InventoryDocument(json: result.stdout).identity("aws", "podid-late")
        let binding = try XCTUnwrap(InventoryDocument.bindings(late).first { $0["provider"] as? String == "aws-pod-identity" }, "\(late)")
        XCTAssertTrue((binding["source"] as? String ?? "").hasPrefix("EKS Pod Identity association "), "\(binding)")
        XCTAssertEqual((binding["trust"] as? [String: Any])?["state"] as? String, "trusted", "\(binding)")
        let finding = try XCTUnwrap((late["findings"] as? [[String: Any]] ?? []).first { $0["code"] as? String == "pod-started-before-association" },
                                    "\(late)")
        XCTAssertTrue((finding["message"] as? String ?? "").contains("podid-late"), "\(finding)")
        XCTAssertTrue((finding["message"] as? String ?? "").contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"), "\(finding)")
        let fix = finding["fix"] as? String ?? ""
        XCTAssertTrue(fix.hasPrefix("kubectl -n aws ") && fix.contains("podid-late")
                      && (fix.contains("rollout restart") || fix.contains("delete pod")), fix)
        XCTAssertEqual(late["status"] as? String, "warning")
        // The pods that started with the env (created after their association) have no such finding.
        let ok = try InventoryDocument(json: result.stdout).identity("aws", "podid-ok")
        XCTAssertFalse(InventoryDocument.findingCodes(ok).contains("pod-started-before-association"))
    }
}
