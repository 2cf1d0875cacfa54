import Foundation
import WidashCore
import WidashHTTP
import WidashKube
import WidashSandbox
import WidashService
import XCTest

/// The live inventory (what the dashboard shows) survives a faulty API server: latency, injected
/// 500/503/429 with Retry-After, watch streams cut every second or two, and a restart that forgets
/// resource versions (410 → relist), while the cluster keeps changing. Once the faults stop, the
/// feed's inventory equals the server's state: no object lost, duplicated or stale. No mocks: the
/// sandbox over HTTPS, the kubeconfig it wrote, libcurl, the same session the CLI builds.
final class FaultRecoveryTests: XCTestCase {
    func testFeedEqualsTheServerStateAfterFaultsStop() async throws {
        let faults = try FaultSpec(parsing: "latency=20ms,error-rate=0.3,error-codes=500|503|429,retry-after=1,cut-watch=1500ms,seed=11")
        let sandbox = try await FaultSandbox.start(faults: faults)
        addTeardownBlock { await sandbox.stop() }
        let session = try sandbox.session()
        let recorder = FeedRecorder()
        let consumer = Task {
            for await update in InventoryFeed(session: session, namespace: nil).updates() { await recorder.record(update) }
        }
        addTeardownBlock { consumer.cancel() }

        let loaded = await pollUntil(seconds: 30) { await recorder.latest?.isComplete == true }
        let early = await recorder.problems
        XCTAssertTrue(loaded, "the feed never completed its first lists under faults; problems: \(early)")

        // The cluster changes under faults: pods restart, scale up and down, are recreated; the API
        // server restarts once in the middle (every watch cut, history gone → 410 → relist).
        var podListsBeforeRestart = 0
        for step in 0..<5 {
            try await sandbox.server.triggerMovement()
            if step == 2 {
                podListsBeforeRestart = sandbox.server.kubeRequestCount(method: "GET", path: "/api/v1/pods")
                await sandbox.server.simulateRestart()
            }
            try await Task.sleep(for: .milliseconds(700))
        }
        XCTAssertGreaterThan(sandbox.server.injectedErrorCount, 0, "the faults failed no request: the test proves nothing")
        let problems = await recorder.problems
        print("faults: \(sandbox.server.injectedErrorCount) requests failed on purpose; the feed's problems: \(problems)")
        XCTAssertFalse(problems.isEmpty, "the feed reported no problem (the dashboard's banner) while the API was failing")

        // The restart's 410 made the feed list the pods again (it cannot resume its watch).
        let relisted = await pollUntil(seconds: 20) {
            sandbox.server.kubeRequestCount(method: "GET", path: "/api/v1/pods") > podListsBeforeRestart
        }
        XCTAssertTrue(relisted, "no pod list after the restart: the 410 → relist path was not taken")
        XCTAssertGreaterThan(sandbox.server.kubeRequestCount(method: "WATCH", path: "/api/v1/pods"), 1, "the pod watch never reconnected")

        // Faults off, one more change; then the feed must converge on the server's state.
        sandbox.server.setFaults(nil)
        XCTAssertNil(sandbox.server.activeFaults)
        let lastChange = try await sandbox.server.triggerMovement()
        let truth = try await ServerTruth.read(sandbox)
        var latest: Inventory?
        let recoveryStarted = ContinuousClock.now
        let converged = await pollUntil(seconds: 30) {
            latest = await recorder.latest?.inventory
            return latest.map { InventoryDigest($0) == truth.digest } ?? false
        }
        let feedDigest = latest.map(InventoryDigest.init)
        let banner = await recorder.latest?.problem
        print("the feed converged: \(converged) after \(ContinuousClock.now - recoveryStarted); last change: \(lastChange); banner now: \(banner ?? "none")")
        XCTAssertTrue(converged, """
            after "\(lastChange)" the feed did not converge on the server's state within 30 s:
            \(feedDigest.map { $0.differences(from: truth.digest) } ?? ["no inventory"])
            """)
        // Every watch reconnects without faults now: the banner goes.
        let bannerCleared = await pollUntil(seconds: 15) { await recorder.latest?.problem == nil }
        let bannerLeft = await recorder.latest?.problem
        XCTAssertTrue(bannerCleared, "the banner still shows \(bannerLeft ?? "") after the API recovered")
        XCTAssertEqual(feedDigest?.duplicates, [], "objects listed twice")
        // The cluster's pods as stored (not through the API) appear exactly once, with their phase and start time.
        XCTAssertEqual(feedDigest?.podFacts, truth.storedPods, "pods lost, duplicated or stale compared with the sandbox's store")
        XCTAssertEqual(feedDigest.map { Set($0.identities.keys).subtracting(["(cluster)"]) }, truth.storedAccounts,
                       "service accounts differ from the store")
    }

    func testFaultsLapseByThemselvesAfterTheirForDuration() async throws {
        let sandbox = try await FaultSandbox.start(faults: try FaultSpec(parsing: "error-rate=1,error-codes=503,for=1s"))
        addTeardownBlock { await sandbox.stop() }
        let client = try sandbox.session().kube
        do {
            _ = try await client.send(path: "/api/v1/namespaces", idempotent: false)
            XCTFail("the first second's faults did not fail the request")
        } catch let error as KubeRetryLaterError {
            XCTAssertEqual(error.apiError.statusCode, 503)
            XCTAssertEqual(error.retryAfterSeconds, 1)
        }
        let lapsed = await pollUntil(seconds: 10) { sandbox.server.activeFaults == nil }
        XCTAssertTrue(lapsed, "for=1s did not end the faults")
        let response = try await client.send(path: "/api/v1/namespaces", idempotent: false)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(sandbox.server.injectedErrorCount, 1)
    }

    func testSetFaultsTurnsFaultsOnAndOffWhileServing() async throws {
        let sandbox = try await FaultSandbox.start(faults: nil)
        addTeardownBlock { await sandbox.stop() }
        let client = try sandbox.session().kube
        let before = try await client.send(path: "/version", idempotent: false)
        XCTAssertEqual(before.status, 200)
        sandbox.server.setFaults(FaultSpec(errorRate: 1, errorCodes: [500]))
        do {
            _ = try await client.send(path: "/version", idempotent: false)
            XCTFail("faults set at run time were not applied")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.statusCode, 500)
        }
        sandbox.server.setFaults(nil)
        let after = try await client.send(path: "/version", idempotent: false)
        XCTAssertEqual(after.status, 200)
        XCTAssertEqual(sandbox.server.kubeRequestCount(method: "GET", path: "/version"), 3)
    }
}

// MARK: - Support

/// The demo sandbox (static: it changes only when the test says so) with its kubeconfig on disk.
struct FaultSandbox: Sendable {
    let server: SandboxServer
    let directory: URL

    static func start(faults: FaultSpec?) async throws -> FaultSandbox {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("widash-faults-\(UUID().uuidString)")
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true, faults: faults, outputDirectory: directory.path))
        return FaultSandbox(server: server, directory: directory)
    }

    /// A session built the way `widash --kubeconfig FILE` builds it (default client options).
    func session() throws -> ClusterSession {
        let kube = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: try XCTUnwrap(server.info.kubeconfig)))
        return ClusterSession(SessionConfiguration(kube: kube, transportFactory: { CurlTransport(options: $0) },
                                                   cloudEnvironment: [:], readOnly: true))
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Every update the feed published: the latest one and each distinct problem (banner text).
actor FeedRecorder {
    private(set) var latest: InventoryFeedUpdate?
    private(set) var problems: [String] = []

    func record(_ update: InventoryFeedUpdate) {
        latest = update
        if let problem = update.problem, problems.last != problem { problems.append(problem) }
    }
}

/// What is compared: per service account its pods (name, phase, start time), bindings and
/// finding codes, all sorted.
struct InventoryDigest: Equatable, CustomStringConvertible {
    struct Identity: Equatable {
        var pods: [String]
        var bindings: [String]
        var findingCodes: [String]
    }
    var identities: [String: Identity]
    /// Service accounts or pods that appear more than once.
    var duplicates: [String]
    /// `namespace/pod serviceAccount phase startTime` for every pod in the inventory, sorted.
    var podFacts: [String]

    init(_ inventory: Inventory) {
        var identities: [String: Identity] = [:]
        var seen = Set<String>()
        var duplicates: [String] = []
        var podFacts: [String] = []
        for entry in inventory.identities {
            if !seen.insert("sa " + entry.key).inserted { duplicates.append("service account \(entry.key)") }
            for pod in entry.pods where !seen.insert("pod \(pod.namespace)/\(pod.name)").inserted {
                duplicates.append("pod \(pod.namespace)/\(pod.name)")
            }
            podFacts += entry.pods.map(Self.fact)
            identities[entry.key] = Identity(
                pods: entry.pods.map(Self.fact).sorted(),
                bindings: entry.bindings.map { "\($0.provider.rawValue) \($0.cloudIdentity ?? "-") \($0.tenant ?? "-") \($0.audience ?? "-") \($0.source)" }.sorted(),
                findingCodes: entry.findings.map { "\($0.code) \($0.subject)" }.sorted())
        }
        // The cluster as a whole: issuer, webhooks and cluster findings.
        identities["(cluster)"] = Identity(pods: [], bindings: inventory.webhooks.map { "webhook \($0.kind) \($0.name)" }.sorted()
                                               + ["issuer \(inventory.issuer ?? "-")"],
                                           findingCodes: inventory.clusterFindings.map { "\($0.code) \($0.subject)" }.sorted())
        self.identities = identities
        self.duplicates = duplicates
        self.podFacts = podFacts.sorted()
    }

    static func fact(_ pod: PodIdentity) -> String {
        "\(pod.namespace)/\(pod.name) \(pod.serviceAccount) \(pod.phase ?? "-") \(pod.startTime.map(Self.timestamp) ?? "-")"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// What differs, per service account, for a failure message.
    func differences(from other: InventoryDigest) -> [String] {
        var lines: [String] = []
        for key in Set(identities.keys).union(other.identities.keys).sorted() {
            switch (identities[key], other.identities[key]) {
            case (nil, _): lines.append("\(key): missing from the feed")
            case (_, nil): lines.append("\(key): in the feed, not on the server")
            case (let mine?, let theirs?) where mine != theirs:
                lines.append("\(key): feed \(mine), server \(theirs)")
            default: break
            }
        }
        return lines
    }

    var description: String { identities.keys.sorted().joined(separator: ", ") }
}

/// The server's state, read after the faults stopped: the store's objects directly (independent
/// of widash's decoders) and a one-shot list through a new client (for bindings and findings,
/// which only widash's inventory builder derives).
struct ServerTruth {
    var digest: InventoryDigest
    var storedAccounts: Set<String>
    var storedPods: [String]

    static func read(_ sandbox: FaultSandbox) async throws -> ServerTruth {
        let accounts = try await sandbox.server.storedObjects("serviceaccounts").map(jsonObject)
        let pods = try await sandbox.server.storedObjects("pods").map(jsonObject)
        let storedAccounts = Set(accounts.map { key($0) })
        let storedPods = pods.map { pod -> String in
            let spec = pod["spec"] as? [String: Any]
            let status = pod["status"] as? [String: Any]
            let started = (status?["startTime"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
            return "\(key(pod)) \(spec?["serviceAccountName"] as? String ?? "default") \(status?["phase"] as? String ?? "-") "
                + (started.map(InventoryDigest.timestamp) ?? "-")
        }.sorted()
        let oneShot = try await sandbox.session().inventory(namespace: nil)
        return ServerTruth(digest: InventoryDigest(oneShot), storedAccounts: storedAccounts, storedPods: storedPods)
    }

    private static func jsonObject(_ data: Data) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private static func key(_ object: [String: Any]) -> String {
        let metadata = object["metadata"] as? [String: Any]
        return "\(metadata?["namespace"] as? String ?? "")/\(metadata?["name"] as? String ?? "")"
    }
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass.
func pollUntil(seconds: Double, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return await condition()
}
