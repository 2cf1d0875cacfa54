import Foundation

/// One state of a service account's events.
public struct IdentityEventsUpdate: Sendable, Hashable {
    /// Events about the account's pods and the workloads whose pod template runs as it, newest first.
    public var events: [KubeEvent]
    /// Those workloads, as `kind/name` (e.g. `ReplicaSet/checkout-5d4f8c9b7a`), sorted.
    public var workloads: [String]
    /// Reads the cluster refused, with the RBAC permission that would allow them.
    public var unreadable: [UnreadableRead]
    /// A transient problem (a watch being retried); nil when all is well.
    public var problem: String?
    /// False until the first lists are in.
    public var listed: Bool

    public init(events: [KubeEvent] = [], workloads: [String] = [], unreadable: [UnreadableRead] = [],
                problem: String? = nil, listed: Bool = false) {
        self.events = events
        self.workloads = workloads
        self.unreadable = unreadable
        self.problem = problem
        self.listed = listed
    }
}
