import ArgumentParser
import Foundation
import Synchronization
import WidashCore
import WidashHTTP
import WidashKube
import WidashSandbox
import WidashService

/// Issue "Scale and speed" (d): watch events applied per second. The dashboard's live inventory
/// (`InventoryFeed`, through the real kubeconfig → libcurl/TLS path) loads the scale scenario, then
/// the sandbox changes the readiness of many pods at once (a MODIFIED event each, sent as fast as
/// it can); the rate is events ÷ (time from the burst's start to the first inventory that reflects
/// every change). Afterwards the view must equal the server: every pod's readiness, the counts.
struct WatchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch events applied per second by the live inventory during a burst of pod updates, and a state check.")

    @OptionGroup var scale: ScaleOptions
    @Option(help: "Pod updates per burst (each a different pod; at most the pod count; default: every pod).")
    var events: Int?
    @Option(help: "Bursts (alternately pods turn not-ready and ready again; the median rate is reported).")
    var runs = 3
    @Option(help: "Seconds to wait for the inventory to load or to reflect a burst before giving up.")
    var timeout = 300.0

    func run() async throws {
        print("machine: \(MachineDescription.text)")
        try await ScaleSandbox.with(scale) { try await measure($0) }
    }

    private func measure(_ sandbox: ScaleSandbox) async throws {
        let server = await sandbox.server.objectCounts()
        let kube = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: sandbox.kubeconfig))
        let session = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudEnvironment: [:], readOnly: true))
        let progress = FeedProgress()
        let start = ProcessStats.monotonicSeconds()
        let consumer = Task {
            for await update in InventoryFeed(session: session, namespace: nil).updates() {
                progress.record(update, at: ProcessStats.monotonicSeconds())
            }
        }
        defer { consumer.cancel() }

        let loaded = try await waitFor("the inventory to load \(server.pods) pods") {
            progress.loadedAt(pods: server.pods)
        }
        print("live inventory loaded \(server.pods) pods and \(server.serviceAccounts) service accounts in "
              + "\(Format.seconds(loaded - start)) (list + watch through InventoryFeed)")

        var rates: [Double] = []
        for run in 0..<max(1, runs) {
            let ready = run % 2 == 1
            let burst = try await sandbox.server.prepareReadinessBurst(events: events ?? server.pods, ready: ready)
            progress.expect(Set(burst.podKeys), ready: ready)
            let report = await sandbox.server.push(burst)
            let pushStart = Double(report.startedAtNanoseconds) / 1e9
            let done = try await waitFor("the inventory to reflect \(burst.podKeys.count) pod updates") { progress.reflectedAt }
            let seconds = done - pushStart
            let rate = Double(report.events) / max(seconds, 1e-9)
            rates.append(rate)
            print("  burst \(run + 1): \(report.events) pods → \(ready ? "ready" : "not ready"); server prepared them in "
                  + "\(Format.seconds(burst.prepareSeconds)) and handed them to the watch in \(Format.seconds(report.pushSeconds)) "
                  + "(\(report.chunks) writes); the inventory reflected all after \(Format.seconds(seconds)): "
                  + "\(Int(rate)) events/s")
            try await checkState(sandbox.server, progress: progress, server: server, run: run + 1)
        }
        print()
        var table = BenchTable(["measure", "bursts", "events per burst", "events/s (median)", "target"])
        table.add(["watch events applied by the live inventory", String(rates.count), String(events.map { min($0, server.pods) } ?? server.pods),
                   String(Int(Format.median(rates))), "≥ 20000/s"])
        print(table.render())
        let median = Format.median(rates)
        print("\ntarget (d) ≥ 20 000 events/s: \(Int(median)) → \(median >= 20_000 ? "met" : "MISSED") "
              + "(the time runs from the burst's first event to the first inventory update showing all of them, "
              + "so it includes the feed's coalescing delay)")
        print("consistency: ok — after every burst the live inventory equals the server: every pod's readiness, "
              + "\(server.pods) pods, \(server.serviceAccounts) service accounts")
    }

    /// The latest inventory must show every pod with the server's readiness, and nothing else.
    private func checkState(_ sandbox: SandboxServer, progress: FeedProgress, server: SandboxObjectCounts, run: Int) async throws {
        let expected = await sandbox.podReadiness()
        guard let inventory = progress.latest else { throw BenchError("no inventory to check") }
        var seen = 0, wrong: [String] = []
        for identity in inventory.identities {
            for pod in identity.pods {
                seen += 1
                let key = pod.namespace + "/" + pod.name
                let shown = FeedProgress.isReady(pod)
                guard let serverValue = expected[key] else {
                    wrong.append("\(key) is not on the server")
                    continue
                }
                if serverValue != shown { wrong.append("\(key): shown \(shown ? "ready" : "not ready"), server \(String(describing: serverValue))") }
            }
        }
        if seen != expected.count { wrong.append("the inventory shows \(seen) pods, the server has \(expected.count)") }
        if inventory.identities.count != server.serviceAccounts {
            wrong.append("the inventory has \(inventory.identities.count) identities for \(server.serviceAccounts) service accounts")
        }
        guard wrong.isEmpty else {
            print("consistency: FAILED after burst \(run): \(wrong.count) differences, e.g. \(wrong.prefix(5).joined(separator: "; "))")
            throw BenchError("consistency check failed after burst \(run)")
        }
    }

    private func waitFor(_ what: String, _ probe: () -> Double?) async throws -> Double {
        let deadline = ProcessStats.monotonicSeconds() + timeout
        while ProcessStats.monotonicSeconds() < deadline {
            if let value = probe() { return value }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchError("timed out after \(Int(timeout)) s waiting for \(what)")
    }
}

/// What the feed consumer saw, shared with the benchmark's main task.
final class FeedProgress: Sendable {
    private struct State {
        var latest: Inventory?
        var podCount = 0
        var complete = false
        var firstCompleteAt: [Int: Double] = [:]
        var expected: Set<String> = []
        var expectedReady = true
        var reflectedAt: Double?
    }
    private let state = Mutex(State())

    static func isReady(_ pod: PodIdentity) -> Bool { pod.totalContainers > 0 && pod.readyContainers == pod.totalContainers }

    func record(_ update: InventoryFeedUpdate, at time: Double) {
        // Counting happens outside the lock; only the results are stored.
        let pods = update.inventory.identities.reduce(0) { $0 + $1.pods.count }
        let (expected, ready, waiting) = state.withLock { ($0.expected, $0.expectedReady, $0.reflectedAt == nil && !$0.expected.isEmpty) }
        var reflected = false
        if waiting {
            var matching = 0
            for identity in update.inventory.identities {
                for pod in identity.pods where Self.isReady(pod) == ready && expected.contains(pod.namespace + "/" + pod.name) {
                    matching += 1
                }
            }
            reflected = matching == expected.count
        }
        state.withLock { state in
            state.latest = update.inventory
            state.podCount = pods
            let complete = update.loaded >= update.expected
            if complete, state.firstCompleteAt[pods] == nil { state.firstCompleteAt[pods] = time }
            // Only if the expectation did not change while counting.
            if reflected, state.expected == expected, state.expectedReady == ready, state.reflectedAt == nil { state.reflectedAt = time }
        }
    }

    /// When the feed first reported all lists done with `pods` pods.
    func loadedAt(pods: Int) -> Double? { state.withLock { $0.firstCompleteAt[pods] } }

    func expect(_ keys: Set<String>, ready: Bool) {
        state.withLock { state in
            state.expected = keys
            state.expectedReady = ready
            state.reflectedAt = nil
        }
    }

    var reflectedAt: Double? { state.withLock { $0.reflectedAt } }
    var latest: Inventory? { state.withLock { $0.latest } }
}
