import Foundation
import Synchronization
import WidashCore
import WidashService
import WidashTrace

/// The dashboard's environment on a real cluster (or the demo sandbox, which is one): everything
/// goes through `ClusterSession`, off the UI thread.
public final class LiveEnvironment: DashboardEnvironment {
    /// Builds a session for a kubeconfig context (for `:ctx`).
    public typealias SessionMaker = @Sendable (_ context: String) async throws -> ClusterSession

    private let current: Mutex<ClusterSession>
    private let makeSession: SessionMaker?
    private let showToken: Bool
    /// False with `--no-cloud`: the list shows the cluster side only.
    private let auditsTrust: Bool
    /// The running feed's audit, for `rerunTrustAudit`.
    private let audit = Mutex<TrustAuditControl?>(nil)

    public init(session: ClusterSession, showToken: Bool, auditsTrust: Bool = true, makeSession: SessionMaker? = nil) {
        self.current = Mutex(session)
        self.makeSession = makeSession
        self.showToken = showToken
        self.auditsTrust = auditsTrust
    }

    private var session: ClusterSession { current.withLock { $0 } }

    public func headerFacts() async -> HeaderFacts {
        let s = session
        let kube = s.configuration.kube
        let issuer = await s.issuer()
        return HeaderFacts(context: kube.contextName, cluster: kube.clusterName, apiServer: kube.server, issuer: issuer,
                           user: kube.userName, readOnly: s.readOnly, tlsInsecure: kube.tls.insecureSkipVerify)
    }

    public func inventoryUpdates(namespace: String?) -> AsyncStream<InventoryUpdate> {
        let control = auditsTrust ? TrustAuditControl() : nil
        audit.withLock { $0 = control }
        let feed = InventoryFeed(session: session, namespace: namespace, audit: control)
        return AsyncStream { continuation in
            let task = Task {
                for await update in feed.updates() {
                    continuation.yield(InventoryUpdate(inventory: update.inventory, loaded: update.loaded,
                                                       expected: update.expected, errorBanner: update.problem,
                                                       changedKeys: update.changedKeys))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func runTrace(namespace: String, pod: String, resource: String?, podToken: Bool) -> AsyncStream<TraceEvent> {
        let s = session
        return AsyncStream { continuation in
            let task = Task {
                do {
                    for await event in try await s.trace(namespace: namespace, pod: pod, resource: resource, podToken: podToken) {
                        continuation.yield(event)
                    }
                } catch {
                    // The pod could not be read: a trace that fails at step 1 with the reason.
                    for event in Self.failedBeforeStart(pod: "\(namespace)/\(pod)", error: error) { continuation.yield(event) }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func failedBeforeStart(pod: String, error: any Error) -> [TraceEvent] {
        var steps = TraceStep.titles.enumerated().map { TraceStep(number: $0.offset + 1, title: $0.element, status: .skipped) }
        steps[0].status = .failed
        steps[0].diagnosis = Diagnosis(summary: "\(error)")
        let result: TraceResult = FailureKind(error) == .remote ? .unreachable : .failed
        let report = TraceReport(pod: pod, provider: nil, steps: steps, result: result)
        return [.started(pod: pod, provider: nil), .stepFinished(steps[0])] + steps.dropFirst().map { .stepFinished($0) }
            + [.finished(report)]
    }

    public func fetchToken(namespace: String, serviceAccount: String, pod: String?) async -> TokenInspection {
        let s = session
        do {
            let token = try await s.testToken(namespace: namespace, serviceAccount: serviceAccount, audience: nil,
                                              expirationSeconds: nil, pod: pod)
            let signature: SignatureStatus
            if let v = token.verification {
                signature = v.isValid ? .verified(keyID: token.decoded.kid ?? "-")
                    : .invalid(reason: v.failures.map(\.message).joined(separator: "; "))
            } else {
                signature = .notChecked(reason: token.verificationProblem ?? "no JWKS")
            }
            var inspection = TokenInspection(
                namespace: namespace, serviceAccount: serviceAccount, pod: pod,
                headerLines: ClaimLines.lines(token.decoded.header), claimLines: ClaimLines.lines(token.decoded.claims),
                issuedAt: token.decoded.iat, expiresAt: token.issued.expirationTimestamp, signature: signature,
                cloudTokenSummary: nil, rawToken: showToken ? token.issued.token : nil)
            inspection.header = token.decoded.header
            inspection.claims = token.decoded.claims
            if let pod {
                (inspection.cloudTokenSummary, inspection.cloudExpiresAt) = await cloudSummary(s, namespace: namespace, pod: pod)
            }
            return inspection
        } catch {
            return .failure(namespace: namespace, serviceAccount: serviceAccount, pod: pod, error: "\(error)")
        }
    }

    /// Exchanges an equivalent token as the pod would (steps 1–4, no resource called) and
    /// summarises the cloud token, or where and why the exchange failed.
    /// Also returns when the cloud token expires, when step 4's evidence says.
    private func cloudSummary(_ s: ClusterSession, namespace: String, pod: String) async -> (String, Date?) {
        guard !s.readOnly else { return ("not exchanged: read-only mode", nil) }
        do {
            let report = try await s.exchange(namespace: namespace, pod: pod)
            if let failed = report.steps.first(where: { $0.status == .failed }) {
                return ("exchange failed at step \(failed.number) (\(failed.title)): \(failed.diagnosis?.summary ?? "")", nil)
            }
            guard let issued = report.steps.first(where: { $0.number == 4 })?.evidence else { return ("not exchanged", nil) }
            let audience = issued["accessTokenAud"] ?? issued["audience"] ?? "the cloud"
            let expires = issued["expiresIn"] ?? issued["expiration"] ?? issued["expiresOn"] ?? "?"
            return ("cloud token for \(audience), expires \(expires)", CloudTokenExpiry.from(step4: issued))
        } catch {
            return ("not exchanged: \(error)", nil)
        }
    }

    public func doctor() async -> [DoctorCheck] {
        await session.doctor().map { result in
            let status: DoctorStatus = result.status == .pass ? .pass : result.status == .warn ? .warn : .fail
            return DoctorCheck(name: result.name, status: status, detail: result.detail)
        }
    }

    public func contexts() -> [String] { session.configuration.kube.contextNames }

    public func switchContext(_ name: String) async throws {
        guard let makeSession else { throw SessionError.badArgument("switching contexts is not available here") }
        let next = try await makeSession(name)
        current.withLock { $0 = next }
    }

    public func namespaces() async -> [String] { await session.namespaceNames() }

    public func rerunTrustAudit() {
        audit.withLock { $0?.rerun() }
    }

    public func identityEvents(namespace: String, serviceAccount: String) -> AsyncStream<IdentityEventsUpdate> {
        session.identityEvents(namespace: namespace, serviceAccount: serviceAccount).updates()
    }

    public func traceResources(namespace: String, serviceAccount: String) async -> [String] {
        await session.traceResources(namespace: namespace, serviceAccount: serviceAccount)
    }
}
