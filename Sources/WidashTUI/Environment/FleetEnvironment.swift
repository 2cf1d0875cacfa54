import Foundation
import WidashCore

/// Why the fleet cannot be watched, with what to do instead.
public struct FleetUnavailable: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension DashboardEnvironment {
    /// An environment without a kubeconfig of several clusters has no fleet to show.
    public func fleetSummaries(contextsRegex: String?) throws -> AsyncStream<ClusterSummary> {
        throw FleetUnavailable("the fleet view is not available here: it needs a kubeconfig (start widash with --fleet)")
    }
}

/// A dashboard environment with a fleet: every member but `fleetSummaries` goes to `base`; the
/// fleet's summaries come from `fleet`, a function the executable builds on the service layer's
/// fleet session (so this module does not depend on how that session is started).
public struct FleetEnvironment: DashboardEnvironment {
    /// The summaries of the contexts whose names match the regex (nil: every context): each
    /// context's first summary (`loading`), then one per change, relist or failure. Throws when
    /// the fleet cannot be watched at all (bad regex, no context matches).
    public typealias SummaryStream = @Sendable (_ contextsRegex: String?) throws -> AsyncStream<ClusterSummary>

    public let base: any DashboardEnvironment
    private let fleet: SummaryStream

    public init(base: any DashboardEnvironment, fleet: @escaping SummaryStream) {
        self.base = base
        self.fleet = fleet
    }

    public func fleetSummaries(contextsRegex: String?) throws -> AsyncStream<ClusterSummary> { try fleet(contextsRegex) }

    public func headerFacts() async -> HeaderFacts { await base.headerFacts() }
    public func inventoryUpdates(namespace: String?) -> AsyncStream<InventoryUpdate> { base.inventoryUpdates(namespace: namespace) }
    public func runTrace(namespace: String, pod: String, resource: String?, podToken: Bool) -> AsyncStream<TraceEvent> {
        base.runTrace(namespace: namespace, pod: pod, resource: resource, podToken: podToken)
    }
    public func fetchToken(namespace: String, serviceAccount: String, pod: String?) async -> TokenInspection {
        await base.fetchToken(namespace: namespace, serviceAccount: serviceAccount, pod: pod)
    }
    public func doctor() async -> [DoctorCheck] { await base.doctor() }
    public func contexts() -> [String] { base.contexts() }
    public func switchContext(_ name: String) async throws { try await base.switchContext(name) }
    public func namespaces() async -> [String] { await base.namespaces() }
    public func traceResources(namespace: String, serviceAccount: String) async -> [String] {
        await base.traceResources(namespace: namespace, serviceAccount: serviceAccount)
    }
    public func rerunTrustAudit() { base.rerunTrustAudit() }
    public func identityEvents(namespace: String, serviceAccount: String) -> AsyncStream<IdentityEventsUpdate> {
        base.identityEvents(namespace: namespace, serviceAccount: serviceAccount)
    }
}
