import Foundation
import XCTest
import WidashCore
import WidashHTTP
@testable import WidashCloud

/// The trust audit's rules, one cloud at a time, from what each cloud holds to a verdict.
final class TrustEvaluatorTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let issuer = "https://oidc.prod-aks.azure.com/tenant/issuer"
    let aud = "api://AzureADTokenExchange"
    let uami = FederatedCredentialHolder.userAssignedIdentity(resourceID: "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-a",
                                                               name: "id-a", resourceGroup: "rg", subscriptionID: "s")

    func azureSubject(_ ns: String = "shop", _ sa: String = "front", tenant: String? = nil) -> TrustSubject {
        TrustSubject(provider: .azure, cloudIdentity: "client-1", tenant: tenant, namespace: ns, serviceAccount: sa, issuer: issuer, audience: aud)
    }

    func facts(_ credentials: [FederatedIdentityCredential], roles: Result<[String], TrustReadProblem> = .success(["Reader on /subscriptions/s"]),
               tenant: String? = nil) -> AzureIdentityLookup {
        .found(AzureIdentityFacts(holder: uami, principalID: "p", tenantID: tenant, credentials: credentials, roles: roles))
    }

    func fic(_ name: String, issuer: String? = nil, subject: String, audiences: [String]? = nil, expression: String? = nil) -> FederatedIdentityCredential {
        FederatedIdentityCredential(name: name, issuer: issuer ?? self.issuer, subject: subject, audiences: audiences ?? [aud],
                                    claimsMatchingExpression: expression)
    }

    // MARK: Azure

    func testAzureExactMatchIsTrustedWithItsRoles() {
        let v = TrustEvaluator.azure(azureSubject(), facts([fic("other", subject: "system:serviceaccount:x:y"), fic("aks-front", subject: "system:serviceaccount:shop:front")]),
                                     clusterSubjects: [], now: now)
        XCTAssertEqual(v.state, .trusted)
        XCTAssertEqual(v.source, "managed identity id-a (resource group rg), federated credential aks-front")
        XCTAssertEqual(v.roles, ["Reader on /subscriptions/s"])
        XCTAssertEqual(v.noRoles, false)
        XCTAssertEqual(v.comparison.map(\.matches), [true, true, true])
        XCTAssertEqual(v.checkedAt, now)
    }

    func testAzureSubjectTypoIsUpdatedWhenNoServiceAccountOwnsIt() {
        let v = TrustEvaluator.azure(azureSubject(), facts([fic("aks-front", subject: "system:serviceaccount:shop:fornt")]),
                                     clusterSubjects: ["system:serviceaccount:shop:front"], now: now)
        XCTAssertEqual(v.state, .mismatch)
        XCTAssertEqual(v.mismatches, [TrustMismatch(field: "subject", expected: "system:serviceaccount:shop:fornt",
                                                    got: "system:serviceaccount:shop:front", closest: "federated credential aks-front")])
        XCTAssertTrue(v.fix?.hasPrefix("az identity federated-credential update --name 'aks-front'") ?? false, v.fix ?? "")
        XCTAssertTrue(v.reason?.contains("a few minutes") ?? false)
    }

    func testAzureNeverRewritesANeighboursCredential() {
        // The closest credential belongs to shop/back, which exists: a new credential is proposed.
        let v = TrustEvaluator.azure(azureSubject(), facts([fic("aks-back", subject: "system:serviceaccount:shop:back")]),
                                     clusterSubjects: ["system:serviceaccount:shop:front", "system:serviceaccount:shop:back"], now: now)
        XCTAssertEqual(v.state, .mismatch)
        XCTAssertTrue(v.fix?.hasPrefix("az identity federated-credential create --name 'shop-front'") ?? false, v.fix ?? "")
        XCTAssertTrue(v.reason?.contains("belongs to system:serviceaccount:shop:back") ?? false, v.reason ?? "")
        // Another cluster's credential (same subject, another issuer) is not this cluster's to change either.
        let other = TrustEvaluator.azure(azureSubject(), facts([fic("cluster-b", issuer: "https://other.example/x", subject: "system:serviceaccount:shop:front")]),
                                         clusterSubjects: [], now: now)
        XCTAssertTrue(other.fix?.contains("federated-credential create") ?? false, other.fix ?? "")
    }

    func testAzureTrailingSlashIsAnIssuerMismatchWithAHint() {
        let v = TrustEvaluator.azure(azureSubject(), facts([fic("aks-front", issuer: issuer + "/", subject: "system:serviceaccount:shop:front")]),
                                     clusterSubjects: [], now: now)
        XCTAssertEqual(v.failingFields, "issuer")
        XCTAssertTrue(v.reason?.contains("trailing slash") ?? false, v.reason ?? "")
        XCTAssertTrue(v.fix?.contains("update --name 'aks-front'") ?? false)
    }

    func testAzureLimitDuplicatesAndNoRoles() {
        var creds = (0..<19).map { fic("c\($0)", subject: "system:serviceaccount:other:sa\($0)") }
        creds.append(fic("dup", subject: "system:serviceaccount:other:sa0"))
        let v = TrustEvaluator.azure(azureSubject(), facts(creds, roles: .success([])),
                                     clusterSubjects: Set((0..<19).map { "system:serviceaccount:other:sa\($0)" }), now: now)
        XCTAssertEqual(v.state, .mismatch)
        XCTAssertEqual(v.noRoles, true)
        XCTAssertTrue(v.warnings.contains { $0.contains("holds 20 federated credentials") }, "\(v.warnings)")
        XCTAssertTrue(v.warnings.contains { $0.contains("c0 and dup") }, "\(v.warnings)")
        XCTAssertTrue(v.fix?.hasPrefix("(managed identity id-a (resource group rg) holds 20 federated credentials") ?? false, v.fix ?? "")
    }

    func testAzureFlexibleCredentials() {
        let wildcard = fic("flex", subject: "", expression: "claims['sub'] matches 'system:serviceaccount:shop:*'")
        XCTAssertEqual(TrustEvaluator.azure(azureSubject(), facts([wildcard]), clusterSubjects: [], now: now).state, .trusted)
        // Clauses joined by `and`: a `sub` clause that fails decides, whatever the claims a
        // Kubernetes token does not have (GitHub's job_workflow_ref).
        let github = fic("gh", subject: "", expression: "claims['sub'] matches 'repo:contoso/*' and claims['job_workflow_ref'] eq 'x'")
        let refused = TrustEvaluator.azure(azureSubject(), facts([github]), clusterSubjects: [], now: now)
        XCTAssertEqual(refused.state, .mismatch, refused.reason ?? "")
        XCTAssertFalse(refused.reason?.contains("expression, not evaluated") ?? true, refused.reason ?? "")
        // A `sub` clause that holds next to a claim the token lacks: not decidable.
        let partial = fic("gh2", subject: "", expression: "claims['sub'] matches 'system:serviceaccount:shop:*' and claims['job_workflow_ref'] eq 'x'")
        let v = TrustEvaluator.azure(azureSubject(), facts([partial]), clusterSubjects: [], now: now)
        XCTAssertEqual(v.state, .unknown)
        XCTAssertTrue(v.reason?.contains("expression, not evaluated") ?? false, v.reason ?? "")
        let garbage = fic("odd", subject: "", expression: "claims.sub ~= /x/")
        XCTAssertTrue(TrustEvaluator.azure(azureSubject(), facts([garbage]), clusterSubjects: [], now: now).warnings.contains { $0.contains("cannot evaluate") })
    }

    func testAzureTenantNotFoundAndUnreadable() {
        let tenant = TrustEvaluator.azure(azureSubject(tenant: "t-annotated"), facts([fic("aks-front", subject: "system:serviceaccount:shop:front")], tenant: "t-real"),
                                          clusterSubjects: [], now: now)
        XCTAssertEqual(tenant.failingFields, "tenant")
        let missing = TrustEvaluator.azure(azureSubject(), .notFound(searched: "user-assigned identities in 1 subscription(s) and Graph applications"),
                                           clusterSubjects: [], now: now)
        XCTAssertEqual(missing.failingFields, "client id")
        XCTAssertTrue(missing.reason?.contains("AADSTS700016") ?? false)
        let refused = TrustEvaluator.azure(azureSubject(), .unreadable(TrustReadProblem(reason: "refused", permission: TrustReadProblem.Permission.armFederatedCredentials)),
                                           clusterSubjects: [], now: now)
        XCTAssertEqual(refused.state, .unknown)
        XCTAssertEqual(refused.missingPermission, "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read")
    }

    // MARK: AWS IRSA

    let roleARN = "arn:aws:iam::111122223333:role/reader"
    var providerPath: String { "oidc.eks.us-east-1.amazonaws.com/id/ABC" }
    var providerARN: String { "arn:aws:iam::111122223333:oidc-provider/\(providerPath)" }

    func irsaSubject(_ sa: String = "reader") -> TrustSubject {
        TrustSubject(provider: .awsIRSA, cloudIdentity: roleARN, namespace: "pay", serviceAccount: sa, issuer: "https://\(providerPath)",
                     audience: "sts.amazonaws.com")
    }

    func role(_ conditions: String) -> Result<IAMRole?, TrustReadProblem> {
        let doc = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"\#(providerARN)"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":\#(conditions)}]}"#
        return .success(IAMRole(arn: roleARN, roleName: "reader", assumeRolePolicyDocument: doc, trustPolicy: TrustPolicy.parse(doc)))
    }

    var provider: Result<OIDCProvider?, TrustReadProblem> {
        .success(OIDCProvider(arn: providerARN, url: providerPath, clientIDs: ["sts.amazonaws.com"], thumbprints: []))
    }

    func testIRSATrustedWithEqualsAndWildcards() {
        XCTAssertEqual(TrustEvaluator.providerARN(issuer: "https://\(providerPath)", roleARN: roleARN), providerARN)
        let equals = role(#"{"StringEquals":{"\#(providerPath):sub":"system:serviceaccount:pay:reader","\#(providerPath):aud":"sts.amazonaws.com"}}"#)
        XCTAssertEqual(TrustEvaluator.irsa(irsaSubject(), role: equals, provider: provider, clusterSubjects: [], now: now).state, .trusted)
        let like = role(#"{"StringLike":{"\#(providerPath):sub":"system:serviceaccount:pay:*"}}"#)
        XCTAssertEqual(TrustEvaluator.irsa(irsaSubject(), role: like, provider: provider, clusterSubjects: [], now: now).state, .trusted)
    }

    func testIRSAWrongSubjectIsASubjectMismatchWithACorrectedPolicy() throws {
        let old = role(#"{"StringEquals":{"\#(providerPath):sub":"system:serviceaccount:pay:reader-old"}}"#)
        let v = TrustEvaluator.irsa(irsaSubject(), role: old, provider: provider, clusterSubjects: [], now: now)
        XCTAssertEqual(v.state, .mismatch)
        XCTAssertEqual(v.mismatches.first?.field, "subject")
        XCTAssertEqual(v.mismatches.first?.expected, "system:serviceaccount:pay:reader-old")
        XCTAssertEqual(v.mismatches.first?.closest, "statement 1, StringEquals \(providerPath):sub")
        XCTAssertTrue(v.fix?.contains(#""\#(providerPath):sub":"system:serviceaccount:pay:reader""#) ?? false, v.fix ?? "")
        // When the old subject is a service account of the cluster, the fix keeps it and adds this one.
        let kept = TrustEvaluator.irsa(irsaSubject(), role: old, provider: provider, clusterSubjects: ["system:serviceaccount:pay:reader-old"], now: now)
        XCTAssertTrue(kept.fix?.contains(#"["system:serviceaccount:pay:reader-old","system:serviceaccount:pay:reader"]"#) ?? false, kept.fix ?? "")
    }

    /// Audited one namespace (`-n pay`): a trust value naming a service account of another namespace
    /// may still be that account's, so the corrected policy keeps it and adds this one.
    func testIRSAKeepsAValueNamingANamespaceOutsideTheAudit() throws {
        let billing = role(#"{"StringEquals":{"\#(providerPath):sub":"system:serviceaccount:billing:reader"}}"#)
        let seen: Set<String> = ["system:serviceaccount:pay:reader"]
        let scoped = TrustEvaluator.irsa(irsaSubject(), role: billing, provider: provider, clusterSubjects: seen, auditedNamespaces: ["pay"], now: now)
        XCTAssertEqual(scoped.failingFields, "subject")
        XCTAssertTrue(scoped.fix?.contains(#"["system:serviceaccount:billing:reader","system:serviceaccount:pay:reader"]"#) ?? false, scoped.fix ?? "")
        // A pattern over other namespaces too.
        let pattern = role(#"{"StringLike":{"\#(providerPath):sub":"system:serviceaccount:*:reader-*"}}"#)
        let kept = TrustEvaluator.irsa(irsaSubject(), role: pattern, provider: provider, clusterSubjects: seen, auditedNamespaces: ["pay"], now: now)
        XCTAssertTrue(kept.fix?.contains(#"["system:serviceaccount:*:reader-*","system:serviceaccount:pay:reader"]"#) ?? false, kept.fix ?? "")
        // The whole cluster audited (nil): the value names no service account, it is replaced.
        let whole = TrustEvaluator.irsa(irsaSubject(), role: billing, provider: provider, clusterSubjects: seen, auditedNamespaces: nil, now: now)
        XCTAssertTrue(whole.fix?.contains(#""\#(providerPath):sub":"system:serviceaccount:pay:reader""#) ?? false, whole.fix ?? "")
        XCTAssertFalse(whole.fix?.contains("billing") ?? true, whole.fix ?? "")
    }

    func testAzureNeverRewritesACredentialOfANamespaceOutsideTheAudit() {
        let credential = [fic("aks-billing-front", subject: "system:serviceaccount:billing:front")]
        let seen: Set<String> = ["system:serviceaccount:shop:front"]
        let scoped = TrustEvaluator.azure(azureSubject(), facts(credential), clusterSubjects: seen, auditedNamespaces: ["shop"], now: now)
        XCTAssertEqual(scoped.failingFields, "subject")
        XCTAssertTrue(scoped.fix?.hasPrefix("az identity federated-credential create --name 'shop-front'") ?? false, scoped.fix ?? "")
        XCTAssertTrue(scoped.reason?.contains("outside the audited namespaces") ?? false, scoped.reason ?? "")
        let whole = TrustEvaluator.azure(azureSubject(), facts(credential), clusterSubjects: seen, auditedNamespaces: nil, now: now)
        XCTAssertTrue(whole.fix?.hasPrefix("az identity federated-credential update --name 'aks-billing-front'") ?? false, whole.fix ?? "")
        XCTAssertTrue(TrustEvaluator.possiblyInUse("system:serviceaccount:billing:x", clusterSubjects: [], auditedNamespaces: ["shop"]))
        XCTAssertFalse(TrustEvaluator.possiblyInUse("system:serviceaccount:shop:gone", clusterSubjects: [], auditedNamespaces: ["shop"]))
        XCTAssertTrue(TrustEvaluator.possiblyInUse("system:serviceaccount:sh*:x", clusterSubjects: [], auditedNamespaces: ["shop"]))
        XCTAssertFalse(TrustEvaluator.possiblyInUse("system:serviceaccount:billing:x", clusterSubjects: [], auditedNamespaces: nil))
    }

    func testIRSAProviderMissingOrWithoutTheAudience() {
        let ok = role(#"{"StringEquals":{"\#(providerPath):sub":"system:serviceaccount:pay:reader"}}"#)
        let none = TrustEvaluator.irsa(irsaSubject(), role: ok, provider: .success(nil), clusterSubjects: [], now: now)
        XCTAssertEqual(none.failingFields, "OIDC provider")
        XCTAssertTrue(none.fix?.contains("create-open-id-connect-provider") ?? false)
        let wrongAudience = Result<OIDCProvider?, TrustReadProblem>.success(OIDCProvider(arn: providerARN, url: providerPath, clientIDs: ["other"], thumbprints: []))
        XCTAssertEqual(TrustEvaluator.irsa(irsaSubject(), role: ok, provider: wrongAudience, clusterSubjects: [], now: now).failingFields, "OIDC provider client ids")
        XCTAssertEqual(TrustEvaluator.irsa(irsaSubject(), role: .success(nil), provider: provider, clusterSubjects: [], now: now).failingFields, "role")
    }

    func testAccessDeniedNamesThePermissionIAMNames() {
        let error = CloudError.aws(AWSServiceError(service: "iam", httpStatus: 403, code: "AccessDenied",
            message: "User: arn:aws:iam::111122223333:user/widash-limited is not authorized to perform: iam:GetRole on resource: role reader because no identity-based policy allows the iam:GetRole action"))
        let problem = TrustReadProblem.from(error, what: "IAM role reader", permission: "fallback")
        XCTAssertEqual(problem.permission, "iam:GetRole")
        let v = TrustEvaluator.irsa(irsaSubject(), role: .failure(problem), provider: provider, clusterSubjects: [], now: now)
        XCTAssertEqual(v.state, .unknown)
        XCTAssertEqual(v.label, "? iam:GetRole")
    }

    // MARK: EKS Pod Identity

    func podSubject() -> TrustSubject {
        TrustSubject(provider: .awsPodIdentity, cloudIdentity: nil, namespace: "aws", serviceAccount: "app", issuer: nil, audience: TrustSubject.podIdentityAudience)
    }

    func podRole(_ actions: String) -> Result<IAMRole?, TrustReadProblem>? {
        let doc = #"{"Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":\#(actions)}]}"#
        return .success(IAMRole(arn: "arn:aws:iam::1:role/app", roleName: "app", assumeRolePolicyDocument: doc, trustPolicy: TrustPolicy.parse(doc)))
    }

    func association(disableTags: Bool? = nil, target: String? = nil) -> Result<[PodIdentityAssociation], TrustReadProblem> {
        .success([PodIdentityAssociation(associationID: "a-1", associationARN: nil, clusterName: "c", namespace: "aws", serviceAccount: "app",
                                         roleARN: "arn:aws:iam::1:role/app", targetRoleARN: target, externalID: target == nil ? nil : "ext",
                                         disableSessionTags: disableTags)])
    }

    func testPodIdentity() {
        let cluster = EKSClusterRef(name: "c", region: "us-east-1")
        XCTAssertEqual(TrustEvaluator.podIdentity(podSubject(), cluster: nil, associations: nil, role: nil, now: now).state, .unknown)
        XCTAssertEqual(TrustEvaluator.podIdentity(podSubject(), cluster: cluster, associations: .success([]), role: nil, now: now).failingFields,
                       "pod identity association")
        let both = podRole(#"["sts:AssumeRole","sts:TagSession"]"#)
        XCTAssertEqual(TrustEvaluator.podIdentity(podSubject(), cluster: cluster, associations: association(), role: both, now: now).state, .trusted)
        let noTags = podRole(#""sts:AssumeRole""#)
        let v = TrustEvaluator.podIdentity(podSubject(), cluster: cluster, associations: association(), role: noTags, now: now)
        XCTAssertEqual(v.state, .mismatch)
        XCTAssertTrue(v.reason?.contains("sts:TagSession") ?? false, v.reason ?? "")
        XCTAssertEqual(TrustEvaluator.podIdentity(podSubject(), cluster: cluster, associations: association(disableTags: true), role: noTags, now: now).state,
                       .trusted, "session tags disabled: AssumeRole alone is enough")
        let chained = TrustEvaluator.podIdentity(podSubject(), cluster: cluster, associations: association(target: "arn:aws:iam::2:role/t"), role: both, now: now)
        XCTAssertTrue(chained.warnings.first?.contains("arn:aws:iam::2:role/t") ?? false)
        XCTAssertTrue(chained.comparison.contains { $0.cloud.contains("external id ext") })
    }

    func testEKSClusterFromAnARN() {
        XCTAssertEqual(EKSClusterRef(arn: "arn:aws:eks:eu-west-1:111122223333:cluster/prod"), EKSClusterRef(name: "prod", region: "eu-west-1"))
        XCTAssertNil(EKSClusterRef(arn: "prod"))
    }

    // MARK: GKE

    func gkeSubject() -> TrustSubject {
        TrustSubject(provider: .gcp, cloudIdentity: "app@other-proj.iam.gserviceaccount.com", namespace: "ns", serviceAccount: "ksa", issuer: nil,
                     audience: "cluster-proj.svc.id.goog")
    }

    func testGKEMembersInTheClustersPool() {
        let ok = GCPIAMPolicy(bindings: ["roles/iam.workloadIdentityUser": ["serviceAccount:cluster-proj.svc.id.goog[ns/ksa]"]], etag: nil)
        XCTAssertEqual(TrustEvaluator.gke(gkeSubject(), policy: .success(ok), now: now).state, .trusted)
        let principal = GCPIAMPolicy(bindings: ["roles/iam.workloadIdentityUser": [
            "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/cluster-proj.svc.id.goog/subject/ns/ns/sa/ksa"]], etag: nil)
        XCTAssertEqual(TrustEvaluator.gke(gkeSubject(), policy: .success(principal), now: now).state, .trusted)
        // The classic mistake: the Google service account's project pool.
        let wrongPool = GCPIAMPolicy(bindings: ["roles/iam.workloadIdentityUser": ["serviceAccount:other-proj.svc.id.goog[ns/ksa]"]], etag: nil)
        let v = TrustEvaluator.gke(gkeSubject(), policy: .success(wrongPool), now: now)
        XCTAssertEqual(v.state, .mismatch)
        XCTAssertEqual(v.mismatches.first?.expected, "serviceAccount:other-proj.svc.id.goog[ns/ksa]")
        XCTAssertEqual(v.mismatches.first?.got, "serviceAccount:cluster-proj.svc.id.goog[ns/ksa]")
        XCTAssertTrue(v.reason?.contains("names another pool") ?? false, v.reason ?? "")
        XCTAssertEqual(v.fix, "gcloud iam service-accounts add-iam-policy-binding app@other-proj.iam.gserviceaccount.com --role roles/iam.workloadIdentityUser --member \"serviceAccount:cluster-proj.svc.id.goog[ns/ksa]\"")
        XCTAssertEqual(TrustEvaluator.gke(gkeSubject(), policy: .success(nil), now: now).failingFields, "Google service account")
        let denied = TrustReadProblem.from(CloudError.gcp(GCPServiceError(service: "iam", httpStatus: 403, code: "PERMISSION_DENIED",
            message: "Permission 'iam.serviceAccounts.getIamPolicy' denied on resource (or it may not exist).")), what: "policy", permission: "x")
        XCTAssertEqual(TrustEvaluator.gke(gkeSubject(), policy: .failure(denied), now: now).missingPermission, "iam.serviceAccounts.getIamPolicy")
    }

    // MARK: Reading

    func testARMRefusalNamesTheActionFromTheMessage() {
        let error = CloudError.http(endpoint: "https://management.azure.com/x", status: 403, code: "AuthorizationFailed",
            message: "The client 'a' with object id 'o' does not have authorization to perform action 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read' over scope '/subscriptions/s' or the scope is invalid.")
        XCTAssertEqual(TrustReadProblem.from(error, what: "x", permission: "fallback").permission,
                       "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read")
        let graph = CloudError.http(endpoint: "https://graph.microsoft.com/x", status: 403, code: "Authorization_RequestDenied",
                                    message: "Insufficient privileges to complete the operation.")
        XCTAssertEqual(TrustReadProblem.from(graph, what: "x", permission: TrustReadProblem.Permission.graphApplications).permission,
                       "Application.Read.All (Microsoft Graph)")
        XCTAssertTrue(TrustReadProblem.from(CloudError.http(endpoint: "e", status: 503, code: nil, message: nil), what: "x", permission: "p").transient)
    }

    func testClaimsExpressions() {
        XCTAssertEqual(ClaimsExpression("claims['sub'] eq 'a' and claims['sub'] matches 'a*'")?.clauses.count, 2)
        XCTAssertEqual(ClaimsExpression("claims['sub'] matches 'system:serviceaccount:?:x'")?.holds(claims: ["sub": "system:serviceaccount:a:x"]), true)
        XCTAssertEqual(ClaimsExpression("claims['sub'] eq 'a'")?.holds(claims: ["sub": "b"]), false)
        XCTAssertNil(ClaimsExpression("claims['sub'] eq 'a'")?.holds(claims: [:]))
        // `and`: one clause that definitely fails makes the expression false, missing claims or not.
        let both = ClaimsExpression("claims['sub'] eq 'repo:contoso/app:ref:refs/heads/main' and claims['job_workflow_ref'] matches 'contoso/*'")
        XCTAssertEqual(both?.holds(claims: ["sub": "system:serviceaccount:shop:front"]), false)
        let missingFirst = ClaimsExpression("claims['job_workflow_ref'] matches 'contoso/*' and claims['sub'] eq 'repo:contoso/app'")
        XCTAssertEqual(missingFirst?.holds(claims: ["sub": "system:serviceaccount:shop:front"]), false, "the order of the clauses does not matter")
        XCTAssertNil(missingFirst?.holds(claims: ["sub": "repo:contoso/app"]), "the failing-or-holding of the missing claim is unknown")
        XCTAssertEqual(missingFirst?.holds(claims: ["sub": "repo:contoso/app", "job_workflow_ref": "contoso/w.yml@main"]), true)
        XCTAssertNil(ClaimsExpression("claims['sub'] == 'a'"))
        XCTAssertNil(ClaimsExpression("claims['sub'] eq 'a' or claims['sub'] eq 'b'"))
    }

    func testReadsAreRetriedAfterRetryAfterAndCounted() async throws {
        let calls = RequestCounter()
        let transport = ScriptedTransport { _ in
            calls.add()
            return calls.value < 3 ? HTTPResponse(status: 429, headers: ["retry-after": "0"], body: Data()) : json(200, "{}")
        }
        let retrying = ReadRetryTransport(base: transport)
        let response = try await retrying.send(HTTPRequest(url: "https://management.azure.com/x"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(retrying.counter.value, 3)
        let date = ReadRetryTransport.retryAfter("Wed, 02 Dec 2026 14:07:10 GMT", now: Date(timeIntervalSince1970: 1_796_220_420))
        XCTAssertEqual(date, .seconds(10))
    }

    func testTheCacheSharesOneReadAndForgetsTransientFailures() async {
        let cache = ExpiringCache<String, Result<Int, TrustReadProblem>>(ttl: .seconds(60), keep: { result in
            if case .failure(let p) = result { return !p.transient }
            return true
        })
        let reads = RequestCounter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    _ = await cache.value("k") {
                        reads.add()
                        try? await Task.sleep(for: .milliseconds(20))
                        return .success(1)
                    }
                }
            }
        }
        XCTAssertEqual(reads.value, 1)
        _ = await cache.value("t") { reads.add(); return .failure(TrustReadProblem(reason: "503", transient: true)) }
        _ = await cache.value("t") { reads.add(); return .success(2) }
        XCTAssertEqual(reads.value, 3, "a transient failure is read again")
    }
}
