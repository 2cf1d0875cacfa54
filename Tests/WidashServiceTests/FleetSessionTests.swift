import Foundation
import WidashCore
import WidashHTTP
import WidashKube
import WidashSandbox
@testable import WidashService
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Every context of a kubeconfig at once, for real: two sandboxes over HTTPS (one answers every
/// request 403), a closed loopback port, a port that accepts and never answers, and an exec plugin
/// shared by several contexts. The bad ones never hide the good ones, and each says why.
final class FleetSessionTests: XCTestCase {
    func testBadClustersSayWhyWhileTheOthersAreReadAndThePluginRunsOncePerUser() async throws {
        let good = try await FaultSandbox.start(faults: nil)
        addTeardownBlock { await good.stop() }
        let refusing = try await FaultSandbox.start(faults: FaultSpec(errorRate: 1, errorCodes: [403]))
        addTeardownBlock { await refusing.stop() }
        let silent = try SilentListener()
        addTeardownBlock { silent.close() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("widash-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }

        let goodFile = try Self.sandboxKubeconfig(good.server)
        let refusingFile = try Self.sandboxKubeconfig(refusing.server)
        let goodToken = try XCTUnwrap(goodFile.users?.first { $0.name == "widash-admin" }?.user.token)
        let refusingToken = try XCTUnwrap(refusingFile.users?.first { $0.name == "widash-admin" }?.user.token)
        // The exec plugin hands out the good sandbox's admin token and counts its runs.
        let plugin = dir.appendingPathComponent("sso.sh").path
        try Data("""
            #!/bin/sh
            echo run >> "\(dir.path)/runs"
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "\(goodToken)"
            """.utf8).write(to: URL(fileURLWithPath: plugin))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)

        func cluster(_ name: String, _ server: String, _ file: KubeConfigFile) -> String {
            "- name: \(name)\n  cluster:\n    server: \(server)\n    certificate-authority-data: \(file.clusters?.first?.cluster.certificateAuthorityData ?? "")\n"
        }
        let yaml = "apiVersion: v1\nkind: Config\nclusters:\n"
            + cluster("good", good.server.info.apiServer, goodFile) + cluster("refusing", refusing.server.info.apiServer, refusingFile)
            + cluster("closed", "https://127.0.0.1:1", goodFile) + cluster("silent", "https://127.0.0.1:\(silent.port)", goodFile)
            + """
            users:
            - name: sso
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1, command: "\(plugin)", args: [get-token]}
            - name: refusing-admin
              user: {token: "\(refusingToken)"}
            contexts:
            - {name: prod-eu, context: {cluster: good, user: sso}}
            - {name: prod-us, context: {cluster: good, user: sso}}
            - {name: forbidden, context: {cluster: refusing, user: refusing-admin}}
            - {name: closed, context: {cluster: closed, user: sso}}
            - {name: silent, context: {cluster: silent, user: sso}}
            - {name: broken, context: {cluster: missing, user: sso}}

            """
        let fleet = try FleetSession(kubeconfig: .inMemory(yaml: Data(yaml.utf8), origin: "<test>"),
                                     options: FleetOptions(maxInFlight: 2, clusterTimeout: .seconds(2), auditTrust: false),
                                     template: SessionTemplate(transportFactory: { CurlTransport(options: $0) }, cloudEnvironment: [:], readOnly: true))
        XCTAssertEqual(fleet.contexts.map(\.facts.context), ["broken", "closed", "forbidden", "prod-eu", "prod-us", "silent"])

        let results = await fleet.details()
        let byContext = Dictionary(uniqueKeysWithValues: results.map { ($0.0.context, $0) })
        for name in ["prod-eu", "prod-us"] {
            let (summary, inventory) = try XCTUnwrap(byContext[name])
            XCTAssertEqual(summary.status, .ready, "\(name): \(summary)")
            XCTAssertGreaterThan(summary.identities, 0, "\(summary)")
            XCTAssertNotNil(inventory)
            XCTAssertNil(summary.trust, "no audit was asked for")
            XCTAssertEqual(summary.user, "sso")
        }
        XCTAssertEqual(byContext["prod-eu"]?.0.identities, byContext["prod-us"]?.0.identities)
        func failure(_ name: String) -> ClusterFailure? { byContext[name]?.0.failure }
        XCTAssertEqual(failure("forbidden")?.kind, .forbidden, "\(String(describing: failure("forbidden")))")
        XCTAssertEqual(failure("closed")?.kind, .refused, "\(String(describing: failure("closed")))")
        XCTAssertEqual(failure("silent")?.kind, .timeout, "\(String(describing: failure("silent")))")
        XCTAssertEqual(failure("broken")?.kind, .config, "\(String(describing: failure("broken")))")
        for name in ["forbidden", "closed", "silent", "broken"] {
            XCTAssertEqual(byContext[name]?.0.status, .unreachable)
            XCTAssertNil(byContext[name]?.1)
            XCTAssertFalse(failure(name)?.message.contains("\n") ?? true, "one line: \(String(describing: failure(name)))")
        }
        XCTAssertTrue(failure("broken")?.message.contains("missing") ?? false, "\(String(describing: failure("broken")))")
        // prod-eu, prod-us, closed and silent share user sso (credentials come before the connection): one run.
        let runs = ((try? String(contentsOfFile: dir.path + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").count
        XCTAssertEqual(runs, 1, "four contexts of user sso, one plugin run")

        // The summaries alone keep no inventory; a cluster's session is there when it is opened.
        let summaries = await fleet.summaries()
        XCTAssertEqual(summaries.map(\.context), fleet.contexts.map(\.facts.context))
        XCTAssertNotNil(fleet.session(for: "prod-eu"))
        XCTAssertNil(fleet.session(for: "broken"))
        XCTAssertNil(fleet.session(for: "nope"))
    }

    func testWatchShowsEveryContextLoadingThenEachResult() async throws {
        let good = try await FaultSandbox.start(faults: nil)
        addTeardownBlock { await good.stop() }
        let yaml = good.server.kubeconfigYAML()
        let fleet = try FleetSession(kubeconfig: .inMemory(yaml: Data(yaml.utf8), origin: "<sandbox>"),
                                     options: FleetOptions(contextPattern: "sandbox$|shop", auditTrust: false),
                                     template: SessionTemplate(transportFactory: { CurlTransport(options: $0) }, cloudEnvironment: [:], readOnly: true))
        let names = fleet.contexts.map(\.facts.context)
        XCTAssertFalse(names.isEmpty)
        XCTAssertTrue(names.allSatisfy { $0.hasSuffix("sandbox") || $0.contains("shop") }, "\(names)")
        var seen: [ClusterSummary] = []
        for await summary in fleet.watch(relistEvery: .seconds(60)) {
            seen.append(summary)
            if seen.count == names.count * 2 { break }
        }
        XCTAssertEqual(seen.prefix(names.count).map(\.status), Array(repeating: .loading, count: names.count))
        XCTAssertEqual(Set(seen.dropFirst(names.count).map(\.context)), Set(names))
        XCTAssertTrue(seen.dropFirst(names.count).allSatisfy { $0.status == .ready }, "\(seen)")
    }

    func testAtMostMaxInFlightClustersAreReadAtOnce() async throws {
        let contexts = (1...7).map { "- {name: c\($0), context: {cluster: k, user: u}}" }.joined(separator: "\n")
        let yaml = "clusters:\n- {name: k, cluster: {server: \"https://127.0.0.1:1\"}}\nusers:\n- {name: u, user: {token: t}}\ncontexts:\n\(contexts)\n"
        let fleet = try FleetSession(kubeconfig: .inMemory(yaml: Data(yaml.utf8), origin: "<test>"), options: FleetOptions(maxInFlight: 3),
                                     template: SessionTemplate(transportFactory: { CurlTransport(options: $0) }, cloudEnvironment: [:]))
        let gauge = InFlightGauge()
        await fleet.forEachBounded { _ in
            await gauge.enter()
            try? await Task.sleep(for: .milliseconds(30))
            await gauge.leave()
        }
        let (most, total) = await (gauge.most, gauge.total)
        XCTAssertEqual(total, 7)
        XCTAssertLessThanOrEqual(most, 3)
        XCTAssertGreaterThan(most, 1, "the clusters were read one by one")
    }

    func testContextPatternsSelectAndBadOnesAreClearErrors() throws {
        let names = ["prod-eu", "prod-us", "staging", "lab"]
        XCTAssertEqual(try FleetSession.select(names, pattern: nil), ["lab", "prod-eu", "prod-us", "staging"])
        XCTAssertEqual(try FleetSession.select(names, pattern: "^prod-"), ["prod-eu", "prod-us"])
        XCTAssertEqual(try FleetSession.select(names, pattern: "ag"), ["staging"])
        XCTAssertThrowsError(try FleetSession.select(names, pattern: "(")) { XCTAssertTrue("\($0)".contains("not a regular expression"), "\($0)") }
        XCTAssertThrowsError(try FleetSession.select(names, pattern: "^dev")) {
            XCTAssertTrue("\($0)".contains("matches no context; the kubeconfig has: lab, prod-eu, prod-us, staging"), "\($0)")
        }
        XCTAssertThrowsError(try FleetSession.select([], pattern: nil)) { XCTAssertTrue("\($0)".contains("no contexts"), "\($0)") }
    }

    func testTransportAndAPIErrorsMapToFailureKinds() {
        XCTAssertEqual(ClusterFailureClassifier.kind(of: HTTPError.dnsFailure(host: "x", detail: "")), .dns)
        XCTAssertEqual(ClusterFailureClassifier.kind(of: HTTPError.tlsUnknownCA(url: "x", detail: "")), .tls)
        XCTAssertEqual(ClusterFailureClassifier.kind(of: HTTPError.tlsClientCertificateRejected(url: "x", detail: "")), .tls)
        XCTAssertEqual(ClusterFailureClassifier.kind(of: HTTPError.timeout(url: "x", detail: "")), .timeout)
        XCTAssertEqual(ClusterFailureClassifier.kind(of: KubeAPIError(statusCode: 401, method: "GET", path: "/api", userName: "u")), .unauthorized)
        XCTAssertEqual(ClusterFailureClassifier.kind(of: KubeConfigError.execPluginNotFound(command: "kubelogin", installHint: nil)), .config)
        XCTAssertEqual(ClusterFailureClassifier.classify(SessionError.badArgument("a\n  b")).message, "a b")
    }

    private static func sandboxKubeconfig(_ server: SandboxServer) throws -> KubeConfigFile {
        try XCTUnwrap(try KubeConfigLoader.parse(Data(server.kubeconfigYAML().utf8), path: "<sandbox>"))
    }
}

actor InFlightGauge {
    private(set) var current = 0, most = 0, total = 0
    func enter() { current += 1; total += 1; most = max(most, current) }
    func leave() { current -= 1 }
}

/// A loopback port that accepts connections (the kernel's backlog) and never answers: a cluster
/// behind a black-holing firewall or a hung API server.
final class SilentListener: @unchecked Sendable {
    // Safety: `fd` is written once in init and read by `close`, from the test's thread only.
    private var fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = UInt16(bigEndian: address.sin_port)
        self.fd = fd
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
}
