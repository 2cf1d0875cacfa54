import Foundation
import XCTest
import WidashCore
import WidashHTTP
@testable import WidashCloud

/// AKS identity bindings (pods annotated `azure.workload.identity/use-identity-binding: "true"`):
/// the webhook points the SDK at the cluster's token proxy (AZURE_KUBERNETES_TOKEN_PROXY,
/// azure-workload-identity `pkg/webhook/webhook.go` custom token endpoint), which exchanges the token
/// under AKS's identity binding. The managed identity then holds one federated credential for the
/// identity binding, not one for this cluster's issuer and subject, so comparing would claim a
/// mismatch that is not one: the audit reads nothing for such a binding and says so.
final class TrustAuditIdentityBindingTests: XCTestCase {
    let issuer = "https://westeurope.oic.prod-aks.azure.com/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/"
    let clientID = "11111111-2222-3333-4444-555555555555"

    struct FakeCredential: AzureOperatorCredential {
        func token(resource: String) async throws -> OperatorTokenResult {
            .token(OperatorToken(accessToken: "operator-\(resource)", expiresOn: nil, source: "test"))
        }
    }

    /// ARM as it answers for a managed identity whose only federated credential is the identity
    /// binding's (another issuer, another subject).
    func arm() -> ScriptedTransport {
        let identityID = "/subscriptions/sub1/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shop"
        let clientID = self.clientID
        return ScriptedTransport { r in
            if r.url.contains("graph.microsoft.com") { return json(404, #"{"error":{"code":"Request_ResourceNotFound","message":"not found"}}"#) }
            if r.url.contains("/federatedIdentityCredentials") {
                return json(200, #"{"value":[{"id":"\#(identityID)/federatedIdentityCredentials/aks-identity-binding","name":"aks-identity-binding","properties":{"issuer":"https://westeurope.identitybinding.prod-aks.azure.com/ib-0001/","subject":"aks-identity-binding:ib-0001","audiences":["api://AzureADTokenExchange"]}}]}"#)
            }
            if r.url.contains("userAssignedIdentities") {
                return json(200, #"{"value":[{"id":"\#(identityID)","name":"id-shop","properties":{"clientId":"\#(clientID)","principalId":"p","tenantId":"t"}}]}"#)
            }
            if r.url.contains("/subscriptions?") { return json(200, #"{"value":[{"subscriptionId":"sub1"}]}"#) }
            return json(200, #"{"value":[]}"#)
        }
    }

    func pod(_ name: String, sa: String, identityBinding: Bool) -> Pod {
        let tokenDir = "/var/run/secrets/azure/wi"
        var env = [EnvVar(name: "AZURE_CLIENT_ID", value: clientID), EnvVar(name: "AZURE_TENANT_ID", value: "t"),
                   EnvVar(name: "AZURE_FEDERATED_TOKEN_FILE", value: "\(tokenDir)/token/azure-identity-token"),
                   EnvVar(name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/")]
        if identityBinding { env.append(EnvVar(name: "AZURE_KUBERNETES_TOKEN_PROXY", value: "https://kubernetes.default.svc")) }
        let volume = AzureWebhook.volumePrefix + "2a97516c354b68848cdbd8f54a226a"
        return Pod(metadata: ObjectMeta(name: name, namespace: "shop", labels: [AzureWebhook.useLabel: "true"],
                                        annotations: identityBinding ? [AzureWebhook.identityBindingAnnotation: "true"] : nil),
                   spec: PodSpec(serviceAccountName: sa,
                                 containers: [Container(name: "app", env: env, volumeMounts: [VolumeMount(name: volume, mountPath: tokenDir, readOnly: true)])],
                                 volumes: [Volume(name: volume, projected: ProjectedVolumeSource(sources: [VolumeProjection(serviceAccountToken:
                                    ServiceAccountTokenProjection(audience: identityBinding ? AzureWebhook.identityBindingAudience : AzureWebhook.defaultAudience,
                                                                  expirationSeconds: 3600, path: "token/azure-identity-token"))]))]))
    }

    func testAnIdentityBindingIsUnknownNotAMismatchAndNothingIsRead() async throws {
        func sa(_ name: String) -> ServiceAccount {
            ServiceAccount(metadata: ObjectMeta(name: name, namespace: "shop", annotations: [AzureWebhook.clientIDAnnotation: clientID]))
        }
        let inventory = InventoryBuilder.build(snapshot: ClusterSnapshot(
            serviceAccounts: [sa("bound"), sa("direct")],
            pods: [pod("bound-1", sa: "bound", identityBinding: true), pod("direct-1", sa: "direct", identityBinding: false)],
            issuer: issuer, issuerDiscoveryReachable: true), now: Date())

        let transport = arm()
        let audit = TrustAudit(reader: CloudTrustReader(transport: transport, environment: [:], azureCredential: FakeCredential()),
                               eksCluster: nil, workloadPool: nil)
        let result = await audit.run(inventory)
        let folded = TrustFolding.apply(result, to: inventory, workloadPool: nil)

        let bound = try XCTUnwrap(folded.identities.first { $0.key == "shop/bound" })
        let trust = try XCTUnwrap(bound.bindings.first?.trust, "\(bound.bindings)")
        XCTAssertEqual(trust.state, .unknown)
        XCTAssertEqual(trust.reason, "AKS identity binding: the exchange goes through the cluster's token proxy (AZURE_KUBERNETES_TOKEN_PROXY) "
                       + "under AKS's identity binding; not audited")
        XCTAssertEqual(trust.mismatches, [])
        XCTAssertFalse(bound.findings.contains { $0.code == FindingCode.trustMismatch.rawValue }, "\(bound.findings)")
        XCTAssertEqual(bound.status, .ok, "\(bound.findings)")

        // The same identity exchanged directly is read and really does not match this cluster:
        // the reader works, the identity-binding verdict is a choice.
        let direct = try XCTUnwrap(folded.identities.first { $0.key == "shop/direct" })
        XCTAssertEqual(direct.bindings.first?.trust?.state, .mismatch, "\(direct.bindings)")

        // verdictFor alone: nothing is sent for an identity-binding subject.
        let before = transport.requests.count
        let subject = TrustSubject(provider: .azure, cloudIdentity: clientID, namespace: "shop", serviceAccount: "bound", issuer: issuer,
                                   audience: AzureWebhook.identityBindingAudience, identityBinding: true)
        let verdict = await audit.verdictFor(subject, associations: nil, clusterSubjects: [], now: { Date() })
        XCTAssertTrue(verdict.isAKSIdentityBinding)
        XCTAssertEqual(transport.requests.count, before)
    }
}
