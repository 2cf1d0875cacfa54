import Foundation
import WidashHTTP
import XCTest
@testable import WidashKube

/// A fleet's contexts share exec plugin credentials per kubeconfig user: a real plugin (a shell
/// script that counts its runs) runs once per user, not once per context.
final class ExecCredentialCacheTests: XCTestCase {
    private func plugin(in dir: TempDir) throws -> String {
        try dir.write("count.sh", """
            #!/bin/sh
            echo run >> "\(dir.path)/runs"
            cat <<JSON
            {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"fleet-token-000000000-$$"}}
            JSON
            """, executable: true)
    }

    private func runs(_ dir: TempDir) -> Int {
        ((try? String(contentsOfFile: dir.path + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    private func context(_ name: String, user: String, command: String, server: String = testServer,
                         provideClusterInfo: Bool = false) -> ResolvedKubeConfig {
        let exec = ExecConfig(command: command, args: ["get-token"], apiVersion: ExecCredentialAPI.v1, provideClusterInfo: provideClusterInfo)
        return ResolvedKubeConfig(contextName: name, clusterName: name, userName: user, server: server, auth: .exec(exec))
    }

    private func provider(_ config: ResolvedKubeConfig, _ cache: ExecCredentialCache) -> KubeCredentialsProvider {
        KubeCredentialsProvider(config: config, plugin: ExecCredentialPlugin(baseEnvironment: ["PATH": "/usr/bin:/bin"]), sharedExec: cache)
    }

    func testContextsOfOneUserRunThePluginOnceAndAnotherUserRunsItAgain() async throws {
        let dir = try TempDir()
        let command = try plugin(in: dir)
        let cache = ExecCredentialCache()
        let providers = [context("prod-eu", user: "sso", command: command), context("prod-us", user: "sso", command: command),
                         context("staging", user: "sso", command: command), context("lab", user: "lab-admin", command: command)]
            .map { provider($0, cache) }
        // All at once, as the fleet connects to its clusters.
        let tokens = await withTaskGroup(of: String?.self) { group in
            for provider in providers { group.addTask { try? await provider.current().authorization } }
            return await group.reduce(into: [String?]()) { $0.append($1) }
        }
        XCTAssertEqual(tokens.compactMap { $0 }.count, 4, "\(tokens)")
        XCTAssertEqual(runs(dir), 2, "one run for user sso (three contexts), one for lab-admin")
        let cacheRuns = await cache.runs
        XCTAssertEqual(cacheRuns, 2)
        let sso = try await [providers[0].current(), providers[1].current(), providers[2].current()].map(\.authorization)
        XCTAssertEqual(Set(sso).count, 1, "the three sso contexts present the same credential: \(sso)")
        let lab = try await providers[3].current().authorization
        XCTAssertNotEqual(lab, sso[0])
        XCTAssertEqual(runs(dir), 2, "cached: no further run")
    }

    func testPluginsThatAskForTheClusterRunOncePerCluster() async throws {
        let dir = try TempDir()
        let command = try plugin(in: dir)
        let cache = ExecCredentialCache()
        let a = provider(context("a", user: "u", command: command, server: "https://a.example", provideClusterInfo: true), cache)
        let b = provider(context("b", user: "u", command: command, server: "https://b.example", provideClusterInfo: true), cache)
        let a2 = provider(context("a2", user: "u", command: command, server: "https://a.example", provideClusterInfo: true), cache)
        _ = try await (a.current(), b.current(), a2.current())
        XCTAssertEqual(runs(dir), 2, "the answer may depend on the cluster (KUBERNETES_EXEC_INFO): one run per server")
    }

    func testA401RefreshesOnceForEveryContextOfTheUser() async throws {
        let dir = try TempDir()
        let command = try plugin(in: dir)
        let cache = ExecCredentialCache()
        let first = provider(context("one", user: "sso", command: command), cache)
        let second = provider(context("two", user: "sso", command: command), cache)
        let old = try await first.current().authorization
        let secondToken = try await second.current().authorization
        XCTAssertEqual(secondToken, old)
        // The first context is answered 401: the plugin runs again.
        let retry = await first.invalidate()
        XCTAssertTrue(retry)
        let fresh = try await first.current().authorization
        XCTAssertNotEqual(fresh, old)
        XCTAssertEqual(runs(dir), 2)
        // The second one, still holding the old token, gets a 401 too: it takes the fresh one, no third run.
        _ = await second.invalidate()
        let secondFresh = try await second.current().authorization
        XCTAssertEqual(secondFresh, fresh)
        XCTAssertEqual(runs(dir), 2)
    }
}
