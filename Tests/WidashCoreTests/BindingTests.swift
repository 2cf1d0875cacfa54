import XCTest
@testable import WidashCore

final class BindingTests: XCTestCase {
    func testAzureBindingFromAnnotations() {
        let (bindings, findings) = BindingExtractor.bindings(for: Fx.azureSA(extra: [IdentityAnnotation.azureTokenExpiration: "7200"]))
        XCTAssertEqual(findings, [])
        XCTAssertEqual(bindings, [IdentityBinding(provider: .azure, cloudIdentity: Fx.clientID, tenant: Fx.tenantID,
                                                  audience: "api://AzureADTokenExchange", tokenExpirationSeconds: 7200,
                                                  source: "annotation azure.workload.identity/client-id")])
    }

    func testIRSABindingParsesAccountFromARN() {
        let sa = Fx.sa("shop", "reader", [IdentityAnnotation.awsRoleARN: Fx.roleARN,
                                          IdentityAnnotation.awsAudience: "sts.example",
                                          IdentityAnnotation.awsTokenExpiration: "3600",
                                          IdentityAnnotation.awsSTSRegionalEndpoints: "true"])
        let (bindings, findings) = BindingExtractor.bindings(for: sa)
        XCTAssertEqual(findings, [])
        XCTAssertEqual(bindings, [IdentityBinding(provider: .awsIRSA, cloudIdentity: Fx.roleARN, tenant: "123456789012",
                                                  audience: "sts.example", tokenExpirationSeconds: 3600,
                                                  source: "annotation eks.amazonaws.com/role-arn",
                                                  details: ["sts-regional-endpoints": "true"])])
        // Defaults: audience sts.amazonaws.com, 86400 s.
        let plain = BindingExtractor.bindings(for: Fx.sa("shop", "r", [IdentityAnnotation.awsRoleARN: Fx.roleARN])).bindings
        XCTAssertEqual(plain.first?.audience, "sts.amazonaws.com")
        XCTAssertEqual(plain.first?.tokenExpirationSeconds, 86400)
    }

    func testGKEBinding() {
        let sa = Fx.sa("shop", "gcs", [IdentityAnnotation.gcpServiceAccount: "reader@my-project.iam.gserviceaccount.com"])
        let b = BindingExtractor.bindings(for: sa).bindings
        XCTAssertEqual(b, [IdentityBinding(provider: .gcp, cloudIdentity: "reader@my-project.iam.gserviceaccount.com",
                                           tenant: "my-project", source: "annotation iam.gke.io/gcp-service-account")])
    }

    func testServiceAccountWithSeveralProvidersAndNone() {
        let multi = Fx.sa("shop", "x", [IdentityAnnotation.azureClientID: Fx.clientID, IdentityAnnotation.awsRoleARN: Fx.roleARN,
                                        IdentityAnnotation.gcpServiceAccount: "a@p.iam.gserviceaccount.com"])
        XCTAssertEqual(BindingExtractor.bindings(for: multi).bindings.map(\.provider), [.azure, .awsIRSA, .gcp])
        XCTAssertEqual(BindingExtractor.bindings(for: Fx.sa("shop", "plain", ["unrelated": "x"])).bindings, [])
    }

    func testRoleARNParsing() {
        XCTAssertEqual(AWSRoleARN("arn:aws:iam::123456789012:role/path/to/name")?.roleName, "path/to/name")
        XCTAssertEqual(AWSRoleARN("arn:aws-cn:iam::123456789012:role/r")?.partition, "aws-cn")
        for bad in ["", "arn:aws:iam::12345:role/r", "arn:aws:iam::123456789012:user/bob", "arn:aws:s3:::bucket",
                    "arn:aws:iam::123456789012:role/", "arn:aws:iam:us-east-1:123456789012:role/r", "role/r",
                    "arn:aws:iam::123456789012:role/has space"] {
            XCTAssertNil(AWSRoleARN(bad), bad)
        }
    }

    func testEKSPodIdentityDetectedFromPodEnv() {
        let inventory = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.sa("shop", "front")],
                                                 pods: [Fx.pod("shop", "front-1", injected: Fx.podIdentityInjected())]))
        let entry = try? XCTUnwrap(inventory.entry("shop/front"))
        XCTAssertEqual(entry?.bindings, [IdentityBinding(provider: .awsPodIdentity, cloudIdentity: nil, audience: "pods.eks.amazonaws.com",
                                                         tokenExpirationSeconds: 86400, source: "pod env")])
        XCTAssertEqual(entry?.pods.first?.provider, .awsPodIdentity)
        XCTAssertEqual(entry?.pods.first?.injected, true)
        XCTAssertEqual(entry?.status, .ok)
    }

    // MARK: Token path and projection

    func testTokenPathComesFromTheEnvVarNotAConstant() {
        // The pre-v1.6 webhook path: /var/run/secrets/tokens/azure-identity-token.
        let old = Fx.azureInjected(tokenDir: "/var/run/secrets/tokens")
        let pod = Fx.pod("shop", "old", labels: Fx.useLabel, injected: old)
        let inj = PodReader.read(pod, serviceAccount: Fx.azureSA(), cluster: ClusterFacts())
        XCTAssertEqual(inj.provider, .azure)
        XCTAssertEqual(inj.tokenPath, "/var/run/secrets/tokens/azure-identity-token")
        XCTAssertEqual(inj.projection?.audience, "api://AzureADTokenExchange")
        XCTAssertTrue(inj.injected)
        XCTAssertEqual(inj.envNames, ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"])
    }

    func testProjectionPathMustMatchTheEnvVar() {
        var custom = Fx.azureInjected(file: "token")
        custom.env[2] = EnvVar(name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/azure/tokens/azure-identity-token")
        let inj = PodReader.read(Fx.pod("shop", "p", labels: Fx.useLabel, injected: custom), serviceAccount: Fx.azureSA(), cluster: ClusterFacts())
        XCTAssertEqual(inj.provider, .azure)
        XCTAssertNil(inj.projection)
        XCTAssertFalse(inj.injected)
    }

    func testDeepestMountWinsAndTTLDefaultsTo3600() {
        var env = Fx.azureInjected(ttl: nil)
        env.mounts.insert(VolumeMount(name: "secrets", mountPath: "/var/run/secrets"), at: 0)
        env.volumes.append(Volume(name: "secrets"))
        let inventory = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()],
                                                 pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel, injected: env)]))
        let pod = inventory.entry("shop/front")?.pods.first
        XCTAssertEqual(pod?.injected, true)
        XCTAssertEqual(pod?.tokenTTLSeconds, 3600)
        XCTAssertEqual(pod?.audience, "api://AzureADTokenExchange")
        XCTAssertEqual(pod?.readyContainers, 1)
        XCTAssertEqual(pod?.totalContainers, 2)
        XCTAssertEqual(pod?.phase, "Running")
        XCTAssertEqual(pod?.startTime, TokenClock.parseTimestamp("2026-05-28T18:00:05Z"))
        // Started 2h26m35s before now; refreshed every 48 min → third token issued at 2h24m after start.
        let start = TokenClock.parseTimestamp("2026-05-28T18:00:05Z") ?? Date()
        XCTAssertEqual(pod?.schedule?.issuedAt, start.addingTimeInterval(3 * 2880))
        XCTAssertEqual(pod?.schedule?.expiresAt, start.addingTimeInterval(3 * 2880 + 3600))
    }

    // MARK: Legacy aad-pod-identity

    func testLegacySelectionPrefersSameNamespaceAndResolvesIdentity() {
        let pod = Fx.pod("shop", "legacy-1", labels: ["aadpodidbinding": "shop-reader"])
        let idShop = AzureIdentity(metadata: ObjectMeta(name: "reader-id", namespace: "shop"),
                                   spec: .init(type: 0, resourceID: "/subscriptions/s/rg/r/id", clientID: "legacy-client-shop"))
        let idOther = AzureIdentity(metadata: ObjectMeta(name: "reader-id", namespace: "other"), spec: .init(clientID: "legacy-client-other"))
        let bindShop = AzureIdentityBinding(metadata: ObjectMeta(name: "reader-binding", namespace: "shop"),
                                            spec: .init(azureIdentity: "reader-id", selector: "shop-reader"))
        let bindOther = AzureIdentityBinding(metadata: ObjectMeta(name: "a-binding", namespace: "other"),
                                             spec: .init(azureIdentity: "reader-id", selector: "shop-reader"))
        let unrelated = AzureIdentityBinding(metadata: ObjectMeta(name: "x", namespace: "shop"),
                                             spec: .init(azureIdentity: "reader-id", selector: "something-else"))

        let match = LegacyPodIdentity.match(pod, bindings: [bindOther, unrelated, bindShop], identities: [idOther, idShop])
        XCTAssertEqual(match?.binding.metadata.key, "shop/reader-binding")
        XCTAssertEqual(match?.identity?.spec.clientID, "legacy-client-shop")
        // Without a binding in its namespace, aad-pod-identity matches across namespaces.
        XCTAssertEqual(LegacyPodIdentity.match(pod, bindings: [bindOther], identities: [idOther, idShop])?.identity?.spec.clientID,
                       "legacy-client-other")
        XCTAssertNil(LegacyPodIdentity.match(pod, bindings: [unrelated], identities: [idShop]))
        XCTAssertNil(LegacyPodIdentity.match(Fx.pod("shop", "nolabel"), bindings: [bindShop], identities: [idShop]))

        let inventory = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.sa("shop", "front")], pods: [pod],
                                                 azureIdentities: [idShop], azureIdentityBindings: [bindShop]))
        let entry = inventory.entry("shop/front")
        XCTAssertEqual(entry?.bindings, [IdentityBinding(provider: .azurePodIdentity, cloudIdentity: "legacy-client-shop",
                                                         source: "AzureIdentityBinding shop/reader-binding")])
        XCTAssertEqual(entry?.pods.first?.provider, .azurePodIdentity)
    }

    func testWebhookDetection() {
        XCTAssertEqual(WebhookDetector.summaries([Fx.otherWebhook, Fx.awsWebhook, Fx.azureWebhook]), [
            WebhookSummary(kind: "aws", name: "pod-identity-webhook", failurePolicy: "Fail"),
            WebhookSummary(kind: "azure", name: "azure-wi-webhook-mutating-webhook-configuration", failurePolicy: "Fail"),
        ])
    }
}
