import Foundation
import WidashSandbox
import WidashTestPeers
import XCTest

/// The demo fleet and `SandboxFleet.start(clusters:)`: one kubeconfig, one context per cluster, each
/// cluster its own CA and issuer, judged by real kubectl and curl.
final class SandboxFleetTests: XCTestCase {
    private var fleet: SandboxFleet?
    private var directory = ""

    override func setUp() async throws {
        _ = try Peers.kubectl()
        directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("widash-fleet-test-\(UUID().uuidString)")
    }

    override func tearDown() async throws {
        await fleet?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func startDemo() async throws -> SandboxFleet {
        let started = try await SandboxFleet.startDemo(SandboxOptions(isStatic: true, outputDirectory: directory),
                                                       services: EmulatedClouds.services)
        fleet = started
        return started
    }

    private func kubectl(_ fleet: SandboxFleet, context: String, _ arguments: [String]) throws -> ProcessResult {
        let kubeconfig = try XCTUnwrap(fleet.info.kubeconfig)
        return try TestProcess.run(try Peers.kubectl(),
                                   ["--kubeconfig", kubeconfig, "--cache-dir", directory + "/kube-cache-\(context)", "--context", context]
                                       + arguments,
                                   environment: ["HOME": directory, "PATH": "/usr/bin:/bin"], timeout: 60)
    }

    private func names(_ table: String) -> Set<String> {
        Set(table.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    func testDemoFleetKubeconfigHasAContextPerClusterWithItsOwnCAAndIssuer() async throws {
        let fleet = try await startDemo()
        XCTAssertEqual(fleet.contexts, ["widash-sandbox", "widash-sandbox-viewer", "widash-sandbox-shop", "widash-sandbox-eks",
                                        "widash-sandbox-gke", "widash-sandbox-decommissioned"])
        let config = try kubectl(fleet, context: "widash-sandbox", ["config", "view", "--raw", "-o", "json"])
        XCTAssertEqual(config.status, 0, config.stderr)
        let document = try XCTUnwrap(jsonObject(config.stdout))
        XCTAssertEqual(document["current-context"] as? String, "widash-sandbox", "the demo cluster stays the current context")
        let clusters = try XCTUnwrap(document["clusters"] as? [[String: Any]])
        XCTAssertEqual(clusters.count, 4, "demo, EKS-like, GKE-like, decommissioned")
        let cas = clusters.compactMap { ($0["cluster"] as? [String: Any])?["certificate-authority-data"] as? String }
        XCTAssertEqual(Set(cas).count, 4, "every cluster has its own CA")
        let servers = clusters.compactMap { ($0["cluster"] as? [String: Any])?["server"] as? String }
        XCTAssertEqual(Set(servers).count, 4, "every cluster has its own address: \(servers)")
        XCTAssertTrue(servers.contains("https://127.0.0.1:1"), "the decommissioned cluster's address: \(servers)")

        let issuers = fleet.info.clusters?.map(\.issuer) ?? []
        XCTAssertEqual(issuers.count, 3)
        XCTAssertEqual(Set(issuers).count, 3, "every cluster has its own issuer: \(issuers)")
        XCTAssertEqual(issuers.first, fleet.main.info.apiServer)
        XCTAssertNotNil(issuers[1].range(of: #"^https://oidc\.eks\.us-east-1\.amazonaws\.com/id/[0-9A-F]{32}$"#, options: .regularExpression),
                        issuers[1])
        XCTAssertEqual(issuers[2], "https://container.googleapis.com/v1/projects/widash-demo/locations/europe-west1/clusters/analytics")
        XCTAssertEqual(fleet.main.kubeconfigYAML(), fleet.kubeconfigYAML(), "the demo cluster hands out the fleet's kubeconfig")
    }

    func testKubectlListsPodsInEveryDemoContextAndIsRefusedByTheDecommissionedOne() async throws {
        let fleet = try await startDemo()
        let expected: [(String, String, Set<String>)] = [
            ("widash-sandbox", "shop", ["frontend", "backend", "checkout"]),
            ("widash-sandbox-eks", "payments", ["ledger", "invoices", "settlement", "reports"]),
            ("widash-sandbox-gke", "analytics", ["ingest", "dashboards", "batch"]),
        ]
        for (context, namespace, pods) in expected {
            let result = try kubectl(fleet, context: context, ["get", "pods", "-n", namespace])
            XCTAssertEqual(result.status, 0, "\(context): \(result.stderr)")
            XCTAssertEqual(names(result.stdout), pods, "\(context): \(result.stdout)")
        }
        let gone = try kubectl(fleet, context: "widash-sandbox-decommissioned", ["get", "pods", "-A", "--request-timeout", "10s"])
        XCTAssertNotEqual(gone.status, 0, gone.stdout)
        XCTAssertTrue(gone.stderr.contains("connection refused"), gone.stderr)
    }

    func testEachClusterSignsTokensWithItsOwnIssuer() async throws {
        let fleet = try await startDemo()
        let token = try kubectl(fleet, context: "widash-sandbox-eks", ["create", "token", "ledger", "-n", "payments", "--audience", "sts.amazonaws.com"])
        XCTAssertEqual(token.status, 0, token.stderr)
        let claims = try XCTUnwrap(jwtClaims(token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(claims["iss"] as? String, fleet.clusters[1].info.issuer)
        XCTAssertEqual(claims["sub"] as? String, "system:serviceaccount:payments:ledger")
        let main = try kubectl(fleet, context: "widash-sandbox", ["create", "token", "frontend", "-n", "shop"])
        XCTAssertEqual(main.status, 0, main.stderr)
        XCTAssertEqual(jwtClaims(main.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["iss"] as? String, fleet.main.info.apiServer)
    }

    func testTheEKSIssuerIsPublishedAtItsHostAndTheGKEClusterServesNoDiscovery() async throws {
        let fleet = try await startDemo()
        let eks = fleet.clusters[1], gke = fleet.clusters[2]
        // Through the API server (as `kubectl get --raw`): the EKS-like cluster names its issuer and
        // the provider-hosted keys; the GKE-like one answers 404 like a mux without the handler.
        let eksDiscovery = try kubectl(fleet, context: "widash-sandbox-eks", ["get", "--raw", "/.well-known/openid-configuration"])
        XCTAssertEqual(eksDiscovery.status, 0, eksDiscovery.stderr)
        let document = try XCTUnwrap(jsonObject(eksDiscovery.stdout))
        XCTAssertEqual(document["issuer"] as? String, eks.info.issuer)
        XCTAssertEqual(document["jwks_uri"] as? String, eks.info.issuer + "/keys")
        let gkeDiscovery = try kubectl(fleet, context: "widash-sandbox-gke", ["get", "--raw", "/.well-known/openid-configuration"])
        XCTAssertNotEqual(gkeDiscovery.status, 0, gkeDiscovery.stdout)
        XCTAssertTrue(gkeDiscovery.stderr.contains("NotFound") || gkeDiscovery.stderr.contains("404"), gkeDiscovery.stderr)

        // At the issuer URL itself, as a cloud fetches it: the real host names routed to the demo
        // cluster's listener, trusting its CA (curl --connect-to, like widash's CONNECT_TO).
        let caFile = try XCTUnwrap(fleet.main.info.caFile)
        let port = try XCTUnwrap(URL(string: fleet.main.info.apiServer)?.port)
        func curl(_ url: String) throws -> (status: String, body: String) {
            let host = try XCTUnwrap(URL(string: url)?.host)
            let result = try TestProcess.run(try Peers.curl(), ["-sS", "--cacert", caFile, "--connect-to", "\(host):443:127.0.0.1:\(port)",
                                                                "-w", "\n%{http_code}", url],
                                             environment: ["PATH": "/usr/bin:/bin"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
        }
        let published = try curl(eks.info.issuer + "/.well-known/openid-configuration")
        XCTAssertEqual(published.status, "200", published.body)
        XCTAssertEqual(jsonObject(published.body)?["issuer"] as? String, eks.info.issuer)
        let keys = try curl(eks.info.issuer + "/keys")
        XCTAssertEqual(keys.status, "200", keys.body)
        let token = try kubectl(fleet, context: "widash-sandbox-eks", ["create", "token", "ledger", "-n", "payments"])
        let header = try XCTUnwrap(token.stdout.split(separator: ".").first.flatMap { part -> [String: Any]? in
            var base64 = String(part).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            return Data(base64Encoded: base64).flatMap { (try? JSONSerialization.jsonObject(with: $0)) as? [String: Any] }
        })
        let kids = (jsonObject(keys.body)?["keys"] as? [[String: Any]])?.compactMap { $0["kid"] as? String } ?? []
        XCTAssertEqual(kids, [try XCTUnwrap(header["kid"] as? String)], "the published keys verify the cluster's tokens")
        let unpublished = try curl(gke.info.issuer + "/.well-known/openid-configuration")
        XCTAssertEqual(unpublished.status, "404", unpublished.body)
    }

    func testNScaleClustersEachWithItsOwnCAIssuerAndContext() async throws {
        let started = try await SandboxFleet.start(clusters: 3, SandboxOptions(
            scenario: .scale(namespaces: 2, serviceAccounts: 4, pods: 6), isStatic: true, outputDirectory: directory))
        fleet = started
        XCTAssertEqual(started.contexts, ["widash-sandbox-1", "widash-sandbox-2", "widash-sandbox-3"])
        XCTAssertEqual(Set(started.clusters.map(\.info.caPEM)).count, 3)
        XCTAssertEqual(started.clusters.map(\.info.issuer), started.clusters.map(\.info.apiServer))
        XCTAssertEqual(Set(started.clusters.map(\.info.issuer)).count, 3)
        for context in started.contexts {
            let result = try kubectl(started, context: context, ["get", "pods", "-A", "--no-headers"])
            XCTAssertEqual(result.status, 0, "\(context): \(result.stderr)")
            XCTAssertEqual(result.stdout.split(separator: "\n").count, 6, "\(context): 6 pods per cluster\n\(result.stdout)")
        }
        var counts = 0
        for cluster in started.clusters { counts += await cluster.objectCounts().pods }
        XCTAssertEqual(counts, 18)
        let current = try kubectl(started, context: "widash-sandbox-1", ["config", "current-context"])
        XCTAssertEqual(current.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "widash-sandbox-1")
    }

    func testAFleetOfNoClustersIsRefusedWithAMessage() async throws {
        do {
            _ = try await SandboxFleet.start(clusters: 0, SandboxOptions())
            XCTFail("a fleet of 0 clusters started")
        } catch {
            XCTAssertTrue("\(error)".contains("at least one cluster"), "\(error)")
        }
    }
}
