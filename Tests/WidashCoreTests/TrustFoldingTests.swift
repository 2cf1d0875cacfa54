import Foundation
import XCTest
@testable import WidashCore

/// Verdicts folded into the inventory: each becomes the binding's `trust`, its findings and the
/// entry's status (the TRUST and STATUS columns, the error/warning counts).
final class TrustFoldingTests: XCTestCase {
    let issuer = "https://issuer.example"

    func inventory() -> Inventory {
        Fx.build(ClusterSnapshot(
            serviceAccounts: [Fx.azureSA(), Fx.sa("pay", "reader", [IdentityAnnotation.awsRoleARN: Fx.roleARN]), Fx.sa("aws", "late")],
            pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel, injected: Fx.azureInjected()),
                   Fx.pod("pay", "reader-1", sa: "reader", injected: Fx.irsaInjected()),
                   Fx.pod("aws", "late-1", sa: "late")],
            webhooks: [Fx.azureWebhook, Fx.awsWebhook], issuer: issuer, issuerDiscoveryReachable: true))
    }

    func subject(_ inv: Inventory, _ key: String) throws -> TrustSubject {
        let entry = try XCTUnwrap(inv.identities.first { $0.key == key })
        return try XCTUnwrap(TrustSubject.of(entry, entry.bindings[0], issuer: inv.issuer, workloadPool: nil))
    }

    func testAMismatchIsAnErrorWithTheFailingFieldFirst() throws {
        let inv = inventory()
        let s = try subject(inv, "shop/front")
        XCTAssertEqual(s.subject, "system:serviceaccount:shop:front")
        XCTAssertEqual(s.audience, "api://AzureADTokenExchange")
        XCTAssertEqual(s.issuer, issuer)
        let verdict = TrustVerdict(state: .mismatch, checkedAt: Date(timeIntervalSince1970: 1_800_000_000),
                                   mismatches: [TrustMismatch(field: "subject", expected: "system:serviceaccount:shop:fornt", got: s.subject,
                                                              closest: "federated credential aks-front")],
                                   fix: "az identity federated-credential update …")
        let folded = TrustFolding.apply(TrustAuditResult(verdicts: [s: verdict]), to: inv, workloadPool: nil)
        let entry = try XCTUnwrap(folded.identities.first { $0.key == "shop/front" })
        XCTAssertEqual(entry.bindings[0].trust, verdict)
        XCTAssertEqual(entry.trust?.label, "✗ subject")
        XCTAssertEqual(entry.status, .error)
        let finding = try XCTUnwrap(entry.findings.first { $0.code == FindingCode.trustMismatch.rawValue })
        XCTAssertTrue(finding.message.hasPrefix("subject mismatch: federated credential aks-front expects subject system:serviceaccount:shop:fornt"), finding.message)
        XCTAssertEqual(finding.fix, "az identity federated-credential update …")
        // Other entries are untouched (no verdict, not pending).
        XCTAssertNil(folded.identities.first { $0.key == "pay/reader" }?.bindings[0].trust)
    }

    func testUnknownNamesTheMissingPermissionAndWarns() throws {
        let inv = inventory()
        let s = try subject(inv, "pay/reader")
        let verdict = TrustVerdict.unknown("IAM role shop-reader could not be read: the operator lacks iam:GetRole", permission: "iam:GetRole")
        let entry = try XCTUnwrap(TrustFolding.apply(TrustAuditResult(verdicts: [s: verdict]), to: inv, workloadPool: nil)
            .identities.first { $0.key == "pay/reader" })
        XCTAssertEqual(entry.trust?.label, "? iam:GetRole")
        XCTAssertEqual(entry.status, .warning, "not verified is not ok")
        let finding = try XCTUnwrap(entry.findings.first { $0.code == FindingCode.trustUnknown.rawValue })
        XCTAssertEqual(finding.fix, "grant the operator iam:GetRole, then re-run the audit")
    }

    func testNoRoleAssignmentAndCloudWarningsAreWarnings() throws {
        let inv = inventory()
        let s = try subject(inv, "shop/front")
        let verdict = TrustVerdict(state: .trusted, roles: [], noRoles: true,
                                   warnings: ["managed identity id-front holds 20 federated credentials, the most Entra allows: no new one can be added"])
        let entry = try XCTUnwrap(TrustFolding.apply(TrustAuditResult(verdicts: [s: verdict]), to: inv, workloadPool: nil)
            .identities.first { $0.key == "shop/front" })
        XCTAssertEqual(entry.trust?.label, "⚠ no role")
        XCTAssertEqual(Set(entry.findings.map(\.code)).intersection([FindingCode.noRoleAssignment.rawValue, FindingCode.trustWarning.rawValue]).count, 2)
        XCTAssertEqual(entry.status, .warning)
    }

    func testPendingBindingsShowChecking() throws {
        let entry = try XCTUnwrap(TrustFolding.apply(TrustAuditResult(), to: inventory(), workloadPool: nil, pending: true)
            .identities.first { $0.key == "shop/front" })
        XCTAssertEqual(entry.trust?.state, .checking)
        XCTAssertEqual(entry.trust?.label, "⋯ checking")
        XCTAssertEqual(entry.status, .ok, "checking adds no finding; the dashboard shows ⋯ instead of ✓")
    }

    func testAnAssociationMadeAfterThePodsStartedIsABindingAndAFinding() throws {
        let inv = inventory()
        let late = TrustSubject(provider: .awsPodIdentity, cloudIdentity: nil, namespace: "aws", serviceAccount: "late", issuer: issuer,
                                audience: TrustSubject.podIdentityAudience)
        let result = TrustAuditResult(verdicts: [late: TrustVerdict(state: .trusted)],
                                      podIdentityAssociations: ["aws/late": PodIdentityAssociationFact(associationID: "a-123",
                                                                                                       roleARN: "arn:aws:iam::111122223333:role/late")])
        let entry = try XCTUnwrap(TrustFolding.apply(result, to: inv, workloadPool: nil).identities.first { $0.key == "aws/late" })
        XCTAssertEqual(entry.bindings.map(\.provider), [.awsPodIdentity])
        XCTAssertEqual(entry.bindings[0].cloudIdentity, "arn:aws:iam::111122223333:role/late")
        XCTAssertEqual(entry.bindings[0].source, "EKS Pod Identity association a-123")
        XCTAssertEqual(entry.bindings[0].trust?.state, .trusted)
        let finding = try XCTUnwrap(entry.findings.first { $0.code == FindingCode.podStartedBeforeAssociation.rawValue })
        XCTAssertTrue(finding.message.contains("late-1"), finding.message)
        XCTAssertTrue(finding.fix.hasPrefix("kubectl -n aws "), finding.fix)
        XCTAssertEqual(entry.status, .warning)
    }

    /// A service account with old pods (started before the association: no agent env) and new ones
    /// (created after it: the env, so a Pod Identity binding of their own): each old pod is named.
    func testOldPodsNextToNewOnesStillGetTheFinding() throws {
        let inv = Fx.build(ClusterSnapshot(
            serviceAccounts: [Fx.sa("aws", "mixed")],
            // Bare pods, so that each one's restart is its own.
            pods: [Fx.pod("aws", "mixed-old-1", sa: "mixed", owner: nil),
                   Fx.pod("aws", "mixed-new-1", sa: "mixed", injected: Fx.podIdentityInjected(), owner: nil),
                   Fx.pod("aws", "mixed-old-2", sa: "mixed", owner: nil)],
            webhooks: [Fx.awsWebhook], issuer: issuer, issuerDiscoveryReachable: true))
        let before = try XCTUnwrap(inv.identities.first { $0.key == "aws/mixed" })
        XCTAssertEqual(before.bindings.map(\.provider), [.awsPodIdentity], "the new pod's env makes a Pod Identity binding")
        let subject = try XCTUnwrap(TrustSubject.of(before, before.bindings[0], issuer: issuer, workloadPool: nil))
        let result = TrustAuditResult(verdicts: [subject: TrustVerdict(state: .trusted)],
                                      podIdentityAssociations: ["aws/mixed": PodIdentityAssociationFact(associationID: "a-9",
                                                                                                        roleARN: "arn:aws:iam::111122223333:role/mixed")])
        let entry = try XCTUnwrap(TrustFolding.apply(result, to: inv, workloadPool: nil).identities.first { $0.key == "aws/mixed" })
        XCTAssertEqual(entry.bindings.map(\.provider), [.awsPodIdentity], "no second binding")
        XCTAssertEqual(entry.bindings[0].cloudIdentity, "arn:aws:iam::111122223333:role/mixed")
        let findings = entry.findings.filter { $0.code == FindingCode.podStartedBeforeAssociation.rawValue }
        XCTAssertEqual(findings.count, 1, "\(entry.findings.map(\.code))")
        let finding = try XCTUnwrap(findings.first)
        XCTAssertTrue(finding.message.contains("mixed-old-1") && finding.message.contains("mixed-old-2"), finding.message)
        XCTAssertFalse(finding.message.contains("mixed-new-1"), finding.message)
        XCTAssertTrue(finding.fix.contains("mixed-old-1") && finding.fix.contains("mixed-old-2"), finding.fix)
        XCTAssertFalse(finding.fix.contains("mixed-new-1"), finding.fix)
        XCTAssertEqual(entry.status, .warning)
    }

    func testTheJSONCarriesTheVerdictFields() throws {
        let inv = inventory()
        let s = try subject(inv, "shop/front")
        let verdict = TrustVerdict(state: .mismatch, checkedAt: Date(timeIntervalSince1970: 1_800_000_000), source: "managed identity id-front",
                                   mismatches: [TrustMismatch(field: "issuer", expected: "https://issuer.example/", got: issuer)], fix: "az …")
        let data = try InventoryJSON.encode(TrustFolding.apply(TrustAuditResult(verdicts: [s: verdict]), to: inv, workloadPool: nil))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entries = try XCTUnwrap(object["identities"] as? [[String: Any]])
        let front = try XCTUnwrap(entries.first { $0["name"] as? String == "front" })
        let trust = try XCTUnwrap((front["bindings"] as? [[String: Any]])?.first?["trust"] as? [String: Any])
        XCTAssertEqual(trust["state"] as? String, "mismatch")
        XCTAssertEqual(trust["checkedAt"] as? String, "2027-01-15T08:00:00Z")
        XCTAssertEqual(trust["source"] as? String, "managed identity id-front")
        XCTAssertEqual(trust["fix"] as? String, "az …")
        let mismatch = try XCTUnwrap((trust["mismatches"] as? [[String: Any]])?.first)
        XCTAssertEqual(mismatch["field"] as? String, "issuer")
        XCTAssertEqual(mismatch["expected"] as? String, "https://issuer.example/")
        XCTAssertEqual(mismatch["got"] as? String, issuer)
        XCTAssertEqual(try InventoryJSON.decode(data).identities.first { $0.key == "shop/front" }?.bindings[0].trust, verdict)
    }

    func testSubjectsSkipLegacyBindingsAndGKEWithoutAPool() {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.sa("g", "gcs", [IdentityAnnotation.gcpServiceAccount: "r@p.iam.gserviceaccount.com"])],
                                           issuer: issuer))
        XCTAssertTrue(TrustSubject.all(in: inv, workloadPool: nil).isEmpty)
        XCTAssertEqual(TrustSubject.all(in: inv, workloadPool: "p.svc.id.goog").map(\.audience), ["p.svc.id.goog"])
    }
    // MARK: AKS identity bindings

    /// A pod as azure-workload-identity v1.6 leaves it when annotated
    /// `azure.workload.identity/use-identity-binding: "true"` (custom token endpoint): the usual env
    /// plus the token proxy's, the token minted for the identity binding's audience.
    static func identityBindingPod(_ name: String, sa: String = "front") -> Pod {
        var injected = Fx.azureInjected()
        injected.env += [EnvVar(name: "AZURE_KUBERNETES_TOKEN_PROXY", value: "https://kubernetes.default.svc"),
                         EnvVar(name: "AZURE_KUBERNETES_SNI_NAME", value: "2183187515ff64fc2fff014fd0e749f92578a466dc345b")]
        injected.volumes = [Volume(name: "azure-identity-token", projected: ProjectedVolumeSource(sources: [
            VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(audience: AzureWebhook.identityBindingAudience,
                                                                                 expirationSeconds: 3600, path: "azure-identity-token"))]))]
        var pod = Fx.pod("shop", name, sa: sa, labels: Fx.useLabel, injected: injected)
        pod.metadata.annotations = [AzureWebhook.identityBindingAnnotation: "true"]
        return pod
    }

    func testAnIdentityBindingIsNotAuditedAndClaimsNoMismatch() throws {
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()], pods: [Self.identityBindingPod("front-1")],
                                           webhooks: [Fx.azureWebhook], issuer: issuer, issuerDiscoveryReachable: true))
        let entry = try XCTUnwrap(inv.entry("shop/front"))
        XCTAssertEqual(entry.bindings.count, 1)
        XCTAssertTrue(entry.bindings[0].isAKSIdentityBinding, "\(entry.bindings)")
        XCTAssertEqual(entry.bindings[0].audience, "api://AKSIdentityBinding")
        let s = try subject(inv, "shop/front")
        XCTAssertTrue(s.identityBinding)
        XCTAssertEqual(s.audience, "api://AKSIdentityBinding")

        let verdict = TrustVerdict.aksIdentityBinding(checkedAt: Date(timeIntervalSince1970: 1_800_000_000))
        XCTAssertEqual(verdict.state, .unknown)
        XCTAssertTrue(verdict.reason?.contains("AKS identity binding: the exchange goes through the cluster's token proxy (AZURE_KUBERNETES_TOKEN_PROXY)") ?? false)
        let folded = try XCTUnwrap(TrustFolding.apply(TrustAuditResult(verdicts: [s: verdict]), to: inv, workloadPool: nil).entry("shop/front"))
        XCTAssertEqual(folded.bindings[0].trust, verdict)
        XCTAssertEqual(folded.trust?.label, "? identity binding")
        XCTAssertFalse(folded.findings.contains { $0.code == FindingCode.trustMismatch.rawValue })
        let note = try XCTUnwrap(folded.findings.first { $0.code == FindingCode.trustUnknown.rawValue })
        XCTAssertEqual(note.severity, .info, "not audited by design is not a warning")
        XCTAssertTrue(note.message.contains("not audited"), note.message)
        XCTAssertEqual(folded.status, .ok)
    }

    func testAServiceAccountWithDirectAndIdentityBindingPodsKeepsBothBindings() throws {
        let direct = Fx.pod("shop", "front-2", labels: Fx.useLabel, injected: Fx.azureInjected())
        let inv = Fx.build(ClusterSnapshot(serviceAccounts: [Fx.azureSA()], pods: [Self.identityBindingPod("front-1"), direct],
                                           webhooks: [Fx.azureWebhook], issuer: issuer, issuerDiscoveryReachable: true))
        let entry = try XCTUnwrap(inv.entry("shop/front"))
        XCTAssertEqual(entry.bindings.map(\.isAKSIdentityBinding), [false, true])
        let subjects = TrustSubject.all(in: inv, workloadPool: nil)
        XCTAssertEqual(subjects.map(\.identityBinding), [false, true])
        XCTAssertEqual(subjects.map(\.audience), ["api://AzureADTokenExchange", "api://AKSIdentityBinding"])
    }

    func testPodsWithoutTheAnnotationAreAuditedAsBefore() throws {
        let s = try subject(inventory(), "shop/front")
        XCTAssertFalse(s.identityBinding)
        XCTAssertEqual(s.audience, "api://AzureADTokenExchange")
    }
}
