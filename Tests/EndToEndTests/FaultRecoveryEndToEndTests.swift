import Foundation
import WidashCore
import WidashHTTP
import WidashKube
import WidashSandbox
import XCTest

/// `widash identities` as a subprocess against a sandbox whose Kubernetes API is faulty (latency,
/// injected 500/503/429 with Retry-After, cut watches): while the faults last it either succeeds or
/// fails with exit 3 and one clear `widash:` line — never a crash or a hang; once they stop, its
/// output equals the server's state.
final class FaultRecoveryEndToEndTests: XCTestCase {
    private static let faults = "latency=20ms,error-rate=0.3,error-codes=500|503|429,retry-after=1,cut-watch=1s"

    func testIdentitiesDuringFaultsSucceedsOrFailsCleanlyAndAfterwardsEqualsTheServer() async throws {
        let directory = try TemporaryDirectory("faults")
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true, faults: try FaultSpec(parsing: Self.faults),
                                                                  outputDirectory: directory.path))
        addTeardownBlock {
            await server.stop()
            directory.remove()
        }
        let kubeconfig = try XCTUnwrap(server.info.kubeconfig)
        // The cluster side only: these faults are the Kubernetes API's (the cloud side has no operator here).
        let command = ["identities", "-A", "-o", "json", "--no-cloud", "--kubeconfig", kubeconfig]

        // Under faults: several runs (different seeds give different failure patterns), the
        // cluster changing between them.
        var outcomes: [String] = []
        for seed in [3, 5, 8] {
            server.setFaults(try FaultSpec(parsing: Self.faults + ",seed=\(seed)"))
            let result = try await WidashCLI.run(command, timeout: 30)
            XCTAssertFalse(result.killedBySignal, "widash crashed under faults: \(result.summary)")
            switch result.exitCode {
            case 0:
                XCTAssertEqual(result.stderr, "", result.summary)
                _ = try InventoryDocument(json: result.stdout)
                outcomes.append("ok")
            case 3:
                XCTAssertEqual(result.stderrLines.count, 1, "one line on stderr: \(result.summary)")
                let line = result.stderrLines.first ?? ""
                XCTAssertTrue(line.hasPrefix("widash: "), result.summary)
                XCTAssertTrue(["(500)", "(503)", "(429)"].contains { line.contains($0) }, "the line names the status: \(line)")
                XCTAssertEqual(result.stdout, "", "no partial output on failure: \(result.summary)")
                outcomes.append("exit 3: \(line)")
            default:
                XCTFail("exit \(result.exitCode) is neither success nor a remote failure (3): \(result.summary)")
            }
            try await server.triggerMovement()
        }
        print("identities under faults: \(outcomes)")
        XCTAssertGreaterThan(server.injectedErrorCount, 0, "the faults failed no request: the test proves nothing")

        // Faults off, one more change: the output equals the server's state.
        server.setFaults(nil)
        try await server.triggerMovement()
        let result = try await WidashCLI.run(command, timeout: 30)
        XCTAssertEqual(result.exitCode, 0, result.summary)
        XCTAssertEqual(result.stderr, "", result.summary)
        let output = try JSONDigest(json: result.stdout)
        let truth = try await ServerState.read(server, kubeconfig: kubeconfig)
        XCTAssertEqual(output.duplicates, [], "objects listed twice")
        XCTAssertEqual(output.accounts, truth.storedAccounts, "service accounts differ from the sandbox's store")
        XCTAssertEqual(output.podFacts, truth.storedPods, "pods lost, duplicated or stale compared with the sandbox's store")
        XCTAssertEqual(output.identities, truth.inventory.identities, "bindings, pods or findings differ from a fault-free load")
        XCTAssertEqual(output.cluster, truth.inventory.cluster, "issuer, webhooks or cluster findings differ from a fault-free load")
    }

    func testDemoWithFaultsStartsTheSandboxWithThemAndRejectsBadSpecs() async throws {
        // Faults that lapse at once: the demo must then load normally (the flag is wired, the syntax accepted).
        let ok = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo", "--faults", "error-rate=1,for=0s"], timeout: 60)
        XCTAssertEqual(ok.exitCode, 0, ok.summary)
        XCTAssertFalse(try InventoryDocument(json: ok.stdout).identities.isEmpty)

        // Faults that fail everything: a clean remote failure, not a crash or hang.
        let failing = try await WidashCLI.run(["identities", "-A", "-o", "json", "--demo", "--faults", "error-rate=1,error-codes=503,retry-after=0"],
                                              timeout: 60)
        XCTAssertEqual(failing.exitCode, 3, failing.summary)
        XCTAssertEqual(failing.stderrLines.count, 1, failing.summary)
        XCTAssertTrue(failing.stderrLines.first?.hasPrefix("widash: ") == true, failing.summary)
        XCTAssertTrue(failing.stderr.contains("(503)"), failing.summary)

        let bad = try await WidashCLI.run(["identities", "--demo", "--faults", "latency=fast"], timeout: 30)
        XCTAssertEqual(bad.exitCode, 2, bad.summary)
        XCTAssertEqual(bad.stderrLines, ["widash: --faults: latency 'fast' is not a duration: write e.g. 200ms, 5s or 1m"], bad.summary)

        let withoutDemo = try await WidashCLI.run(["identities", "--kubeconfig", "/nonexistent", "--faults", "latency=1ms"], timeout: 30)
        XCTAssertEqual(withoutDemo.exitCode, 2, withoutDemo.summary)
        XCTAssertTrue(withoutDemo.stderr.contains("--faults works only with --demo"), withoutDemo.summary)
    }

    func testSandboxServeHelpListsEveryFaultKeyAndServesWithFaults() async throws {
        let help = try await WidashCLI.run(["sandbox", "serve", "--help"], timeout: 30)
        XCTAssertEqual(help.exitCode, 0, help.summary)
        for key in FaultSpec.keys {
            XCTAssertTrue(help.stdout.contains("\(key)="), "sandbox serve --help does not explain \(key): \(help.stdout)")
        }
        let bad = try await WidashCLI.run(["sandbox", "serve", "--faults", "bogus=1"], timeout: 30)
        XCTAssertEqual(bad.exitCode, 2, bad.summary)
        XCTAssertTrue(bad.stderr.contains("unknown fault 'bogus': use latency, error-rate, error-codes, retry-after, cut-watch, restart-after, for or seed"),
                      bad.summary)

        // A served sandbox with faults that fail every Kubernetes request: identities fails cleanly.
        let directory = try TemporaryDirectory("serve-faults")
        defer { directory.remove() }
        let kubeconfig = directory.file("kubeconfig")
        let serve = try WidashCLI.start(["sandbox", "serve", "--static", "--kubeconfig-out", kubeconfig,
                                         "--faults", "error-rate=1,error-codes=429,retry-after=0"])
        defer {
            serve.send(SIGTERM)
            if !serve.waitForExit(timeout: 10) { serve.killHard() }
        }
        let ready = try XCTUnwrap(serve.firstStdoutLine(timeout: 30), "sandbox serve printed no ready line: \(serve.result.summary)")
        XCTAssertTrue(ready.contains("\"apiServer\""), ready)
        let result = try await WidashCLI.run(["identities", "-A", "-o", "json", "--kubeconfig", kubeconfig], timeout: 30)
        XCTAssertEqual(result.exitCode, 3, result.summary)
        XCTAssertTrue(result.stderr.hasPrefix("widash: too many requests (429)"), result.summary)
    }
}

// MARK: - Support

/// `widash identities -o json` (or the same inventory encoded in-process) reduced to what must
/// match: per service account its bindings, pods (name, service account, phase, start time) and
/// finding codes; the issuer, webhooks and cluster findings.
struct JSONDigest {
    var identities: [String: [String]]
    var cluster: [String]
    var accounts: Set<String>
    var podFacts: [String]
    var duplicates: [String]

    init(json text: String) throws {
        let document = try InventoryDocument(json: text)
        var identities: [String: [String]] = [:]
        var seen = Set<String>()
        var duplicates: [String] = []
        var podFacts: [String] = []
        for identity in document.identities {
            let key = "\(identity["namespace"] as? String ?? "?")/\(identity["name"] as? String ?? "?")"
            if !seen.insert("sa " + key).inserted { duplicates.append("service account \(key)") }
            let pods = InventoryDocument.pods(identity).map { pod -> String in
                "\(pod["namespace"] as? String ?? "?")/\(pod["name"] as? String ?? "?") \(pod["serviceAccount"] as? String ?? "?") "
                    + "\(pod["phase"] as? String ?? "-") \(pod["startTime"] as? String ?? "-")"
            }
            for pod in pods where !seen.insert("pod " + (pod.split(separator: " ").first.map(String.init) ?? pod)).inserted {
                duplicates.append("pod \(pod)")
            }
            podFacts += pods
            let bindings = InventoryDocument.bindings(identity).map { binding in
                ["provider", "cloudIdentity", "tenant", "audience", "source"].map { "\(binding[$0] ?? "-")" }.joined(separator: " ")
            }
            let findings = (identity["findings"] as? [[String: Any]] ?? []).map { "\($0["code"] ?? "?") \($0["subject"] ?? "?")" }
            identities[key] = pods.sorted().map { "pod " + $0 } + bindings.sorted().map { "binding " + $0 }
                + findings.sorted().map { "finding " + $0 }
        }
        self.identities = identities
        self.accounts = Set(identities.keys)
        self.podFacts = podFacts.sorted()
        self.duplicates = duplicates
        let webhooks = (document.root["webhooks"] as? [[String: Any]] ?? []).map { "webhook \($0["kind"] ?? "?") \($0["name"] ?? "?")" }
        cluster = ["issuer \(document.root["issuer"] as? String ?? "-")"] + webhooks.sorted()
            + (document.root["clusterFindings"] as? [[String: Any]] ?? []).map { "finding \($0["code"] ?? "?") \($0["subject"] ?? "?")" }.sorted()
    }
}

/// The server's state once the faults stopped: the store's objects read directly (no API, no
/// widash decoder) and a fault-free in-process load through a new client, encoded as the CLI encodes it.
struct ServerState {
    var storedAccounts: Set<String>
    var storedPods: [String]
    var inventory: JSONDigest

    static func read(_ server: SandboxServer, kubeconfig: String) async throws -> ServerState {
        func object(_ data: Data) throws -> [String: Any] {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        func key(_ object: [String: Any]) -> String {
            let metadata = object["metadata"] as? [String: Any]
            return "\(metadata?["namespace"] as? String ?? "")/\(metadata?["name"] as? String ?? "")"
        }
        let accounts = Set(try await server.storedObjects("serviceaccounts").map { key(try object($0)) })
        let pods = try await server.storedObjects("pods").map { data -> String in
            let pod = try object(data)
            let spec = pod["spec"] as? [String: Any]
            let status = pod["status"] as? [String: Any]
            return "\(key(pod)) \(spec?["serviceAccountName"] as? String ?? "default") \(status?["phase"] as? String ?? "-") "
                + "\(status?["startTime"] as? String ?? "-")"
        }
        let config = try KubeConfigLoader().load(KubeConfigOptions(kubeconfigPath: kubeconfig))
        let client = KubeClient(config: config, transportFactory: { CurlTransport(options: $0) })
        let inventory = InventoryBuilder.build(snapshot: try await client.loadSnapshot(namespace: nil), now: Date())
        let json = String(decoding: try InventoryJSON.encode(inventory), as: UTF8.self)
        return ServerState(storedAccounts: accounts, storedPods: pods.sorted(), inventory: try JSONDigest(json: json))
    }
}
