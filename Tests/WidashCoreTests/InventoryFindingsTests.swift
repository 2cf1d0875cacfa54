import XCTest
@testable import WidashCore

final class InventoryFindingsTests: XCTestCase {
    func testHealthyAzurePodHasNoFindingsAndStatusOK() {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA(), Fx.sa("shop", "default")],
                                           pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel, injected: Fx.azureInjected())],
                                           webhooks: [Fx.azureWebhook], issuer: "https://issuer.example", issuerDiscoveryReachable: true))
        XCTAssertEqual(inv.allFindings, [])
        XCTAssertEqual(inv.entry("shop/front")?.status, .ok)
        XCTAssertEqual(inv.entry("shop/default")?.status, IdentityStatus.none)
        XCTAssertEqual(inv.entry("shop/default")?.bindings, [])
        XCTAssertEqual(inv.identities.map(\.key), ["shop/default", "shop/front"])
        XCTAssertEqual(inv.webhooks.map(\.kind), ["azure"])
        XCTAssertEqual(inv.entry("shop/front")?.pods.first?.injected, true)
    }

    func testMissingUseLabel() throws {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()], pods: [Fx.pod("shop", "front-7d9c5b-x2")],
                                           webhooks: [Fx.azureWebhook]))
        let f = try XCTUnwrap(inv.findings(.missingUseLabel).first)
        XCTAssertEqual(f.severity, .error)
        XCTAssertEqual(f.subject, "shop/front-7d9c5b-x2")
        XCTAssertEqual(f.message, "pod shop/front-7d9c5b-x2 uses service account front, federated to Azure client id "
                       + "\(Fx.clientID), but lacks the label azure.workload.identity/use: \"true\"; the webhook only injects "
                       + "the token into labelled pods")
        XCTAssertEqual(f.fix, "kubectl -n shop patch deployment/front --type merge -p "
                       + #"'{"spec":{"template":{"metadata":{"labels":{"azure.workload.identity/use":"true"}}}}}'"#)
        XCTAssertEqual(inv.findings(.notInjected), [], "the missing label is the cause; not-injected would repeat it")
        XCTAssertEqual(inv.entry("shop/front")?.status, .error)

        let wrongValue = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()],
                                                  pods: [Fx.pod("shop", "p", labels: [IdentityAnnotation.azureUseLabel: "True"], owner: nil)]))
        let g = try XCTUnwrap(wrongValue.findings(.missingUseLabel).first)
        XCTAssertTrue(g.message.contains("has azure.workload.identity/use: \"True\""), g.message)
        XCTAssertTrue(g.fix.contains("kubectl -n shop delete pod p"), g.fix)
    }

    func testLabelledPodWhoseServiceAccountHasNoClientID() throws {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.sa("shop", "front", [IdentityAnnotation.azureTenantID: Fx.tenantID])],
                                           pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel)]))
        let f = try XCTUnwrap(inv.findings(.missingClientID).first)
        XCTAssertEqual(f.severity, .error)
        XCTAssertEqual(f.message, "pod shop/front-1 is labelled azure.workload.identity/use: \"true\" but its service account "
                       + "shop/front has no azure.workload.identity/client-id annotation and no container sets AZURE_CLIENT_ID, "
                       + "so no Azure identity is bound")
        XCTAssertEqual(f.fix, "kubectl -n shop annotate serviceaccount front azure.workload.identity/client-id=<CLIENT_ID>, "
                       + "then kubectl -n shop rollout restart deployment/front")
        XCTAssertEqual(inv.entry("shop/front")?.status, .error)
    }

    func testAzureTokenExpirationOutOfRange() throws {
        for value in ["600", "90000", "1h"] {
            let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA(extra: [IdentityAnnotation.azureTokenExpiration: value])]))
            let f = try XCTUnwrap(inv.findings(.azureTokenExpirationOutOfRange).first, value)
            XCTAssertEqual(f.subject, "shop/front")
            XCTAssertEqual(f.message, "annotation azure.workload.identity/service-account-token-expiration is \"\(value)\"; the "
                           + "Azure webhook accepts 3600–86400 seconds and rejects pods of this service account")
            XCTAssertEqual(f.fix, "kubectl -n shop annotate serviceaccount front "
                           + "azure.workload.identity/service-account-token-expiration=3600 --overwrite")
        }
        for value in ["3600", "86400"] {
            let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA(extra: [IdentityAnnotation.azureTokenExpiration: value])]))
            XCTAssertEqual(inv.findings(.azureTokenExpirationOutOfRange), [], value)
        }
    }

    func testNotInjectedBecauseCreatedBeforeTheWebhook() throws {
        let webhook = Fx.webhook("azure-wi-webhook-mutating-webhook-configuration", webhook: "mutation.azure-workload-identity.io",
                                 created: "2026-05-28T19:00:00Z")
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()],
                                           pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel, created: "2026-05-28T18:00:00Z")],
                                           webhooks: [webhook]))
        let f = try XCTUnwrap(inv.findings(.notInjected).first)
        XCTAssertEqual(f.message, "pod shop/front-1 uses service account front (annotation azure.workload.identity/client-id = "
                       + "\(Fx.clientID)) but has no injected AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, "
                       + "AZURE_AUTHORITY_HOST: it was created at 2026-05-28T18:00:00Z, before the webhook "
                       + "azure-wi-webhook-mutating-webhook-configuration was installed at 2026-05-28T19:00:00Z")
        XCTAssertEqual(f.fix, "kubectl -n shop rollout restart deployment/front")
        XCTAssertEqual(inv.entry("shop/front")?.pods.first?.injected, false)
    }

    func testNotInjectedBecauseWebhookMissing() throws {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()],
                                           pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel)], webhooks: [Fx.otherWebhook]))
        let f = try XCTUnwrap(inv.findings(.notInjected).first)
        XCTAssertTrue(f.message.hasSuffix(": the Azure workload identity webhook is not installed"), f.message)
        XCTAssertTrue(f.fix.hasPrefix("install the webhook (az aks update"), f.fix)
        // Webhooks unknown (not listed): the finding says both possibilities.
        let unknown = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()], pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel)]))
        let g = try XCTUnwrap(unknown.findings(.notInjected).first)
        XCTAssertTrue(g.message.hasSuffix("or the webhook is missing"), g.message)
    }

    func testIRSANotInjected() throws {
        let sa = Fx.sa("shop", "reader", [IdentityAnnotation.awsRoleARN: Fx.roleARN])
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [sa],
                                           pods: [Fx.pod("shop", "reader-1", sa: "reader"),
                                                  Fx.pod("shop", "reader-2", sa: "reader", injected: Fx.irsaInjected())],
                                           webhooks: [Fx.awsWebhook]))
        let f = inv.findings(.notInjected)
        XCTAssertEqual(f.map(\.subject), ["shop/reader-1"])
        XCTAssertTrue(f.first?.message.contains("has no injected AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE") ?? false)
        XCTAssertTrue(f.first?.message.contains("the webhook pod-identity-webhook is installed") ?? false)
        let pods = inv.entry("shop/reader")?.pods
        XCTAssertEqual(pods?.map(\.injected), [false, true])
        XCTAssertEqual(pods?.last?.audience, "sts.amazonaws.com")
        XCTAssertEqual(pods?.last?.tokenTTLSeconds, 86400)
        XCTAssertEqual(pods?.last?.injectedEnv, ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_STS_REGIONAL_ENDPOINTS"])
    }

    func testTokenVolumeMissing() throws {
        var broken = Fx.azureInjected()
        broken.volumes = []
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()],
                                           pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel, injected: broken)],
                                           webhooks: [Fx.azureWebhook]))
        let f = try XCTUnwrap(inv.findings(.tokenVolumeMissing).first)
        XCTAssertEqual(f.message, "pod shop/front-1 has AZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/azure/tokens/azure-identity-token "
                       + "but no projected serviceAccountToken volume is mounted at that path, so the SDK will find no token file")
    }

    func testLegacyPodIdentityInUse() throws {
        let id = AzureIdentity(metadata: ObjectMeta(name: "reader-id", namespace: "shop"), spec: .init(clientID: "legacy-client"))
        let binding = AzureIdentityBinding(metadata: ObjectMeta(name: "reader-binding", namespace: "shop"),
                                           spec: .init(azureIdentity: "reader-id", selector: "reader"))
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.sa("shop", "front")],
                                           pods: [Fx.pod("shop", "front-1", labels: ["aadpodidbinding": "reader"])],
                                           azureIdentities: [id], azureIdentityBindings: [binding], issuer: "https://issuer.example"))
        let f = try XCTUnwrap(inv.findings(.legacyPodIdentity).first)
        XCTAssertEqual(f.severity, .warning)
        XCTAssertEqual(f.message, "pod shop/front-1 still gets its identity from aad-pod-identity (AzureIdentityBinding "
                       + "shop/reader-binding, selector reader, AzureIdentity reader-id, client id legacy-client); "
                       + "aad-pod-identity is deprecated and no longer maintained")
        XCTAssertTrue(f.fix.hasPrefix("az identity federated-credential create --name shop-front --identity-name <IDENTITY_NAME> "
                                      + "--resource-group <RESOURCE_GROUP> --issuer https://issuer.example "
                                      + "--subject system:serviceaccount:shop:front"), f.fix)
        XCTAssertEqual(inv.entry("shop/front")?.status, .warning)
    }

    func testIssuerFindings() throws {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()], issuer: "http://10.0.0.1:6443",
                                           issuerDiscoveryReachable: false))
        let notHTTPS = try XCTUnwrap(inv.findings(.issuerNotHTTPS).first)
        XCTAssertEqual(notHTTPS.subject, "cluster")
        XCTAssertEqual(notHTTPS.severity, .error)
        XCTAssertTrue(notHTTPS.message.hasPrefix("the service-account issuer is http://10.0.0.1:6443, not an HTTPS URL"))
        let unreachable = try XCTUnwrap(inv.findings(.issuerDiscoveryUnreachable).first)
        XCTAssertTrue(unreachable.message.hasPrefix("the discovery document http://10.0.0.1:6443/.well-known/openid-configuration"))
        XCTAssertTrue(unreachable.fix.hasPrefix("curl -sSf http://10.0.0.1:6443/.well-known/openid-configuration"))
        XCTAssertEqual(inv.entry("shop/front")?.status, .ok, "cluster findings do not change identity status")

        // Without federated identities the issuer is only informational.
        let quiet = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.sa("shop", "x")], issuer: "http://10.0.0.1:6443"))
        XCTAssertEqual(quiet.findings(.issuerNotHTTPS).first?.severity, .info)
        let fine = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()], issuer: "https://oidc.example/abc/",
                                            issuerDiscoveryReachable: true))
        XCTAssertEqual(fine.clusterFindings, [])
    }

    func testAzureWebhookMissingOnlyWhenWebhooksAreKnown() throws {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA(), Fx.azureSA("pay", "api")], webhooks: [Fx.awsWebhook]))
        let f = try XCTUnwrap(inv.findings(.azureWebhookMissing).first)
        XCTAssertEqual(f.subject, "cluster")
        XCTAssertEqual(f.message, "2 service account(s) are annotated for Azure workload identity (pay/api, shop/front) but no "
                       + "Azure workload identity webhook is installed, so no pod gets a token")
        XCTAssertEqual(Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()])).findings(.azureWebhookMissing), [],
                       "webhook list not read: say nothing")
        XCTAssertEqual(Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()], webhooksListed: true)).findings(.azureWebhookMissing).count, 1)
        XCTAssertEqual(Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()], webhooks: [Fx.azureWebhook])).findings(.azureWebhookMissing), [])
    }

    func testInvalidRoleARN() throws {
        let sa = Fx.sa("shop", "reader", [IdentityAnnotation.awsRoleARN: "arn:aws:iam::1234:role/reader"])
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [sa]))
        let f = try XCTUnwrap(inv.findings(.invalidRoleARN).first)
        XCTAssertEqual(f.subject, "shop/reader")
        XCTAssertEqual(f.message, "annotation eks.amazonaws.com/role-arn is \"arn:aws:iam::1234:role/reader\", which is not an IAM "
                       + "role ARN (expected arn:aws:iam::<12-digit account>:role/<name>); STS will refuse AssumeRoleWithWebIdentity")
        XCTAssertEqual(f.fix, "kubectl -n shop annotate serviceaccount reader eks.amazonaws.com/role-arn="
                       + "arn:aws:iam::<ACCOUNT_ID>:role/<ROLE_NAME> --overwrite")
        XCTAssertNil(inv.entry("shop/reader")?.bindings.first?.tenant)
    }

    func testPodWithMissingServiceAccountGetsAnEntry() throws {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [], pods: [Fx.pod("shop", "orphan", sa: "ghost")]))
        let entry = try XCTUnwrap(inv.entry("shop/ghost"))
        XCTAssertEqual(entry.findings.map(\.code), ["service-account-missing"])
        XCTAssertEqual(entry.pods.map(\.name), ["orphan"])
        XCTAssertEqual(entry.status, .warning)
        // No serviceAccountName means `default`.
        let d = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.sa("shop", "default")], pods: [Fx.pod("shop", "p", sa: nil)]))
        XCTAssertEqual(d.entry("shop/default")?.pods.map(\.name), ["p"])
    }

    func testEveryFindingCodeIsProducedByThisSuite() {
        // Guards against adding a code without a test above.
        XCTAssertEqual(FindingCode.allCases.count, 21, "a new finding code needs its test (here, in PodReaderTests or in TrustFoldingTests)")
    }
}
