import Foundation
import WidashCore
import WidashKube

/// One context's `widash doctor --all-contexts` result: its checks, or why its API server could
/// not be reached (then no check ran).
public struct FleetDoctorReport: Codable, Sendable, Hashable {
    public var context: String
    public var server: String
    public var reachable: Bool
    public var failure: ClusterFailure?
    public var results: [DoctorResult]

    public init(context: String, server: String, reachable: Bool, failure: ClusterFailure? = nil, results: [DoctorResult] = []) {
        self.context = context
        self.server = server
        self.reachable = reachable
        self.failure = failure
        self.results = results
    }

    public var hasFailure: Bool { results.contains { $0.status == .fail } }
}

extension FleetSession {
    /// The doctor's checks for every context, `maxInFlight` at a time. The API server is asked
    /// first under `clusterTimeout` (so the failure is classified: DNS, TLS, 401, …); the checks
    /// that follow have their own request timeouts.
    public func doctor() async -> [FleetDoctorReport] {
        let slots = DoctorSlots(count: contexts.count)
        await forEachBounded { index in
            await slots.set(index, await doctor(contexts[index]))
        }
        let collected = await slots.values
        return contexts.indices.map { collected[$0] ?? FleetDoctorReport(context: contexts[$0].facts.context, server: contexts[$0].facts.server, reachable: false) }
    }

    func doctor(_ context: FleetContext) async -> FleetDoctorReport {
        let facts = context.facts
        let kube: ResolvedKubeConfig
        switch context.resolved {
        case .failure(let failure): return FleetDoctorReport(context: facts.context, server: facts.server, reachable: false, failure: failure)
        case .success(let resolved): kube = resolved
        }
        let session = session(kube)
        do {
            _ = try await withClusterDeadline(options.clusterTimeout, server: kube.server) { try await session.kube.serverVersion() }
        } catch {
            return FleetDoctorReport(context: facts.context, server: facts.server, reachable: false,
                                     failure: ClusterFailureClassifier.classify(error))
        }
        return FleetDoctorReport(context: facts.context, server: facts.server, reachable: true, results: await session.doctor())
    }
}

private actor DoctorSlots {
    private(set) var values: [FleetDoctorReport?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: FleetDoctorReport) { values[index] = value }
}
