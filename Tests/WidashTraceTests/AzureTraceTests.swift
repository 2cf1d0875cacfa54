import Foundation
import XCTest
import WidashCore
import WidashHTTP
import WidashCloud
@testable import WidashTrace

final class AzureTraceTests: XCTestCase {
    func testAllFiveStepsPassAndEventsStreamInOrder() async throws {
        let transport = FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            if r.url == "https://login.microsoftonline.com/\(tenant)/oauth2/v2.0/token" { return entraOK }
            if r.url.hasPrefix("https://shop-kv.vault.azure.net/secrets/db-password") { return json(200, #"{"value":"***","id":"x"}"#) }
            return json(404, "{}")
        }
        let cluster = FakeCluster()
        let engine = TraceEngine(cluster: cluster, services: TraceServices(transport: transport, environment: [:]))
        var events: [TraceEvent] = []
        for await e in engine.run(pod: azurePod(), serviceAccount: azureSA(), options: options()) { events.append(e) }

        guard case .started(let pod, let provider) = events.first else { return XCTFail("first event is .started") }
        XCTAssertEqual(pod, "shop/frontend-7d9f")
        XCTAssertEqual(provider, .azure)
        let order = events.compactMap { e -> String? in
            switch e {
            case .stepStarted(let n): return "s\(n)"
            case .stepFinished(let s): return "f\(s.number)"
            default: return nil
            }
        }
        XCTAssertEqual(order, ["s1", "f1", "s2", "f2", "s3", "f3", "s4", "f4", "s5", "f5"])
        guard case .finished(let report) = events.last else { return XCTFail("last event is .finished") }
        XCTAssertEqual(report.result, .passed, report.steps.map { "\($0.number) \($0.status) \($0.diagnosis?.summary ?? "")" }.joined(separator: "\n"))
        XCTAssertEqual(report.steps.map(\.status), [.passed, .passed, .passed, .passed, .passed])

        // Step 1 minted a token bound to the pod with the projected audience and TTL.
        let request = try XCTUnwrap(cluster.requests.first)
        XCTAssertEqual(request.2, "api://AzureADTokenExchange")
        XCTAssertEqual(request.3, 3600)
        XCTAssertEqual(request.4, BoundPod(name: "frontend-7d9f", uid: "uid-1"))
        let step1 = report.steps[0].evidence
        XCTAssertEqual(step1["sub"], "system:serviceaccount:shop:frontend")
        XCTAssertTrue(step1["tokenRequest"]?.contains("bound to pod frontend-7d9f") ?? false)
        XCTAssertNotNil(step1["projectedTokenEstimate"])
        XCTAssertNotNil(step1["testTokenExpiresAt"])
        // Never the whole token in evidence.
        let token = try await cluster.requestToken(namespace: "shop", serviceAccount: "frontend", audience: "api://AzureADTokenExchange", expirationSeconds: 3600, boundPod: BoundPod(name: "frontend-7d9f", uid: "uid-1"))
        let encoded = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        XCTAssertFalse(encoded.contains(token), "the test token must not appear in the report")
        XCTAssertFalse(encoded.contains("eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2ln"), "the access token must not appear in the report")

        // Step 2 sent the Key Vault scope (resource proposed from the pod env) with azure-identity's fields.
        let sent = try XCTUnwrap(transport.requests.first { $0.url.contains("/oauth2/v2.0/token") })
        let form = FormEncoding.decode(String(decoding: sent.body ?? Data(), as: UTF8.self))
        XCTAssertEqual(form.map(\.0), ["client_assertion", "client_assertion_type", "client_id", "grant_type", "scope"])
        XCTAssertEqual(form.last?.1, "https://vault.azure.net/.default")
        XCTAssertEqual(report.steps[4].evidence["request"], "GET https://shop-kv.vault.azure.net/secrets/db-password?api-version=7.4")
        XCTAssertEqual(report.steps[3].evidence["expiresIn"], "3599 s")
        XCTAssertEqual(report.steps[2].evidence["kidInJWKS"], "yes (key-1)")
    }

    func testWrongSubjectFailsAtStep3WithBothSubjects() async throws {
        let identityID = "/subscriptions/sub1/resourceGroups/rg-demo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-wrong-subject"
        let transport = FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            if r.url.contains("/oauth2/v2.0/token") {
                return entraError(700213, "AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:broken:wrong-subject'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.")
            }
            if r.url.hasPrefix("https://graph.microsoft.com") { return json(404, #"{"error":{"code":"Request_ResourceNotFound","message":"nope"}}"#) }
            if r.url.hasPrefix("https://management.azure.com/subscriptions?") { return json(200, #"{"value":[{"subscriptionId":"sub1"}]}"#) }
            if r.url.contains("/federatedIdentityCredentials") {
                return json(200, #"{"value":[{"name":"aks-wrong-subject","id":"x","properties":{"issuer":"\#(issuer)","subject":"system:serviceaccount:broken:wrongsubject","audiences":["api://AzureADTokenExchange"]}}]}"#)
            }
            if r.url.contains("userAssignedIdentities") { return json(200, #"{"value":[{"id":"\#(identityID)","name":"id-wrong-subject","properties":{"clientId":"client-1"}}]}"#) }
            return json(404, "{}")
        }
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: transport, environment: [:], azureCredential: FakeOperatorCredential()))
        let report = await engine.report(pod: azurePod(namespace: "broken", name: "wrong-subject-1", sa: "wrong-subject"),
                                         serviceAccount: azureSA(namespace: "broken", name: "wrong-subject"), options: options())
        XCTAssertEqual(report.result, .failed)
        XCTAssertEqual(report.steps.map(\.status), [.passed, .passed, .failed, .skipped, .skipped])
        let step3 = report.steps[2]
        XCTAssertEqual(step3.evidence["errorCode"], "AADSTS700213")
        XCTAssertEqual(report.steps[1].evidence["errorCode"], "AADSTS700213")
        let diagnosis = try XCTUnwrap(step3.diagnosis)
        XCTAssertTrue(diagnosis.summary.contains("subject is system:serviceaccount:broken:wrongsubject, the token's is system:serviceaccount:broken:wrong-subject"), diagnosis.summary)
        XCTAssertEqual(diagnosis.mismatches, [Mismatch(field: "subject", expected: "system:serviceaccount:broken:wrongsubject", actual: "system:serviceaccount:broken:wrong-subject")])
        XCTAssertEqual(diagnosis.fix, "az identity federated-credential update --name 'aks-wrong-subject' --identity-name 'id-wrong-subject' --resource-group 'rg-demo' --subscription sub1 --issuer '\(issuer)' --subject 'system:serviceaccount:broken:wrong-subject' --audiences 'api://AzureADTokenExchange'")
    }

    /// Codes whose real causes are not a credential mismatch: AADSTS700016 (the client id is not in
    /// this tenant: often the wrong tenant id), 53003 (Conditional Access), 7000215 (a static secret).
    func testEntraCodesWithOtherCausesAreDiagnosedByTheirCause() async throws {
        func report(_ code: Int, _ description: String) async -> TraceReport {
            let transport = FakeTransport { r in
                if let d = issuerRoute(r) { return d }
                return entraError(code, description)
            }
            let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: transport, environment: [:]))
            return await engine.report(pod: azurePod(), serviceAccount: azureSA(), options: options())
        }
        let notFound = await report(700016, "AADSTS700016: Application with identifier 'client-1' was not found in the directory 'Contoso'.")
        XCTAssertEqual(notFound.steps[2].status, .failed)
        XCTAssertTrue(notFound.steps[2].diagnosis?.summary.contains("the tenant id is") ?? false, "\(notFound.steps[2])")
        let blocked = await report(53003, "AADSTS53003: Access has been blocked by Conditional Access policies.")
        XCTAssertEqual(blocked.steps[2].status, .failed)
        XCTAssertTrue(blocked.steps[2].diagnosis?.summary.contains("Conditional Access") ?? false)
        XCTAssertTrue(blocked.steps[2].diagnosis?.fix?.contains("66666666-7777-8888-9999-000000000000") ?? false, "names the correlation id")
        let secret = await report(7000215, "AADSTS7000215: Invalid client secret provided.")
        XCTAssertEqual(secret.steps.map(\.status), [.passed, .passed, .passed, .failed, .skipped], "not a trust failure")
        XCTAssertTrue(secret.steps[3].diagnosis?.summary.contains("static secret") ?? false)
    }

    /// An AKS identity-binding pod exchanges through the cluster's token proxy with its own
    /// audience: a direct exchange would report a false mismatch, so steps 2–5 say why they skip.
    func testIdentityBindingPodsAreNotExchangedDirectly() async throws {
        let transport = FakeTransport { _ in XCTFail("no exchange expected"); return json(500, "{}") }
        var pod = azurePod(env: [EnvVar(name: "AZURE_CLIENT_ID", value: "client-1"), EnvVar(name: "AZURE_TENANT_ID", value: tenant),
                                 EnvVar(name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/azure/tokens/azure-identity-token"),
                                 EnvVar(name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/"),
                                 EnvVar(name: "AZURE_KUBERNETES_TOKEN_PROXY", value: "https://kubernetes.default.svc")])
        pod.metadata.annotations = ["azure.workload.identity/use-identity-binding": "true"]
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: transport, environment: [:]))
        let report = await engine.report(pod: pod, serviceAccount: azureSA(), options: options())
        XCTAssertEqual(report.steps.map(\.status), [.passed, .skipped, .skipped, .skipped, .skipped])
        XCTAssertTrue(report.steps[1].evidence["skipped"]?.contains("AKS identity binding") ?? false)
        XCTAssertEqual(report.result, .passed, "not a failure: nothing was refused")
    }

    func testWrongSubjectWithoutOperatorCredentialsNamesThePresentedSubject() async throws {
        let transport = FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            return entraError(700213, "AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:broken:wrong-subject'.")
        }
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: transport, environment: [:]))
        let report = await engine.report(pod: azurePod(namespace: "broken", name: "ws", sa: "wrong-subject"),
                                         serviceAccount: azureSA(namespace: "broken", name: "wrong-subject"), options: options())
        let step3 = report.steps[2]
        XCTAssertEqual(step3.status, .failed)
        XCTAssertTrue(step3.evidence["federatedCredentials"]?.hasPrefix("not checked") ?? false)
        XCTAssertEqual(step3.diagnosis?.mismatches.first?.field, "subject")
        XCTAssertEqual(step3.diagnosis?.mismatches.first?.actual, "system:serviceaccount:broken:wrong-subject")
        XCTAssertTrue(step3.diagnosis?.fix?.contains("az identity federated-credential create") ?? false)
    }

    func testNoLabelFailsAtStep1WithoutATokenRequest() async throws {
        let transport = FakeTransport { _ in json(500, "{}") }
        let cluster = FakeCluster()
        let engine = TraceEngine(cluster: cluster, services: TraceServices(transport: transport, environment: [:]))
        let pod = azurePod(namespace: "broken", name: "no-label-1", sa: "no-label", label: nil, env: [])
        let report = await engine.report(pod: pod, serviceAccount: azureSA(namespace: "broken", name: "no-label"), options: options())
        XCTAssertEqual(report.result, .failed)
        XCTAssertEqual(report.steps.map(\.status), [.failed, .skipped, .skipped, .skipped, .skipped])
        XCTAssertEqual(report.steps[0].diagnosis?.mismatches.first, Mismatch(field: "label azure.workload.identity/use", expected: "true", actual: "(missing)"))
        XCTAssertTrue(report.steps[0].diagnosis?.fix?.contains("deployment/no-label") ?? false)
        XCTAssertTrue(cluster.requests.isEmpty)
        XCTAssertTrue(transport.requests.isEmpty)
    }

    func testNoClientIDFailsAtStep1() async {
        let pod = azurePod(namespace: "broken", name: "ncid", sa: "no-client-id", env: [EnvVar(name: "AZURE_TENANT_ID", value: tenant)])
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: FakeTransport { _ in json(500, "{}") }, environment: [:]))
        let report = await engine.report(pod: pod, serviceAccount: azureSA(namespace: "broken", name: "no-client-id", clientID: nil), options: options())
        XCTAssertEqual(report.steps.first?.status, .failed)
        XCTAssertTrue(report.steps.first?.diagnosis?.fix?.contains("azure.workload.identity/client-id=") ?? false)
    }

    func test403AtStep5NamesTheServiceError() async throws {
        let transport = FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            if r.url.contains("/oauth2/v2.0/token") { return entraOK }
            return json(403, #"{"error":{"code":"Forbidden","message":"Caller is not authorized to perform action on resource.","innererror":{"code":"ForbiddenByRbac"}}}"#)
        }
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: transport, environment: [:]))
        let report = await engine.report(pod: azurePod(namespace: "broken", name: "no-role-1", sa: "no-role"),
                                         serviceAccount: azureSA(namespace: "broken", name: "no-role"), options: options())
        XCTAssertEqual(report.result, .failed)
        XCTAssertEqual(report.steps.map(\.status), [.passed, .passed, .passed, .passed, .failed])
        let step5 = report.steps[4]
        XCTAssertEqual(step5.evidence["status"], "403")
        XCTAssertEqual(step5.evidence["errorCode"], "Forbidden")
        XCTAssertTrue(step5.diagnosis?.summary.contains("Caller is not authorized") ?? false)
        XCTAssertTrue(step5.diagnosis?.fix?.contains("Key Vault Secrets User") ?? false)
    }

    func testUnreachableEntraEndsUnreachableWithDiagnosis() async throws {
        let transport = FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            throw HTTPError.connectionRefused(url: r.url, detail: "Connection refused")
        }
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: transport, environment: [:]))
        let report = await engine.report(pod: azurePod(), serviceAccount: azureSA(), options: options())
        XCTAssertEqual(report.result, .unreachable)
        XCTAssertEqual(report.steps[1].status, .failed)
        XCTAssertTrue(report.steps[1].diagnosis?.summary.contains("https://login.microsoftonline.com could not be reached") ?? false,
                      report.steps[1].diagnosis?.summary ?? "")
        XCTAssertEqual(report.steps[2].status, .skipped)
    }

    func testSlowEndpointTimesOutWithinTheStepTimeout() async throws {
        let transport = FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            try await Task.sleep(for: .seconds(30))  // cancelled by the step timeout
            return entraOK
        }
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: transport, environment: [:]))
        let report = await engine.report(pod: azurePod(), serviceAccount: azureSA(), options: options { $0.stepTimeout = .milliseconds(300) })
        XCTAssertEqual(report.result, .unreachable)
        let step2 = report.steps[1]
        XCTAssertEqual(step2.status, .failed)
        XCTAssertEqual(step2.diagnosis?.summary, "https://login.microsoftonline.com did not answer within 300 ms")
        XCTAssertLessThan(step2.durationMs ?? .max, 10_000)
    }

    func testReadOnlyInspectsOnly() async throws {
        let transport = FakeTransport { _ in json(500, "{}") }
        let cluster = FakeCluster()
        let engine = TraceEngine(cluster: cluster, services: TraceServices(transport: transport, environment: [:]))
        let report = await engine.report(pod: azurePod(), serviceAccount: azureSA(), options: options { $0.readOnly = true })
        XCTAssertEqual(report.steps.map(\.status), [.passed, .skipped, .skipped, .skipped, .skipped])
        XCTAssertEqual(report.steps[0].evidence["tokenRequest"], "skipped (read-only)")
        XCTAssertTrue(report.steps[1].evidence["skipped"]?.hasPrefix("read-only") ?? false)
        XCTAssertTrue(cluster.requests.isEmpty, "no TokenRequest in read-only mode")
        XCTAssertTrue(transport.requests.isEmpty, "no exchange in read-only mode")
    }

    func testReportJSONShape() async throws {
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: FakeTransport { _ in json(500, "{}") }, environment: [:]))
        let report = await engine.report(pod: azurePod(), serviceAccount: azureSA(), options: options { $0.readOnly = true })
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["pod", "provider", "steps", "result"])
        XCTAssertEqual(object["provider"] as? String, "azure")
        let step = try XCTUnwrap((object["steps"] as? [[String: Any]])?.first)
        XCTAssertTrue(Set(step.keys).isSuperset(of: ["number", "title", "status", "durationMs", "evidence"]))
        XCTAssertEqual(step["title"] as? String, "token projected")
    }
}
