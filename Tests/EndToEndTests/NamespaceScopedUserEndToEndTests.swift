import Foundation
import WidashSandbox
import WidashSandboxKit
import XCTest

/// Issue "Real-world fidelity", acceptance: an application team's user (the sandbox's
/// `widash-sandbox-shop` context: pods, service accounts and tokens in `shop`, nothing
/// cluster-scoped) gets its namespace's identities and is told what it could not read, never an
/// abort. The sandbox authorizes every read as kube-apiserver's RBAC would (KubeUsers.swift).
final class NamespaceScopedUserEndToEndTests: XCTestCase {
    private var sandbox: InProcessSandbox?

    override func setUp() async throws {
        sandbox = try await InProcessSandbox.start()
    }

    override func tearDown() async throws {
        await sandbox?.stop()
        sandbox = nil
    }

    private func run(_ arguments: [String]) async throws -> ChildResult {
        let sandbox = try XCTUnwrap(sandbox)
        let context = sandbox.server.info.namespacedContext
        // SSL_CERT_FILE: the public discovery check reaches the issuer as anyone would, through the system trust.
        return try await WidashCLI.run(arguments + ["--kubeconfig", try sandbox.kubeconfigPath(), "--context", context],
                                       environment: ["SSL_CERT_FILE": sandbox.server.info.caFile ?? ""])
    }

    private func clusterFindings(_ stdout: String) throws -> [[String: Any]] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], stdout)
        return object["clusterFindings"] as? [[String: Any]] ?? []
    }

    func testItsOwnNamespaceListsWithNothingClusterWideRequired() async throws {
        let result = try await run(["identities", "-n", "shop", "-o", "json", "--no-cloud"])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let inventory = try InventoryDocument(json: result.stdout)
        XCTAssertEqual(Set(inventory.identities.compactMap { $0["namespace"] as? String }), ["shop"], "\(inventory.identityKeys)")
        XCTAssertTrue(Set(inventory.identityKeys).isSuperset(of: ["shop/frontend", "shop/backend"]), "\(inventory.identityKeys)")
        let frontend = try inventory.identity("shop", "frontend")
        XCTAssertTrue(InventoryDocument.bindings(frontend).contains { $0["provider"] as? String == "azure" }, "\(frontend)")
        // What it may not read is said, with the permission, and nothing more is claimed.
        let messages = try clusterFindings(result.stdout).compactMap { $0["message"] as? String }
        XCTAssertTrue(messages.contains { $0.contains(#"needs RBAC permission "list mutatingwebhookconfigurations.admissionregistration.k8s.io" cluster-wide"#) },
                      "\(messages)")
        XCTAssertFalse(messages.contains { $0.contains("all namespaces") }, "-n shop asks nothing cluster-wide: \(messages)")
    }

    func testAllNamespacesShowsWhatItCanAndSaysWhatItCannot() async throws {
        let table = try await run(["identities", "-A", "--no-cloud"])
        XCTAssertEqual(table.exitCode, 0, table.summary)
        XCTAssertTrue(table.stdout.contains("frontend"), table.stdout)
        XCTAssertTrue(table.stdout.contains(#"needs RBAC permission"#), table.stdout)

        let result = try await run(["identities", "-A", "-o", "json", "--no-cloud"])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let inventory = try InventoryDocument(json: result.stdout)
        XCTAssertEqual(Set(inventory.identities.compactMap { $0["namespace"] as? String }), ["shop"],
                       "the context's namespace, the only one it may list: \(inventory.identityKeys)")
        let findings = try clusterFindings(result.stdout)
        XCTAssertTrue(findings.allSatisfy { $0["code"] as? String == "not-readable" && $0["severity"] as? String == "warning" }, "\(findings)")
        let messages = findings.compactMap { $0["message"] as? String }
        XCTAssertTrue(messages.contains { $0.contains(#"service accounts and pods in all namespaces (403, needs RBAC permission "list serviceaccounts" cluster-wide); showing namespace shop only"#) },
                      "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("mutating webhook configurations (403") }, "\(messages)")
        XCTAssertTrue(findings.allSatisfy { ($0["fix"] as? String)?.contains("kubectl auth can-i") == true }, "\(findings)")
    }

    func testDoctorWarnsWithThePermissionInsteadOfFailing() async throws {
        let result = try await run(["doctor", "-o", "json"])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.stdout)
        func check(_ name: String) -> (status: String, detail: String)? {
            items.first { $0["name"] as? String == name }.map { ($0["status"] as? String ?? "", $0["detail"] as? String ?? "") }
        }
        XCTAssertEqual(check("API server")?.status, "pass", "\(items)")
        XCTAssertEqual(check("issuer")?.status, "pass", "\(items)")
        let webhooks = try XCTUnwrap(check("webhooks"), "\(items)")
        XCTAssertEqual(webhooks.status, "warn")
        XCTAssertTrue(webhooks.detail.contains(#""list mutatingwebhookconfigurations.admissionregistration.k8s.io" cluster-wide"#), webhooks.detail)
        let agent = try XCTUnwrap(check("EKS Pod Identity agent"), "\(items)")
        XCTAssertEqual(agent.status, "warn")
        XCTAssertTrue(agent.detail.contains(#""get daemonsets.apps" in namespace "kube-system""#), agent.detail)
        XCTAssertEqual(check("namespaces")?.status, "warn", "\(items)")
    }
}
