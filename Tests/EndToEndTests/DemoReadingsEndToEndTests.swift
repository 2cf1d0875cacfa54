import Foundation
import WidashCore
import WidashSandboxKit
import XCTest

/// What `widash identities` says about each demo pod, checked against what the upstream webhooks
/// and SDKs do with a pod shaped like it (the demo's workloads are listed in
/// `WidashSandbox/Scenarios/DemoScenario.swift`; the rules and their sources in
/// `WidashCore/Identity/WebhookRules.swift`). `ReadingAgreementTests` only checks that the front
/// ends agree with each other; this checks that what they agree on is right. The demo's
/// broken/stale-token pod is left out on purpose (its sandbox behaviour is being changed).
final class DemoReadingsEndToEndTests: XCTestCase {
    /// One service account of the demo, its (single) pod and the findings about them.
    struct Reading {
        var entry: [String: Any]
        var pod: [String: Any]
        var findings: [[String: Any]]

        var provider: String? { pod["provider"] as? String }
        var injected: Bool? { pod["injected"] as? Bool }
        var codes: [String] { findings.compactMap { $0["code"] as? String }.sorted() }
        var status: String? { entry["status"] as? String }
        var errors: [String] { findings.filter { $0["severity"] as? String == "error" }.compactMap { $0["code"] as? String } }
        func finding(_ code: FindingCode) -> [String: Any]? { findings.first { $0["code"] as? String == code.rawValue } }
        func message(_ code: FindingCode) -> String { finding(code)?["message"] as? String ?? "" }
        var bindings: [[String: Any]] { InventoryDocument.bindings(entry) }
    }

    func testEachDemoPodHasTheProviderAndFindingsTheUpstreamRulesGive() async throws {
        let result = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo", "--no-cloud"], timeout: 120)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        let inventory = try InventoryDocument(json: result.stdout)

        func reading(_ namespace: String, _ name: String, pod podName: String? = nil,
                     file: StaticString = #filePath, line: UInt = #line) throws -> Reading {
            let entry = try inventory.identity(namespace, name, file: file, line: line)
            let pods = InventoryDocument.pods(entry)
            let pod = try XCTUnwrap(pods.first { $0["name"] as? String == podName ?? name }, "no pod \(namespace)/\(podName ?? name): \(pods)",
                                    file: file, line: line)
            return Reading(entry: entry, pod: pod, findings: entry["findings"] as? [[String: Any]] ?? [])
        }
        let code = { (c: FindingCode) in c.rawValue }

        // MARK: AWS

        // amazon-eks-pod-identity-webhook handler.go: with an association only the container-credentials
        // env is injected, whatever role the service account names: Pod Identity, healthy, with a note.
        let podidWithRole = try reading("aws", "podid-with-role")
        XCTAssertEqual(podidWithRole.provider, "aws-pod-identity", "\(podidWithRole.pod)")
        XCTAssertEqual(podidWithRole.injected, true)
        XCTAssertEqual(podidWithRole.codes, [code(.podIdentityPrecedence)], "\(podidWithRole.findings)")
        XCTAssertEqual(podidWithRole.finding(.podIdentityPrecedence)?["severity"] as? String, "info")
        XCTAssertTrue(podidWithRole.message(.podIdentityPrecedence).contains(DemoDirectory.podIdentityWithRoleOldIRSARoleARN),
                      podidWithRole.message(.podIdentityPrecedence))
        XCTAssertEqual(podidWithRole.status, "ok")

        let podidOK = try reading("aws", "podid-ok")
        XCTAssertEqual(podidOK.provider, "aws-pod-identity")
        XCTAssertEqual(podidOK.injected, true)
        XCTAssertEqual(podidOK.codes, [])

        // botocore create_credential_resolver: web identity before the container provider.
        let both = try reading("aws", "both-creds")
        XCTAssertEqual(both.provider, "aws-irsa", "\(both.pod)")
        XCTAssertEqual(both.injected, true)
        XCTAssertEqual(both.codes, [code(.unusedCredentialEnv)], "\(both.findings)")
        XCTAssertTrue(both.message(.unusedCredentialEnv).contains("uses role \(DemoDirectory.bothCredsRoleARN)"), both.message(.unusedCredentialEnv))
        XCTAssertTrue(both.message(.unusedCredentialEnv).contains("the Pod Identity env is dead weight"), both.message(.unusedCredentialEnv))

        // The env provider comes first: static keys shadow the role; the variable and its source are named.
        let keys = try reading("aws", "static-keys")
        XCTAssertEqual(keys.provider, "aws-irsa")
        XCTAssertEqual(keys.codes, [code(.staticCredentialsShadowFederation)], "\(keys.findings)")
        XCTAssertTrue(keys.message(.staticCredentialsShadowFederation).contains("sets AWS_ACCESS_KEY_ID (from secret s3-reader-keys key access-key-id)"),
                      keys.message(.staticCredentialsShadowFederation))

        for name in ["irsa-ok", "irsa-bad-trust"] {
            let irsa = try reading("aws", name)
            XCTAssertEqual(irsa.provider, "aws-irsa", name)
            XCTAssertEqual(irsa.injected, true, name)
            XCTAssertEqual(irsa.codes, [], "\(name): the trust problem is the cloud's, --no-cloud does not read it: \(irsa.findings)")
        }

        // An association made after the pod started (the cluster alone cannot tell it): nothing injected,
        // the service account names nothing, so no federation and nothing claimed.
        let late = try reading("aws", "podid-late")
        XCTAssertNil(late.provider, "\(late.pod)")
        XCTAssertEqual(late.codes, [])

        // MARK: Azure

        // A container's own AZURE_CLIENT_ID (the webhook adds only unset variables): no annotation, no error.
        let checkout = try reading("shop", "checkout")
        let checkoutID = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "checkout")?.clientID)
        XCTAssertEqual(checkout.provider, "azure")
        XCTAssertEqual(checkout.injected, true)
        XCTAssertEqual(checkout.codes, [], "\(checkout.findings)")
        XCTAssertEqual(checkout.status, "ok")
        let checkoutBinding = try XCTUnwrap(checkout.bindings.first { $0["provider"] as? String == "azure" }, "\(checkout.bindings)")
        XCTAssertEqual(checkoutBinding["cloudIdentity"] as? String, checkoutID)
        XCTAssertEqual(checkoutBinding["source"] as? String, "pod: env AZURE_CLIENT_ID of container checkout")

        // DefaultAzureCredential tries EnvironmentCredential first.
        let secret = try reading("broken", "static-secret")
        XCTAssertEqual(secret.provider, "azure")
        XCTAssertEqual(secret.codes, [code(.staticCredentialsShadowFederation)], "\(secret.findings)")
        XCTAssertTrue(secret.message(.staticCredentialsShadowFederation).contains("sets AZURE_CLIENT_SECRET (from secret kv-reader-sp key client-secret)"),
                      secret.message(.staticCredentialsShadowFederation))

        for name in ["frontend", "backend"] {
            let shop = try reading("shop", name)
            XCTAssertEqual(shop.provider, "azure", name)
            XCTAssertEqual(shop.injected, true, "\(name): \(shop.findings)")
            XCTAssertEqual(shop.codes, [], name)
        }
        for name in ["wrong-subject", "wrong-issuer", "wrong-audience", "no-role"] {
            let broken = try reading("broken", name)
            XCTAssertEqual(broken.provider, "azure", name)
            XCTAssertEqual(broken.injected, true, name)
            XCTAssertEqual(broken.errors, [], "\(name): its problem is the cloud side's: \(broken.findings)")
        }

        let noClientID = try reading("broken", "no-client-id")
        XCTAssertEqual(noClientID.codes, [code(.missingClientID)], "\(noClientID.findings)")
        let noLabel = try reading("broken", "no-label")
        XCTAssertEqual(noLabel.injected, false)
        XCTAssertEqual(noLabel.codes, [code(.missingUseLabel)], "\(noLabel.findings)")

        // kube-system: AKS's admissions enforcer keeps webhooks out, but only on AKS (an AKS issuer
        // or namespaces labelled kubernetes.azure.com/managedby: aks); elsewhere the usual cause.
        let reporter = try reading("kube-system", "node-reporter")
        XCTAssertEqual(reporter.provider, "azure")
        XCTAssertEqual(reporter.injected, false)
        XCTAssertEqual(reporter.codes, [code(.notInjected)], "\(reporter.findings)")
        let notInjected = try XCTUnwrap(reporter.finding(.notInjected))
        let message = notInjected["message"] as? String ?? ""
        let fix = notInjected["fix"] as? String ?? ""
        let issuer = try XCTUnwrap(inventory.root["issuer"] as? String)
        let aks = URLComponents(string: issuer)?.host?.hasSuffix(".oic.prod-aks.azure.com") == true
        if aks {
            XCTAssertTrue(message.contains("AKS's admissions enforcer"), message)
            XCTAssertFalse(fix.contains("rollout restart"), fix)
        } else {
            XCTAssertFalse(message.contains("admissions enforcer"), "the demo issuer \(issuer) is not AKS's: \(message)")
            XCTAssertTrue(message.contains("has no injected AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST: "
                                           + "the webhook azure-wi-webhook-mutating-webhook-configuration is installed"), message)
            XCTAssertEqual(fix, "kubectl -n kube-system rollout restart deployment/node-reporter")
        }

        // MARK: GKE and legacy

        // GKE injects nothing: never "not injected".
        let gke = try reading("gcp", "gke-ok")
        XCTAssertEqual(gke.provider, "gcp")
        XCTAssertEqual(gke.injected, true)
        XCTAssertFalse(gke.codes.contains(code(.notInjected)), "\(gke.findings)")

        // aad-pod-identity: no webhook, no federation; the AzureIdentityBinding's label selects the pod.
        let legacy = try reading("legacy", "default", pod: "legacy-app")
        XCTAssertEqual(legacy.provider, "azure-pod-identity")
        XCTAssertTrue(legacy.codes.contains(code(.legacyPodIdentity)), "\(legacy.findings)")
    }
}
