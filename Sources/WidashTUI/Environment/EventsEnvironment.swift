import Foundation
import WidashCore

extension DashboardEnvironment {
    /// An environment without a cluster to watch: one update saying events cannot be read here.
    public func identityEvents(namespace: String, serviceAccount: String) -> AsyncStream<IdentityEventsUpdate> {
        AsyncStream { continuation in
            continuation.yield(IdentityEventsUpdate(problem: "events are not available in this environment", listed: true))
            continuation.finish()
        }
    }
}
