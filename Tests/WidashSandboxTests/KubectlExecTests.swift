import Foundation
import WidashSandbox
import WidashTestPeers
import XCTest

/// Real kubectl (≥ 1.30: exec over WebSocket `v5.channel.k8s.io`) against the sandbox's `pods/exec`,
/// and the honest stale-token demo: broken/stale-token's projected token file expired because its
/// node's kubelet stopped refreshing it, while a fresh TokenRequest for the same account is valid.
final class KubectlExecTests: XCTestCase {
    var fixture: SandboxFixture?

    static let staleNode = "aks-nodepool1-31718369-vmss000003"

    override func setUp() async throws {
        _ = try Peers.kubectl()
        fixture = try await SandboxFixture.start()
    }

    override func tearDown() async throws {
        await fixture?.stop()
    }

    private func sandbox() throws -> SandboxFixture {
        try XCTUnwrap(fixture)
    }

    /// The value of an env var of a pod's first container, read through the API as kubectl reads it.
    private func env(_ namespace: String, _ pod: String, _ name: String) throws -> String {
        let result = try sandbox().kubectl(["get", "pod", pod, "-n", namespace, "-o", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(jsonObject(result.stdout))
        let container = try XCTUnwrap(((object["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first)
        let variable = (container["env"] as? [[String: Any]] ?? []).first { $0["name"] as? String == name }
        return try XCTUnwrap(variable?["value"] as? String, "\(namespace)/\(pod) has no \(name)")
    }

    private func claims(ofJWT output: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let token = output.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(token.split(separator: ".").count, 3, "not a JWT: \(output)", file: file, line: line)
        return try XCTUnwrap(jwtClaims(token), "undecodable JWT: \(output)", file: file, line: line)
    }

    func testExecCatOfTheStaleTokenPodsFilePrintsAnExpiredToken() throws {
        let path = try env("broken", "stale-token", "AZURE_FEDERATED_TOKEN_FILE")
        let result = try sandbox().kubectl(["exec", "-n", "broken", "stale-token", "--", "cat", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let claims = try claims(ofJWT: result.stdout)
        let now = Int(Date().timeIntervalSince1970)
        let exp = try XCTUnwrap(claims["exp"] as? Int), iat = try XCTUnwrap(claims["iat"] as? Int)
        XCTAssertLessThan(exp, now, "the kubelet stopped refreshing it: expired")
        // The scenario: minted 74 min before the sandbox started (3600 s TTL), refresh due 26 min
        // before, expired 14 min before.
        XCTAssertEqual(exp - iat, 3600)
        XCTAssertTrue((14 * 60 - 5)...(14 * 60 + 120) ~= now - exp, "expired \(now - exp) s ago, expected about 14 min")
        XCTAssertEqual(claims["aud"] as? [String], ["api://AzureADTokenExchange"])
        XCTAssertEqual(claims["sub"] as? String, "system:serviceaccount:broken:stale-token")
        XCTAssertEqual(claims["iss"] as? String, try sandbox().server.info.issuer)
        let kubernetes = try XCTUnwrap(claims["kubernetes.io"] as? [String: Any])
        XCTAssertEqual((kubernetes["pod"] as? [String: Any])?["name"] as? String, "stale-token")
        XCTAssertEqual((kubernetes["node"] as? [String: Any])?["name"] as? String, Self.staleNode)
        XCTAssertEqual((kubernetes["serviceaccount"] as? [String: Any])?["name"] as? String, "stale-token")

        // A file: reading it again gives the same bytes (nothing refreshes it).
        let again = try sandbox().kubectl(["exec", "-n", "broken", "stale-token", "--", "cat", path])
        XCTAssertEqual(again.stdout, result.stdout)
    }

    func testCreateTokenForTheStaleTokenAccountIsValid() throws {
        let result = try sandbox().kubectl(["create", "token", "stale-token", "-n", "broken", "--audience", "api://AzureADTokenExchange"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let claims = try claims(ofJWT: result.stdout)
        let now = Int(Date().timeIntervalSince1970)
        XCTAssertGreaterThan(try XCTUnwrap(claims["exp"] as? Int), now)
        XCTAssertLessThanOrEqual(abs(try XCTUnwrap(claims["iat"] as? Int) - now), 60)
    }

    func testHealthyPodsFilesAreFreshAndTheDefaultTokenIsExtended() throws {
        let now = Int(Date().timeIntervalSince1970)
        for (namespace, pod, variable) in [("shop", "frontend", "AZURE_FEDERATED_TOKEN_FILE"), ("shop", "backend", "AZURE_FEDERATED_TOKEN_FILE"),
                                           ("aws", "irsa-ok", "AWS_WEB_IDENTITY_TOKEN_FILE"),
                                           ("aws", "podid-ok", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")] {
            let path = try env(namespace, pod, variable)
            let result = try sandbox().kubectl(["exec", "-n", namespace, pod, "--", "cat", path])
            XCTAssertEqual(result.status, 0, "\(namespace)/\(pod): \(result.stderr)")
            let claims = try claims(ofJWT: result.stdout)
            let exp = try XCTUnwrap(claims["exp"] as? Int), iat = try XCTUnwrap(claims["iat"] as? Int)
            XCTAssertGreaterThan(exp, now, "\(namespace)/\(pod)")
            // Never older than 80 % of its TTL (the kubelet refreshed it).
            XCTAssertLessThanOrEqual(now - iat, (exp - iat) * 8 / 10 + 60, "\(namespace)/\(pod)")
        }
        // kube-api-access: 3607 s and the API server's audience → exp one year out, warnafter at 3607 s.
        let result = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "head", "-c", "4096",
                                            "/var/run/secrets/kubernetes.io/serviceaccount/token"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let claims = try claims(ofJWT: result.stdout)
        let iat = try XCTUnwrap(claims["iat"] as? Int)
        XCTAssertEqual(try XCTUnwrap(claims["exp"] as? Int) - iat, 24 * 365 * 3600)
        XCTAssertEqual((claims["kubernetes.io"] as? [String: Any])?["warnafter"] as? Int, iat + 3607)
        XCTAssertEqual(claims["aud"] as? [String], [try sandbox().server.info.issuer])
    }

    func testLsShowsTheProjectedVolumeAsTheKubeletWritesIt() throws {
        let result = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "ls", "/var/run/secrets/kubernetes.io/serviceaccount"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "ca.crt\nnamespace\ntoken\n")
        let all = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "ls", "-a", "/var/run/secrets/azure/wi/token"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertEqual(all.stdout, ".\n..\nazure-identity-token\n")
        let namespace = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/..data/namespace"])
        XCTAssertEqual(namespace.stdout, "shop")
        let date = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "date", "-u", "+%s"])
        XCTAssertEqual(date.status, 0, date.stderr)
        let seconds = try XCTUnwrap(Int(date.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), date.stdout)
        XCTAssertLessThanOrEqual(abs(seconds - Int(Date().timeIntervalSince1970)), 60)
    }

    func testACommandThatFailsExitsWithItsStatus() throws {
        let cat = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "cat", "/var/run/secrets/azure/tokens/azure-identity-token"])
        // kubectl prints the remote stderr, then "command terminated with exit code N", and exits N.
        XCTAssertEqual(cat.status, 1, cat.stderr)
        XCTAssertEqual(cat.stderr, "cat: /var/run/secrets/azure/tokens/azure-identity-token: No such file or directory\ncommand terminated with exit code 1\n")
        let ls = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "ls", "/nonexistent"])
        XCTAssertEqual(ls.status, 2, ls.stderr)
        XCTAssertTrue(ls.stderr.hasSuffix("command terminated with exit code 2\n"), ls.stderr)
    }

    func testAnUnknownCommandFailsAsTheAPIServerReportsIt() throws {
        let result = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "nslookup", "example.com"])
        // containerd + runc behind a 1.32 API server's WebSocket translator: InternalError, twice wrapped.
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.hasPrefix("error: Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \""), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"nslookup\": executable file not found in $PATH: unknown\n"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testAnUnknownContainerIsABadRequest() throws {
        let result = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "-c", "sidecar", "--", "date"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertEqual(result.stderr, "Error from server (BadRequest): container sidecar is not valid for pod frontend\n")
    }

    func testUsersWithoutExecRightsAreForbidden() throws {
        let viewer = try sandbox().kubectl(["exec", "-n", "broken", "stale-token", "--", "date"],
                                           context: try sandbox().server.info.viewerContext)
        XCTAssertEqual(viewer.status, 1, viewer.stderr)
        // The WebSocket GET is refused (403), kubectl falls back to SPDY's POST, refused as `create`.
        XCTAssertEqual(viewer.stderr, "Error from server (Forbidden): pods \"stale-token\" is forbidden: User \"system:serviceaccount:widash:viewer\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"broken\"\n")
        let shop = try sandbox().kubectl(["exec", "-n", "shop", "frontend", "--", "date"],
                                         context: try sandbox().server.info.namespacedContext)
        XCTAssertEqual(shop.status, 1, shop.stderr)
        XCTAssertTrue(shop.stderr.contains("User \"dev@shop.example\" cannot create resource \"pods/exec\""), shop.stderr)
    }

    func testTheStaleTokenNodeIsNotReady() throws {
        let table = try sandbox().kubectl(["get", "nodes"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertEqual(rows.first { $0.first == Self.staleNode }?[1], "NotReady", table.stdout)
        XCTAssertEqual(rows.filter { $0.count > 1 && $0[1] == "Ready" }.count, 3, table.stdout)

        let result = try sandbox().kubectl(["get", "node", Self.staleNode, "-o", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let node = try XCTUnwrap(jsonObject(result.stdout))
        let conditions = ((node["status"] as? [String: Any])?["conditions"] as? [[String: Any]]) ?? []
        let ready = try XCTUnwrap(conditions.first { $0["type"] as? String == "Ready" })
        XCTAssertEqual(ready["status"] as? String, "Unknown")
        XCTAssertEqual(ready["reason"] as? String, "NodeStatusUnknown")
        XCTAssertEqual(ready["message"] as? String, "Kubelet stopped posting node status.")
        let heartbeat = try XCTUnwrap((ready["lastHeartbeatTime"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        XCTAssertLessThan(heartbeat, Date().addingTimeInterval(-40 * 60), "the kubelet last posted ~50 min ago")
        let taints = ((node["spec"] as? [String: Any])?["taints"] as? [[String: Any]]) ?? []
        XCTAssertEqual(Set(taints.map { "\($0["key"] ?? ""):\($0["effect"] ?? "")" }),
                       ["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"])
        let yaml = try sandbox().kubectl(["get", "node", Self.staleNode, "-o", "yaml"])
        XCTAssertEqual(yaml.status, 0, yaml.stderr)
        XCTAssertTrue(yaml.stdout.contains("reason: NodeStatusUnknown"), yaml.stdout)

        let pod = try XCTUnwrap(jsonObject(try sandbox().kubectl(["get", "pod", "stale-token", "-n", "broken", "-o", "json"]).stdout))
        XCTAssertEqual((pod["spec"] as? [String: Any])?["nodeName"] as? String, Self.staleNode)
    }
}
