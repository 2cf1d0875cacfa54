import Foundation
import WidashCore

/// A `DashboardEnvironment` with scripted demo data: for development (`widash --fixture`) and tests.
/// Traces emit the five steps over about two seconds (`stepDelay` scales them; zero in tests).
public final class FixtureEnvironment: DashboardEnvironment, @unchecked Sendable {
    private let lock = NSLock()
    private var currentContext = "widash-demo"
    private let readOnly: Bool
    private let showToken: Bool
    private let stepDelay: Double
    private let now: @Sendable () -> Date
    /// Seconds between simulated watch changes (0 disables them).
    private let watchInterval: Double

    public init(readOnly: Bool = false, showToken: Bool = false, stepDelay: Double = 1, watchInterval: Double = 7,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.readOnly = readOnly
        self.showToken = showToken
        self.stepDelay = stepDelay
        self.watchInterval = watchInterval
        self.now = now
    }

    private var context: String { lock.withLock { currentContext } }

    public func headerFacts() async -> HeaderFacts {
        let ctx = context
        return HeaderFacts(context: ctx, cluster: ctx == "widash-demo" ? "widash-demo" : ctx + "-cluster",
                           apiServer: "https://127.0.0.1:6443", issuer: FixtureData.issuer, user: "demo-admin",
                           readOnly: readOnly, tlsInsecure: ctx == "legacy-insecure")
    }

    public func inventoryUpdates(namespace: String?) -> AsyncStream<InventoryUpdate> {
        let now = self.now
        let delay = stepDelay
        let interval = watchInterval
        return AsyncStream { continuation in
            let task = Task {
                var inv = FixtureData.inventory(now: now())
                if let namespace { inv.identities = inv.identities.filter { $0.namespace == namespace } }
                let total = inv.identities.count
                // First a partial list (as a paginated list would arrive), then the whole.
                var partial = inv
                partial.identities = Array(inv.identities.prefix(total / 2))
                continuation.yield(InventoryUpdate(inventory: partial, loaded: partial.identities.count, expected: total, receivedAt: now()))
                try? await Task.sleep(for: .milliseconds(Int(300 * delay)))
                continuation.yield(InventoryUpdate(inventory: inv, loaded: total, expected: total, receivedAt: now()))
                var generation = 0
                while interval > 0, !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                    if Task.isCancelled { break }
                    generation += 1
                    // A watch event: a frontend pod was replaced and got a fresh token.
                    if let i = inv.identities.firstIndex(where: { $0.key == "shop/frontend" }), !inv.identities[i].pods.isEmpty {
                        let t = now()
                        inv.identities[i].pods[0].name = "frontend-7d9c5b8f4-r\(generation)n\(generation)x"
                        inv.identities[i].pods[0].schedule = TokenSchedule(ttlSeconds: 3600, issuedAt: t, refreshAt: t.addingTimeInterval(2880),
                                                                           expiresAt: t.addingTimeInterval(3600))
                    }
                    continuation.yield(InventoryUpdate(inventory: inv, loaded: total, expected: total, receivedAt: now()))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func runTrace(namespace: String, pod: String, resource: String?) -> AsyncStream<TraceEvent> {
        let inv = FixtureData.inventory(now: now())
        let entry = inv.identities.first { $0.namespace == namespace && $0.pods.contains { $0.name == pod } }
            ?? inv.identities.first { $0.namespace == namespace && pod.hasPrefix($0.name) }
        let delay = stepDelay
        return AsyncStream { continuation in
            let task = Task {
                guard let entry else {
                    let step = TraceStep(number: 1, title: TraceStep.titles[0], status: .failed,
                                         diagnosis: Diagnosis(summary: "pod \(namespace)/\(pod) not found", fix: "pick a running pod"))
                    continuation.yield(.finished(TraceReport(pod: "\(namespace)/\(pod)", provider: nil, steps: [step], result: .failed)))
                    continuation.finish()
                    return
                }
                let provider = entry.bindings.first?.provider
                let steps = FixtureTrace.steps(for: entry, pod: pod, resource: resource)
                continuation.yield(.started(pod: "\(namespace)/\(pod)", provider: provider))
                for step in steps where step.status != .skipped {
                    if Task.isCancelled { break }
                    continuation.yield(.stepStarted(number: step.number))
                    try? await Task.sleep(for: .milliseconds(Int(Double(step.durationMs ?? 300) * delay)))
                    continuation.yield(.stepFinished(step))
                }
                for step in steps where step.status == .skipped { continuation.yield(.stepFinished(step)) }
                let result: TraceResult = steps.contains { $0.status == .failed } ? .failed : .passed
                continuation.yield(.finished(TraceReport(pod: "\(namespace)/\(pod)", provider: provider, steps: steps, result: result)))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func fetchToken(namespace: String, serviceAccount: String, pod: String?) async -> TokenInspection {
        if readOnly {
            return .failure(namespace: namespace, serviceAccount: serviceAccount, pod: pod,
                            error: "read-only mode: a TokenRequest is a write; restart without --readonly to fetch a test token")
        }
        try? await Task.sleep(for: .milliseconds(Int(250 * stepDelay)))
        let t = now()
        let iat = Int(t.timeIntervalSince1970)
        let inv = FixtureData.inventory(now: t)
        let entry = inv.identities.first { $0.namespace == namespace && $0.name == serviceAccount }
        let aud = entry?.bindings.first?.audience ?? FixtureData.azureAudience
        var claims = [
            "aud: [\"\(aud)\"]", "exp: \(iat + 3600)", "iat: \(iat)", "iss: \(FixtureData.issuer)", "nbf: \(iat)",
            "sub: system:serviceaccount:\(namespace):\(serviceAccount)",
            "kubernetes.io.namespace: \(namespace)", "kubernetes.io.serviceaccount.name: \(serviceAccount)",
        ]
        if let pod { claims.append("kubernetes.io.pod.name: \(pod)") }
        let exchange: String
        if namespace == "broken" && serviceAccount == "wrong-subject" {
            exchange = "exchange failed: AADSTS700213 (the federated credential trusts system:serviceaccount:broken:wrongsubject)"
        } else {
            exchange = "Entra access token for https://vault.azure.net, expires in 3599 s"
        }
        return TokenInspection(namespace: namespace, serviceAccount: serviceAccount, pod: pod,
                               headerLines: ["alg: RS256", "kid: demo-key-1", "typ: JWT"], claimLines: claims,
                               issuedAt: t, expiresAt: t.addingTimeInterval(3600), signature: .verified(keyID: "demo-key-1"),
                               cloudTokenSummary: exchange,
                               cloudClaimLines: exchange.hasPrefix("exchange failed") ? [] : ["aud: https://vault.azure.net", "tid: \(FixtureData.tenant)", "oid: 2c3f5e80-cccc-4071-8cbd-2e3f4a5b6c73"],
                               rawToken: showToken ? "eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlbW8ta2V5LTEifQ.eyJmaXh0dXJlIjp0cnVlfQ.Zml4dHVyZS1zaWduYXR1cmU" : nil)
    }

    public func doctor() async -> [DoctorCheck] {
        try? await Task.sleep(for: .milliseconds(Int(400 * stepDelay)))
        return [
            DoctorCheck(name: "kubeconfig", status: .pass, detail: "context \(context), user demo-admin"),
            DoctorCheck(name: "API server", status: .pass, detail: "https://127.0.0.1:6443 reachable, v1.32.0"),
            DoctorCheck(name: "issuer discovery", status: .pass, detail: "\(FixtureData.issuer)/.well-known/openid-configuration"),
            DoctorCheck(name: "JWKS", status: .pass, detail: "1 RS256 key (demo-key-1)"),
            DoctorCheck(name: "Azure WI webhook", status: .pass, detail: "azure-wi-webhook, failurePolicy Fail"),
            DoctorCheck(name: "aad-pod-identity", status: .warn, detail: "legacy NMI found in namespace legacy: migrate to workload identity"),
            DoctorCheck(name: "clock skew", status: .pass, detail: "0.2 s against the API server"),
            DoctorCheck(name: "RBAC: TokenRequest", status: readOnly ? .warn : .pass,
                        detail: readOnly ? "read-only mode: token requests disabled" : "create serviceaccounts/token allowed"),
        ]
    }

    public func contexts() -> [String] { ["widash-demo", "prod-aks-westeurope", "eks-staging", "legacy-insecure"] }

    public func switchContext(_ name: String) async throws {
        guard contexts().contains(name) else {
            throw FixtureError("context \(name) is not in the kubeconfig (known: \(contexts().joined(separator: ", ")))")
        }
        lock.withLock { currentContext = name }
    }

    public func namespaces() async -> [String] { ["aws", "broken", "default", "gcp", "kube-system", "legacy", "shop"] }

    public func traceResources(namespace: String, serviceAccount: String) async -> [String] {
        let inv = FixtureData.inventory(now: now())
        let provider = inv.identities.first { $0.namespace == namespace && $0.name == serviceAccount }?.bindings.first?.provider
        return FixtureTrace.resources(for: provider)
    }
}

/// An error of the fixture environment, with a readable message.
public struct FixtureError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}
