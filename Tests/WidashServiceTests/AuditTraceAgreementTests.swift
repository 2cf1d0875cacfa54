import Foundation
import WidashCore
import WidashHTTP
import WidashSandbox
import WidashService
import XCTest

/// The trust audit (read-only, no exchange) and the trace (a real exchange, the cloud's own verdict)
/// never disagree on the demo: for every pod, a binding the audit calls trusted passes the trust
/// check of its trace (or fails it for a reason that is not configuration: an expired token), and
/// one it calls a mismatch fails it, on the same field. Both go through one session, so the trace's
/// step 3 also reuses what the audit read (no second read of the same credential list).
final class AuditTraceAgreementTests: XCTestCase {
    static func demoSession(_ sandbox: SandboxServer, operator demoOperator: DemoOperator = .full) throws -> ClusterSession {
        let kube = try SessionInputs.kubeconfig(yaml: Data(sandbox.kubeconfigYAML().utf8), origin: "<demo sandbox>", context: nil, namespace: nil)
        let environment = SandboxServer.operatorEnvironment(base: [:], operator: demoOperator)
        return ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudHTTP: sandbox.cloudHTTPOptions,
            cloudEnvironment: environment, eksClusterName: environment["WIDASH_EKS_CLUSTER"],
            gcpWorkloadPool: environment["WIDASH_GKE_WORKLOAD_POOL"]))
    }

    /// Mismatch fields that name configuration (not the token's time or signature).
    static func configurationField(_ field: String) -> String? {
        let f = field.lowercased()
        if f.contains("sub") { return "subject" }
        if f.contains("iss") { return "issuer" }
        if f.contains("aud") { return "audience" }
        if f.contains("association") { return "pod identity association" }
        if f.contains("workloadidentityuser") { return "workloadIdentityUser" }
        if f.contains("client id") || f.contains("oidc provider") || f.contains("trust policy") { return f }
        return nil
    }

    func testAuditAndTraceAgreeOnEveryDemoPod() async throws {
        let sandbox = try await SandboxServer.start(SandboxOptions(isStatic: true), services: EmulatedClouds.services)
        addTeardownBlock { await sandbox.stop() }
        let session = try Self.demoSession(sandbox)
        let inventory = try await session.auditedInventory(namespace: nil)
        let readsAfterAudit = session.trustReader.requests.value
        XCTAssertGreaterThan(readsAfterAudit, 0)

        var compared: [String] = []
        for entry in inventory.identities {
            for pod in entry.pods {
                guard let provider = pod.provider, provider != .azurePodIdentity,
                      let verdict = entry.bindings.first(where: { $0.provider == provider })?.trust else { continue }
                let key = "\(pod.namespace)/\(pod.name)"
                var report: TraceReport?
                for await event in try await session.trace(namespace: pod.namespace, pod: pod.name) {
                    if case .finished(let r) = event { report = r }
                }
                let trace = try XCTUnwrap(report, key)
                // Where the cloud decides trust: step 3 (Entra, STS, eks-auth, Google STS), and for GKE
                // also step 4 (generateAccessToken checks roles/iam.workloadIdentityUser).
                let trustSteps = trace.steps.filter { $0.number == 3 || (provider == .gcp && $0.number == 4) }
                guard trace.steps.first?.status == .passed, trustSteps.first?.status != .skipped else { continue }
                let failed = trustSteps.first { $0.status == .failed }
                let fields = Set((failed?.diagnosis?.mismatches ?? []).compactMap { Self.configurationField($0.field) })
                compared.append(key)
                switch verdict.state {
                case .trusted:
                    XCTAssertTrue(fields.isEmpty, "\(key): the audit trusts it, the trace failed on \(fields): \(failed?.diagnosis?.summary ?? "")")
                    if verdict.noRoles == true {
                        XCTAssertEqual(trace.steps.last?.status, .failed, "\(key): no role assignment, yet step 5 passed")
                    }
                case .mismatch:
                    let audited = Set(verdict.mismatches.compactMap { Self.configurationField($0.field) })
                    XCTAssertNotNil(failed, "\(key): the audit found \(verdict.failingFields), the trace's trust check passed")
                    XCTAssertFalse(audited.isDisjoint(with: fields), "\(key): audit \(audited) vs trace \(fields)")
                case .unknown, .checking:
                    XCTFail("\(key): the full demo operator can read everything, got \(verdict.state): \(verdict.reason ?? "")")
                }
            }
        }
        XCTAssertEqual(Set(compared), ["aws/both-creds", "aws/irsa-bad-trust", "aws/irsa-ok", "aws/podid-ok", "aws/podid-with-role",
                                       "aws/static-keys", "broken/no-role", "broken/stale-token", "broken/static-secret",
                                       "broken/wrong-audience", "broken/wrong-issuer", "broken/wrong-subject", "gcp/gke-ok",
                                       "shop/backend", "shop/checkout", "shop/frontend"])
        // Step 3 read nothing the audit had read: the federated credentials, roles, trust policies
        // and IAM policies came from the shared reader. (The traces still send their exchanges and
        // resource calls, which go through the session's transport, not the reader.)
        XCTAssertEqual(session.trustReader.requests.value, readsAfterAudit, "the traces' step 3 read the clouds again")
    }

    /// The dashboard's `f`: a test token exchanged as the pod would (steps 1–4) and no resource
    /// called — broken/no-role's step 5 would fail, so a call would show.
    func testTheTestTokenExchangeStopsBeforeTheResource() async throws {
        let sandbox = try await SandboxServer.start(SandboxOptions(isStatic: true), services: EmulatedClouds.services)
        addTeardownBlock { await sandbox.stop() }
        let session = try Self.demoSession(sandbox)
        let report = try await session.exchange(namespace: "broken", pod: "no-role")
        XCTAssertEqual(report.steps.map(\.status), [.passed, .passed, .passed, .passed, .skipped], "\(report.steps.map(\.title))")
        XCTAssertEqual(report.result, .passed)
        XCTAssertTrue(report.steps[4].evidence.items.contains { $0.value.contains("no resource called") }, "\(report.steps[4].evidence.items)")
        let (pod, serviceAccount) = try await session.podAndServiceAccount(namespace: "broken", pod: "no-role")
        let full = await session.traceEngine.report(pod: pod, serviceAccount: serviceAccount, options: session.traceOptions())
        XCTAssertEqual(full.steps[4].status, .failed, "a full trace calls the resource and is refused (no role)")
    }

    func testALimitedOperatorGetsUnknownNamingThePermission() async throws {
        let sandbox = try await SandboxServer.start(SandboxOptions(isStatic: true), services: EmulatedClouds.services)
        addTeardownBlock { await sandbox.stop() }
        let inventory = try await Self.demoSession(sandbox, operator: .limited).auditedInventory(namespace: nil)
        let verdicts = inventory.identities.flatMap { e in e.bindings.compactMap { b in b.trust.map { ("\(e.key) \(b.provider.rawValue)", $0) } } }
        XCTAssertFalse(verdicts.isEmpty)
        for (key, verdict) in verdicts {
            XCTAssertEqual(verdict.state, .unknown, key)
            XCTAssertNotNil(verdict.missingPermission, "\(key): \(verdict.reason ?? "")")
        }
        let permissions = Set(verdicts.compactMap(\.1.missingPermission))
        XCTAssertEqual(permissions, ["Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
                                     "Application.Read.All (Microsoft Graph)", "iam:GetRole", "eks:ListPodIdentityAssociations",
                                     "iam.serviceAccounts.getIamPolicy"])
    }

    /// The audit is read-only: under `--readonly` (a read-only session) it reaches the same verdicts,
    /// and of every request the session sent — Kubernetes and clouds alike, all through one recording
    /// transport — none is a TokenRequest or a token exchange (Entra with a client assertion, STS
    /// AssumeRoleWithWebIdentity, eks-auth, Google STS or generateAccessToken).
    func testTheAuditRunsReadOnlyWithoutTokenRequestOrExchange() async throws {
        let sandbox = try await SandboxServer.start(SandboxOptions(isStatic: true), services: EmulatedClouds.services)
        addTeardownBlock { await sandbox.stop() }
        let recorder = RequestRecorder()
        let kube = try SessionInputs.kubeconfig(yaml: Data(sandbox.kubeconfigYAML().utf8), origin: "<demo sandbox>", context: nil, namespace: nil)
        let environment = SandboxServer.operatorEnvironment(base: [:])
        let readOnly = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { RecordingTransport(base: CurlTransport(options: $0), recorder: recorder) },
            cloudHTTP: sandbox.cloudHTTPOptions, cloudEnvironment: environment, readOnly: true,
            eksClusterName: environment["WIDASH_EKS_CLUSTER"], gcpWorkloadPool: environment["WIDASH_GKE_WORKLOAD_POOL"]))
        XCTAssertTrue(readOnly.readOnly)
        let audited = try await readOnly.auditedInventory(namespace: nil)
        let reference = try await Self.demoSession(sandbox).auditedInventory(namespace: nil)

        func verdicts(_ inventory: Inventory) -> [String: String] {
            var out: [String: String] = [:]
            for e in inventory.identities {
                for b in e.bindings {
                    guard let t = b.trust else { continue }
                    out["\(e.key) \(b.provider.rawValue)"] = "\(t.state) \(t.failingFields) \(t.missingPermission ?? "-") noRoles=\(t.noRoles ?? false)"
                }
            }
            return out
        }
        let got = verdicts(audited)
        XCTAssertEqual(got, verdicts(reference))
        XCTAssertGreaterThanOrEqual(got.count, 16, "\(got)")
        XCTAssertFalse(got.values.contains { $0.hasPrefix("unknown") }, "\(got)")

        let sent = recorder.requests
        // The recorder saw the cluster and every cloud the audit reads.
        XCTAssertTrue(sent.contains { $0.url.contains("/api/v1/pods") }, "\(sent.map(\.url))")
        for host in ["management.azure.com", "iam.amazonaws.com", "eks.us-east-1.amazonaws.com", "iam.googleapis.com"] {
            XCTAssertTrue(sent.contains { $0.url.contains(host) }, "no request to \(host): \(sent.map(\.url))")
        }
        for r in sent {
            let body = r.body
            let path = URLComponents(string: r.url)?.path ?? r.url
            XCTAssertFalse(r.method == "POST" && path.hasPrefix("/api/v1/namespaces/") && path.hasSuffix("/token"), "TokenRequest: \(r.url)")
            XCTAssertFalse(body.contains("client_assertion"), "Entra federated exchange: \(r.url)")
            XCTAssertFalse(body.contains("AssumeRoleWithWebIdentity") || r.url.contains("AssumeRoleWithWebIdentity"), "STS exchange: \(r.url)")
            XCTAssertFalse(r.url.contains("eks-auth") || path.contains("assume-role-for-pod-identity"), "eks-auth exchange: \(r.url)")
            XCTAssertFalse(r.url.contains("sts.googleapis.com") || body.contains("urn:ietf:params:oauth:grant-type:token-exchange"),
                           "Google STS exchange: \(r.url)")
            XCTAssertFalse(path.contains(":generateAccessToken"), "Google impersonation: \(r.url)")
            // Anything that is not a read: only the operator's own sign-in (Entra client credentials).
            if r.method != "GET" {
                let read = path.hasSuffix("/oauth2/v2.0/token") && body.contains("grant_type=client_credentials")
                    || r.url.contains("iam.amazonaws.com") || path.hasSuffix(":getIamPolicy")
                XCTAssertTrue(read, "\(r.method) \(r.url) is not a read: \(body.prefix(200))")
            }
        }
    }
}

/// Every request a session sent, in order.
final class RequestRecorder: @unchecked Sendable {
    struct Sent { var method: String; var url: String; var body: String }
    private let lock = NSLock()
    private var sent: [Sent] = []
    var requests: [Sent] { lock.withLock { sent } }
    func record(_ r: HTTPRequest) {
        let entry = Sent(method: r.method, url: r.url, body: r.body.map { String(decoding: $0, as: UTF8.self) } ?? "")
        lock.withLock { sent.append(entry) }
    }
}

/// Records each request, then sends it through `base`.
struct RecordingTransport: HTTPTransport {
    let base: any HTTPTransport
    let recorder: RequestRecorder
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        recorder.record(request)
        return try await base.send(request)
    }
    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        recorder.record(request)
        return base.stream(request)
    }
}
