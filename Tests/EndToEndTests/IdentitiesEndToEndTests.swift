import Foundation
import WidashSandbox
import WidashSandboxKit
import XCTest

/// `widash identities` run as a subprocess against the sandbox started in this process, reached
/// through the kubeconfig the sandbox wrote: the real kubeconfig → libcurl → TLS path.
final class IdentitiesEndToEndTests: XCTestCase {
    private var sandbox: InProcessSandbox?

    override func setUp() async throws {
        sandbox = try await InProcessSandbox.start()
    }

    override func tearDown() async throws {
        await sandbox?.stop()
        sandbox = nil
    }

    private func kubeconfig() throws -> String {
        try XCTUnwrap(sandbox).kubeconfigPath()
    }

    func testJSONInventoryHasTheDemoBindingsPodsAndFindings() async throws {
        let result = try await WidashCLI.run(["identities", "-A", "-o", "json", "--kubeconfig", try kubeconfig()])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        XCTAssertEqual(result.stderr, "", "nothing belongs on stderr when the command succeeds")
        let inventory = try InventoryDocument(json: result.stdout)

        // shop/frontend: an Azure binding to the demo app, a mutated pod with a token schedule.
        let frontend = try inventory.identity("shop", "frontend")
        let frontendSpec = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "frontend"))
        let azure = try XCTUnwrap(InventoryDocument.bindings(frontend).first { $0["provider"] as? String == "azure" },
                                  "no azure binding: \(frontend)")
        XCTAssertEqual(azure["cloudIdentity"] as? String, frontendSpec.clientID)
        XCTAssertEqual(azure["tenant"] as? String, DemoDirectory.tenantID)
        let pod = try XCTUnwrap(InventoryDocument.pods(frontend).first { $0["name"] as? String == "frontend" }, "\(frontend)")
        XCTAssertEqual(pod["injected"] as? Bool, true, "\(pod)")
        XCTAssertEqual(pod["audience"] as? String, DemoDirectory.tokenExchangeAudience)
        let schedule = try XCTUnwrap(pod["schedule"] as? [String: Any], "the injected pod has no token schedule: \(pod)")
        let issued = try XCTUnwrap(schedule["issuedAt"] as? String)
        let refresh = try XCTUnwrap(schedule["refreshAt"] as? String)
        let expires = try XCTUnwrap(schedule["expiresAt"] as? String)
        XCTAssertLessThan(issued, refresh, "ISO timestamps in UTC order as strings: \(schedule)")
        XCTAssertLessThan(refresh, expires, "\(schedule)")
        XCTAssertGreaterThan((schedule["ttlSeconds"] as? NSNumber)?.intValue ?? 0, 0, "\(schedule)")

        // The broken namespace's findings.
        let noLabel = try inventory.identity("broken", "no-label")
        XCTAssertTrue(InventoryDocument.findingCodes(noLabel).contains("missing-use-label"), "\(noLabel)")
        let noClientID = try inventory.identity("broken", "no-client-id")
        XCTAssertTrue(InventoryDocument.findingCodes(noClientID).contains("missing-client-id"), "\(noClientID)")

        // Legacy aad-pod-identity: on the legacy namespace's service account (or cluster-wide).
        let legacyCodes = inventory.identities.filter { $0["namespace"] as? String == "legacy" }
            .flatMap(InventoryDocument.findingCodes) + inventory.clusterFindingCodes
        XCTAssertTrue(legacyCodes.contains("legacy-pod-identity"), "legacy findings: \(legacyCodes)")

        // AWS and GCP bindings.
        let irsa = InventoryDocument.bindings(try inventory.identity("aws", "irsa-ok"))
        XCTAssertTrue(irsa.contains { $0["provider"] as? String == "aws-irsa" && $0["cloudIdentity"] as? String == DemoDirectory.irsaOKRoleARN },
                      "\(irsa)")
        let gke = InventoryDocument.bindings(try inventory.identity("gcp", "gke-ok"))
        XCTAssertTrue(gke.contains { $0["provider"] as? String == "gcp" && $0["cloudIdentity"] as? String == DemoDirectory.gkeServiceAccount },
                      "\(gke)")

        XCTAssertTrue(Set(inventory.webhookKinds).isSuperset(of: ["azure", "aws"]), "webhooks: \(inventory.webhookKinds)")
        XCTAssertEqual(inventory.root["issuer"] as? String, try XCTUnwrap(sandbox).server.info.issuer)
    }

    func testYAMLOutputCarriesTheJSONFieldsWithTheirTypes() async throws {
        let path = try kubeconfig()
        async let yamlRun = WidashCLI.run(["identities", "-n", "shop", "-o", "yaml", "--kubeconfig", path])
        async let jsonRun = WidashCLI.run(["identities", "-n", "shop", "-o", "json", "--kubeconfig", path])
        let (yaml, json) = try await (yamlRun, jsonRun)
        XCTAssertEqual(yaml.exitCode, 0, yaml.summary)
        XCTAssertEqual(json.exitCode, 0, json.summary)

        // Scalars as a YAML reader reads them: strings, integers and booleans, as in the JSON.
        let lines = Set(yaml.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let expected = ["namespace: shop", "name: frontend", "provider: azure",
                        "cloudIdentity: a1f3c6e0-1d2b-4e5f-8a9b-0c1d2e3f4a51", "audience: api://AzureADTokenExchange",
                        "injected: true", "tokenExpirationSeconds: 3600", "tokenTTLSeconds: 3600"]
        let missing = expected.filter { !lines.contains($0) && !lines.contains("- " + $0) }
        XCTAssertEqual(missing, [], "these lines are not in the YAML output:\n\(yaml.stdout.prefix(2000))")

        // With a YAML library at hand: the YAML document equals the JSON one (token schedules aside,
        // they follow the clock), types included.
        let python = try PythonPeer.find(module: "yaml")
        let directory = try TemporaryDirectory("yaml")
        defer { directory.remove() }
        let yamlFile = try directory.write(yaml.stdout, to: "inventory.yaml")
        let jsonFile = try directory.write(json.stdout, to: "inventory.json")
        let script = """
            import json, sys, yaml
            def strip(v):
                if isinstance(v, dict): return {k: strip(x) for k, x in v.items() if k != "schedule"}
                if isinstance(v, list): return [strip(x) for x in v]
                return v
            a = json.dumps(strip(yaml.safe_load(open(sys.argv[1]))), sort_keys=True)
            b = json.dumps(strip(json.load(open(sys.argv[2]))), sort_keys=True)
            if a != b:
                print("YAML:", a[:1500]); print("JSON:", b[:1500]); sys.exit(1)
            """
        let compared = try await WidashCLI.runProgram(python.executable, python.prefix + ["-c", script, yamlFile, jsonFile],
                                                      environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(compared.exitCode, 0, "YAML and JSON outputs differ:\n\(compared.summary)")
    }

    func testTableHasTheHeaderAndARowPerServiceAccount() async throws {
        let result = try await WidashCLI.run(["identities", "-A", "-o", "table", "--kubeconfig", try kubeconfig()])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first)
        for column in ["NAMESPACE", "SERVICE ACCOUNT", "PROVIDER", "IDENTITY", "PODS", "STATUS"] {
            XCTAssertTrue(header.contains(column), "header lacks \(column): \(header)")
        }
        func row(_ namespace: String, _ name: String) -> String? {
            lines.first { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return fields.count >= 2 && fields[0] == namespace && fields[1] == name
            }
        }
        XCTAssertNotNil(row("shop", "frontend"), result.stdout)
        XCTAssertNotNil(row("aws", "irsa-ok"), result.stdout)
        XCTAssertNotNil(row("gcp", "gke-ok"), result.stdout)
        XCTAssertTrue(row("broken", "no-label")?.contains("error") ?? false, "no-label's status: \(row("broken", "no-label") ?? "missing")")
    }

    func testNamespaceFlagListsOnlyThatNamespace() async throws {
        let result = try await WidashCLI.run(["identities", "-n", "shop", "-o", "json", "--kubeconfig", try kubeconfig()])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let inventory = try InventoryDocument(json: result.stdout)
        XCTAssertFalse(inventory.identities.isEmpty)
        XCTAssertEqual(Set(inventory.identities.compactMap { $0["namespace"] as? String }), ["shop"], "\(inventory.identityKeys)")
        XCTAssertTrue(Set(inventory.identityKeys).isSuperset(of: ["shop/frontend", "shop/backend"]), "\(inventory.identityKeys)")
    }

    func testLimitedViewerContextStillLists() async throws {
        let viewer = try XCTUnwrap(sandbox).server.info.viewerContext
        let result = try await WidashCLI.run(["identities", "-A", "-o", "json", "--kubeconfig", try kubeconfig(), "--context", viewer])
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let inventory = try InventoryDocument(json: result.stdout)
        let frontend = try inventory.identity("shop", "frontend")
        XCTAssertTrue(InventoryDocument.bindings(frontend).contains { $0["provider"] as? String == "azure" }, "\(frontend)")
        XCTAssertTrue(Set(inventory.identityKeys).isSuperset(of: ["broken/no-label", "aws/irsa-ok", "gcp/gke-ok"]),
                      "\(inventory.identityKeys)")
    }
}
