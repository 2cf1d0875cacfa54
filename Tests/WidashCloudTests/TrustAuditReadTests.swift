import Foundation
import XCTest
import WidashCore
import WidashHTTP
@testable import WidashCloud

/// The audit's reading as a whole (`CloudTrustReader` + `TrustAudit`) against scripted clouds: one
/// failure never hides the others, fixes never break a neighbour the audit could not see, the
/// cache forgets after its time to live, Retry-After is waited for, and the per-cloud limit holds.
final class TrustAuditReadTests: XCTestCase {
    let issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"
    let awsEnvironment = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "us-east-1",
                          "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"]

    func entry(_ namespace: String, _ name: String, _ bindings: [IdentityBinding]) -> IdentityEntry {
        IdentityEntry(namespace: namespace, name: name, annotations: [:], bindings: bindings, pods: [], findings: [], status: .ok)
    }

    static func getRole(_ name: String, policy: String) -> HTTPResponse {
        let encoded = policy.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? policy
        return xml(200, "<GetRoleResponse><GetRoleResult><Role><Arn>arn:aws:iam::111122223333:role/\(name)</Arn><RoleName>\(name)</RoleName>"
                   + "<AssumeRolePolicyDocument>\(encoded)</AssumeRolePolicyDocument></Role></GetRoleResult></GetRoleResponse>")
    }

    // MARK: Pod Identity: one failed description

    func testAFailedDescriptionMakesOnlyItsAssociationUnknown() async throws {
        let podPolicy = #"{"Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#
        let transport = ScriptedTransport { r in
            if r.url.contains("/pod-identity-associations/a-denied") {
                return HTTPResponse(status: 403, headers: ["x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/coral/",
                                                           "content-type": "application/json"],
                                    body: Data(#"{"message":"User: arn:aws:iam::111122223333:user/op is not authorized to perform: eks:DescribePodIdentityAssociation on resource: arn:aws:eks:us-east-1:111122223333:podidentityassociation/c/a-denied"}"#.utf8))
            }
            if r.url.contains("/pod-identity-associations/a-ok") {
                return json(200, #"{"association":{"clusterName":"c","namespace":"aws","serviceAccount":"ok","roleArn":"arn:aws:iam::111122223333:role/app","associationId":"a-ok","associationArn":"arn:aws:eks:us-east-1:111122223333:podidentityassociation/c/a-ok","disableSessionTags":false}}"#)
            }
            if r.url.contains("/pod-identity-associations") {
                return json(200, #"{"associations":[{"clusterName":"c","namespace":"aws","serviceAccount":"denied","associationId":"a-denied"},{"clusterName":"c","namespace":"aws","serviceAccount":"ok","associationId":"a-ok"}]}"#)
            }
            if r.url.contains("iam.amazonaws.com") { return Self.getRole("app", policy: podPolicy) }
            return json(500, "{}")
        }
        let reader = CloudTrustReader(transport: transport, environment: awsEnvironment, azureCredential: nil)
        let cluster = EKSClusterRef(name: "c", region: "us-east-1")

        let list = try await reader.podIdentityAssociationList(cluster: cluster).get()
        XCTAssertEqual(list.associations.map(\.associationID), ["a-denied", "a-ok"])
        XCTAssertEqual(list.problems.keys.sorted(), ["a-denied"])
        XCTAssertEqual(list.problems["a-denied"]?.permission, "eks:DescribePodIdentityAssociation")
        XCTAssertEqual(list.associations.first { $0.associationID == "a-ok" }?.roleARN, "arn:aws:iam::111122223333:role/app")

        let podIdentity = { (name: String) in IdentityBinding(provider: .awsPodIdentity, cloudIdentity: nil, source: "pod \(name)") }
        let inventory = Inventory(issuer: issuer, webhooks: [], identities: [entry("aws", "denied", [podIdentity("denied")]),
                                                                              entry("aws", "ok", [podIdentity("ok")])],
                                  clusterFindings: [])
        let result = await TrustAudit(reader: reader, eksCluster: cluster, workloadPool: nil).run(inventory)
        let byAccount = Dictionary(uniqueKeysWithValues: result.verdicts.map { ($0.key.serviceAccount, $0.value) })
        XCTAssertEqual(byAccount["ok"]?.state, .trusted, byAccount["ok"]?.reason ?? "")
        XCTAssertEqual(byAccount["denied"]?.state, .unknown)
        XCTAssertEqual(byAccount["denied"]?.missingPermission, "eks:DescribePodIdentityAssociation", byAccount["denied"]?.reason ?? "")
        XCTAssertEqual(result.podIdentityAssociations["aws/ok"]?.roleARN, "arn:aws:iam::111122223333:role/app")
        XCTAssertEqual(result.podIdentityAssociations["aws/denied"]?.associationID, "a-denied")

        // An audit of fewer service accounts describes only theirs (a cluster may hold thousands).
        let fresh = CloudTrustReader(transport: transport, environment: awsEnvironment, azureCredential: nil)
        let before = transport.requests.count
        let okOnly = Inventory(issuer: issuer, webhooks: [], identities: [entry("aws", "ok", [podIdentity("ok")])], clusterFindings: [])
        _ = await TrustAudit(reader: fresh, eksCluster: cluster, workloadPool: nil).run(okOnly)
        let sent = transport.requests.dropFirst(before).map(\.url)
        XCTAssertTrue(sent.contains { $0.contains("/pod-identity-associations/a-ok") }, "\(sent)")
        XCTAssertFalse(sent.contains { $0.contains("/pod-identity-associations/a-denied") }, "\(sent)")
    }

    // MARK: Neighbours outside the audited namespaces

    func testAnAuditOfOneNamespaceNeverRewritesACredentialOfAnother() async throws {
        let identityID = "/subscriptions/sub1/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-front"
        let aksIssuer = "https://oidc.prod-aks.azure.com/tenant/issuer/"
        let transport = ScriptedTransport { r in
            if r.url.contains("/federatedIdentityCredentials") {
                // The billing namespace's front uses this identity too (same cluster, same issuer).
                return json(200, #"{"value":[{"id":"\#(identityID)/federatedIdentityCredentials/aks-billing-front","name":"aks-billing-front","properties":{"issuer":"\#(aksIssuer)","subject":"system:serviceaccount:billing:front","audiences":["api://AzureADTokenExchange"]}}]}"#)
            }
            if r.url.contains("/userAssignedIdentities?") {
                return json(200, #"{"value":[{"id":"\#(identityID)","name":"id-front","properties":{"clientId":"C1","principalId":"p1","tenantId":"t"}}]}"#)
            }
            if r.url.contains("roleAssignments") { return json(200, #"{"value":[]}"#) }
            if r.url.contains("roleDefinitions") { return json(200, #"{"value":[]}"#) }
            return json(404, #"{"error":{"code":"NotFound","message":"not scripted"}}"#)
        }
        let reader = CloudTrustReader(transport: transport, environment: [:],
                                      azureCredential: AzureFederatedCredentialTests.FakeCredential(available: true), azureSubscriptionIDs: ["sub1"])
        // `widash identities -n shop`: the inventory holds shop's service accounts only.
        let inventory = Inventory(issuer: aksIssuer, webhooks: [], identities: [
            entry("shop", "front", [IdentityBinding(provider: .azure, cloudIdentity: "C1", source: "annotation")]),
        ], clusterFindings: [])
        var audit = TrustAudit(reader: reader, eksCluster: nil, workloadPool: nil)
        let scopedRun = await audit.run(inventory)
        let scoped = try XCTUnwrap(scopedRun.verdicts.values.first)
        XCTAssertEqual(scoped.failingFields, "subject")
        XCTAssertTrue(scoped.fix?.hasPrefix("az identity federated-credential create --name 'shop-front'") ?? false, scoped.fix ?? "")
        XCTAssertTrue(scoped.reason?.contains("outside the audited namespaces") ?? false, scoped.reason ?? "")

        // Told the inventory is the whole cluster, nothing holds billing/front: the credential is fixed in place.
        audit.wholeCluster = true
        let wholeRun = await audit.run(inventory)
        let whole = try XCTUnwrap(wholeRun.verdicts.values.first)
        XCTAssertTrue(whole.fix?.hasPrefix("az identity federated-credential update --name 'aks-billing-front'") ?? false, whole.fix ?? "")
    }

    // MARK: Cache, Retry-After, concurrency

    func testTheCacheForgetsAfterItsTimeToLive() async {
        let start = ContinuousClock.now
        let elapsed = Locked(Duration.zero)
        let cache = ExpiringCache<String, Int>(ttl: .seconds(300), clock: { start + elapsed.value })
        let computed = Locked(0)
        func ask() async -> Int {
            await cache.value("k") { computed.update { $0 += 1; return $0 } }
        }
        let first = await ask()
        XCTAssertEqual(first, 1)
        elapsed.value = .seconds(299)
        let cached = await ask()
        XCTAssertEqual(cached, 1, "within its time to live the value is kept")
        XCTAssertEqual(computed.value, 1)
        elapsed.value = .seconds(300)
        let fresh = await ask()
        XCTAssertEqual(fresh, 2, "after its time to live the value is read again")
        elapsed.value = .seconds(599)
        let kept = await ask()
        XCTAssertEqual(kept, 2, "the new value lives its own time to live")
        XCTAssertEqual(computed.value, 2)
    }

    func testANonZeroRetryAfterIsWaitedFor() async throws {
        let answers = Locked([HTTPResponse(status: 429, headers: ["retry-after": "7"], body: Data()),
                              HTTPResponse(status: 503, headers: ["retry-after": "2"], body: Data()),
                              json(200, "{}")])
        let base = ScriptedTransport { _ in answers.update { $0.removeFirst() } }
        let waits = Locked<[Duration]>([])
        let transport = ReadRetryTransport(base: base, sleep: { d in waits.update { $0.append(d) } })
        let response = try await transport.send(HTTPRequest(method: "GET", url: "https://management.azure.com/x"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(base.requests.count, 3)
        XCTAssertEqual(waits.value, [.seconds(7), .seconds(2)], "each retry waits what Retry-After said")

        // Never more than maxWait at once, and the last answer is returned once attempts run out.
        let slow = ScriptedTransport { _ in HTTPResponse(status: 429, headers: ["retry-after": "3600"], body: Data()) }
        let capped = Locked<[Duration]>([])
        let limited = ReadRetryTransport(base: slow, attempts: 2, maxWait: .seconds(30), sleep: { d in capped.update { $0.append(d) } })
        let last = try await limited.send(HTTPRequest(method: "GET", url: "https://management.azure.com/x"))
        XCTAssertEqual(last.status, 429)
        XCTAssertEqual(capped.value, [.seconds(30)])
    }

    func testTheLimiterNeverRunsMoreThanItsLimit() async {
        let limiter = AsyncLimiter(limit: 3)
        let gauge = InFlight()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    await limiter.run {
                        gauge.enter()
                        try? await Task.sleep(for: .milliseconds(2))
                        gauge.leave()
                    }
                }
            }
        }
        XCTAssertEqual(gauge.most, 3, "at most 3 at once, and the limit is used")
    }

    /// The audit's per-cloud limit, measured at the wire: with `concurrency` 2, no more than two
    /// IAM requests are ever in flight, however many IRSA roles there are.
    func testTheAuditKeepsToItsPerCloudConcurrency() async throws {
        let gauge = InFlight()
        let providerPath = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
        let transport = ScriptedTransport { r in
            gauge.enter()
            defer { gauge.leave() }
            try? await Task.sleep(for: .milliseconds(3))
            let body = String(decoding: r.body ?? Data(), as: UTF8.self)
            if body.contains("GetOpenIDConnectProvider") {
                return xml(200, "<GetOpenIDConnectProviderResponse><GetOpenIDConnectProviderResult><Url>\(providerPath)</Url><ClientIDList><member>sts.amazonaws.com</member></ClientIDList></GetOpenIDConnectProviderResult></GetOpenIDConnectProviderResponse>")
            }
            let name = FormEncoding.decode(body).first { $0.0 == "RoleName" }?.1 ?? "?"
            let policy = #"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/\#(providerPath)"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"\#(providerPath):sub":"system:serviceaccount:team:\#(name)"}}}]}"#
            return Self.getRole(name, policy: policy)
        }
        let reader = CloudTrustReader(transport: transport, environment: awsEnvironment, azureCredential: nil)
        let identities = (0..<24).map { i in
            entry("team", "sa\(i)", [IdentityBinding(provider: .awsIRSA, cloudIdentity: "arn:aws:iam::111122223333:role/sa\(i)", source: "annotation")])
        }
        var audit = TrustAudit(reader: reader, eksCluster: nil, workloadPool: nil)
        audit.concurrency = 2
        let result = await audit.run(Inventory(issuer: "https://\(providerPath)", webhooks: [], identities: identities, clusterFindings: []))
        XCTAssertEqual(result.verdicts.count, 24)
        XCTAssertTrue(result.verdicts.values.allSatisfy { $0.state == .trusted }, "\(result.verdicts.values.map { $0.reason ?? "" })")
        XCTAssertEqual(gauge.most, 2, "IAM requests in flight at once")
    }

    // MARK: Flexible credentials as ARM and Graph return them

    /// The reference list bodies (azure-arm-fic 2026-05-31, graph-fic v1.0; see PROVENANCE.md) with a
    /// flexible credential added next to their subject credential, in the documented wire form
    /// (`claimsMatchingExpression: {value, languageVersion}` instead of `subject`): both lists
    /// decode whole, and the audit evaluates the expressions.
    func testFlexibleCredentialsDecodeFromARMAndGraphAndAreEvaluated() async throws {
        let armReference = try requireReference("azure-arm-fic/2026-05-31/FederatedIdentityCredentialList.json")
        let armObject = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: armReference)) as? [String: Any])
        var armBody = try XCTUnwrap(((armObject["responses"] as? [String: Any])?["200"] as? [String: Any])?["body"] as? [String: Any])
        armBody["nextLink"] = nil
        var armItems = try XCTUnwrap(armBody["value"] as? [[String: Any]])
        var armFlexible = try XCTUnwrap(armItems.first)
        var properties = try XCTUnwrap(armFlexible["properties"] as? [String: Any])
        properties["subject"] = nil
        properties["claimsMatchingExpression"] = ["value": "claims['sub'] matches 'system:serviceaccount:ns:*'", "languageVersion": 1]
        armFlexible["properties"] = properties
        armFlexible["name"] = "flexible-ns"
        armItems.append(armFlexible)
        armBody["value"] = armItems
        let armData = try JSONSerialization.data(withJSONObject: armBody)

        let graphReference = try requireReference("graph-fic/v1.0-application-list-federatedidentitycredentials.response.json")
        var graphBody = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: graphReference)) as? [String: Any])
        var graphItems = try XCTUnwrap(graphBody["value"] as? [[String: Any]])
        var graphFlexible = try XCTUnwrap(graphItems.first)
        graphFlexible["subject"] = nil
        graphFlexible["name"] = "github-main"
        graphFlexible["claimsMatchingExpression"] = ["value": "claims['sub'] matches 'repo:contoso/*' and claims['job_workflow_ref'] matches 'contoso/deploy/*'",
                                                     "languageVersion": 1]
        graphItems.append(graphFlexible)
        graphBody["value"] = graphItems
        let graphData = try JSONSerialization.data(withJSONObject: graphBody)

        let transport = ScriptedTransport { r in HTTPResponse(status: 200, headers: [:], body: r.url.contains("graph.microsoft.com") ? graphData : armData) }
        let arm = try await ARMClient(transport: transport).federatedCredentials(
            identityID: "/subscriptions/c267c0e7-0a73-4789-9e17-d26aeb0904e5/resourcegroups/rgName/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identityName",
            token: "t")
        XCTAssertEqual(arm.map(\.name), ["ficResourceName", "flexible-ns"])
        XCTAssertEqual(arm[0].subject, "system:serviceaccount:ns:svcaccount")
        XCTAssertNil(arm[0].claimsMatchingExpression)
        XCTAssertEqual(arm[1].subject, "")
        XCTAssertEqual(arm[1].claimsMatchingExpression, "claims['sub'] matches 'system:serviceaccount:ns:*'")
        let graphList = try await GraphFederatedCredentialClient(transport: transport).list(appID: "bcd7c908-1c4d-4d48-93ee-ff38349a75c8", token: "t")
        let graph = try XCTUnwrap(graphList)
        XCTAssertEqual(graph.map(\.name), ["testing", "github-main"])
        XCTAssertEqual(graph[1].claimsMatchingExpression?.hasPrefix("claims['sub'] matches 'repo:contoso/*'"), true)

        // ARM: a service account of `ns` other than svcaccount is accepted by the expression.
        let armIssuer = arm[0].issuer
        let holder = FederatedCredentialHolder.userAssignedIdentity(resourceID: "id", name: "identityName", resourceGroup: "rgName", subscriptionID: "s")
        let other = TrustSubject(provider: .azure, cloudIdentity: "c", namespace: "ns", serviceAccount: "worker", issuer: armIssuer,
                                 audience: "api://AzureADTokenExchange")
        let armVerdict = TrustEvaluator.azure(other, .found(AzureIdentityFacts(holder: holder, principalID: "p", tenantID: nil, credentials: arm,
                                                                              roles: .success(["Reader on /subscriptions/s"]))),
                                              clusterSubjects: [], now: Date())
        XCTAssertEqual(armVerdict.state, .trusted, armVerdict.reason ?? "")
        XCTAssertEqual(armVerdict.source, "managed identity identityName (resource group rgName), federated credential flexible-ns")

        // Graph: the GitHub expression's `sub` clause fails for a Kubernetes subject, so it is a
        // mismatch (not "expression, not evaluated"), though the token has no job_workflow_ref.
        let k8s = TrustSubject(provider: .azure, cloudIdentity: "bcd7c908-1c4d-4d48-93ee-ff38349a75c8", namespace: "ns", serviceAccount: "svcaccount",
                               issuer: graph[0].issuer, audience: "api://AzureADTokenExchange")
        let graphVerdict = TrustEvaluator.azure(k8s, .found(AzureIdentityFacts(holder: .application(appID: "bcd7c908-1c4d-4d48-93ee-ff38349a75c8"),
                                                                              principalID: nil, tenantID: nil, credentials: graph, roles: .success([]))),
                                                clusterSubjects: [], now: Date())
        XCTAssertEqual(graphVerdict.state, .mismatch, graphVerdict.reason ?? "")
        XCTAssertEqual(graphVerdict.failingFields, "subject")
        XCTAssertFalse(graphVerdict.warnings.contains { $0.contains("cannot evaluate") }, "\(graphVerdict.warnings)")
    }
}

/// A value behind a lock, for test closures.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    @discardableResult
    func update<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&stored) } }
}

/// How many are inside at once, and the most ever.
final class InFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var now = 0
    private var peak = 0
    func enter() { lock.withLock { now += 1; peak = max(peak, now) } }
    func leave() { lock.withLock { now -= 1 } }
    var most: Int { lock.withLock { peak } }
}
