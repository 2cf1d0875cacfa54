import Foundation
import XCTest

/// Issue 8's bad-input corpus, CLI side: each bad kubeconfig or argument gives exit 2
/// (configuration) or 3 (remote) and exactly one clear line on stderr, never a crash or a hang.
final class BadConfigurationEndToEndTests: XCTestCase {
    /// A bad kubeconfig: its text (nil: the file does not exist) and a word the message must contain.
    struct Case: Sendable {
        var name: String
        var kubeconfig: String?
        var mentions: String
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static let configurationCases: [Case] = [
        Case(name: "empty", kubeconfig: "", mentions: "empty"),
        Case(name: "not-yaml", kubeconfig: "this: is: not: yaml: [\n", mentions: "YAML"),
        Case(name: "missing-current-context", kubeconfig: KubeconfigText.make(currentContext: nil), mentions: "current-context"),
        Case(name: "unknown-cluster", kubeconfig: KubeconfigText.make(contextCluster: "nope"), mentions: "nope"),
        Case(name: "unknown-user", kubeconfig: KubeconfigText.make(contextUser: "nobody"), mentions: "nobody"),
        Case(name: "bad-base64", kubeconfig: KubeconfigText.make(clusterExtra: #"certificate-authority-data: "!!!not base64***""#),
             mentions: "base64"),
        Case(name: "pem-not-a-certificate",
             kubeconfig: KubeconfigText.make(clusterExtra: "certificate-authority-data: \"\(base64("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"))\""),
             mentions: "certificate-authority-data"),
        Case(name: "unknown-auth-provider", kubeconfig: KubeconfigText.make(user: "{auth-provider: {name: gcp, config: {}}}"), mentions: "gcp"),
        Case(name: "exec-plugin-not-found",
             kubeconfig: KubeconfigText.make(user: "{exec: {apiVersion: client.authentication.k8s.io/v1, command: /nonexistent/kube-plugin, interactiveMode: Never}}"),
             mentions: "/nonexistent/kube-plugin"),
        Case(name: "exec-plugin-exits-1",
             kubeconfig: KubeconfigText.make(user: "{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false, interactiveMode: Never}}"),
             mentions: "1"),
        Case(name: "exec-plugin-prints-garbage",
             kubeconfig: KubeconfigText.make(user: "{exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/echo, args: [garbage], interactiveMode: Never}}"),
             mentions: "ExecCredential"),
        Case(name: "file-not-found", kubeconfig: nil, mentions: "file-not-found"),
    ]

    /// Exit `code`, one `widash:` line on stderr, nothing on stdout, no crash.
    private func assertOneLineFailure(_ result: ChildResult, code: Int32, label: String, mentions: String? = nil,
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.killedBySignal, "\(label): crashed; \(result.summary)", file: file, line: line)
        XCTAssertEqual(result.exitCode, code, "\(label): exit code; \(result.summary)", file: file, line: line)
        XCTAssertEqual(result.stderrLines.count, 1, "\(label): exactly one line on stderr; \(result.summary)", file: file, line: line)
        XCTAssertTrue(result.stderrLines.first?.hasPrefix("widash:") ?? false, "\(label): the line starts with widash:; \(result.summary)", file: file, line: line)
        XCTAssertEqual(result.stdout, "", "\(label): nothing on stdout", file: file, line: line)
        if let mentions {
            XCTAssertTrue(result.stderr.contains(mentions), "\(label): the message names \(mentions): \(result.stderr)", file: file, line: line)
        }
    }

    func testBadKubeconfigsExitTwoWithOneLine() async throws {
        let directory = try TemporaryDirectory("badconfig")
        defer { directory.remove() }
        var runs: [(Case, String)] = []
        for item in Self.configurationCases {
            let path = try item.kubeconfig.map { try directory.write($0, to: item.name) } ?? directory.file(item.name)
            runs.append((item, path))
        }
        let results = try await WidashCLI.concurrentMap(runs.map(\.1), limit: 2) { path in
            try await WidashCLI.run(["identities", "-A", "--kubeconfig", path])
        }
        for ((item, _), result) in zip(runs, results) {
            assertOneLineFailure(result, code: 2, label: item.name, mentions: item.mentions)
        }
    }

    func testClosedPortExitsThreeWithOneLine() async throws {
        let directory = try TemporaryDirectory("closedport")
        defer { directory.remove() }
        let port = try ClosedPort.find()
        let kubeconfig = try directory.write(KubeconfigText.tokenUser(server: "https://127.0.0.1:\(port)"), to: "kubeconfig")
        let results = try await WidashCLI.concurrentMap([["identities", "-A"], ["trace", "shop/frontend"], ["token", "shop/frontend"]],
                                                        limit: 2) { arguments in
            try await WidashCLI.run(arguments + ["--kubeconfig", kubeconfig])
        }
        for (label, result) in zip(["identities", "trace", "token"], results) {
            assertOneLineFailure(result, code: 3, label: "\(label) against a closed port", mentions: "\(port)")
        }
    }

    func testTLSProblemsAgainstTheSandbox() async throws {
        let sandbox = try await InProcessSandbox.start()
        let foreign: InProcessSandbox
        do {
            foreign = try await InProcessSandbox.start()
        } catch {
            await sandbox.stop()
            throw error
        }
        do {
            try await checkTLSProblems(sandbox: sandbox, foreign: foreign)
        } catch {
            await sandbox.stop()
            await foreign.stop()
            throw error
        }
        await sandbox.stop()
        await foreign.stop()
    }

    private func checkTLSProblems(sandbox: InProcessSandbox, foreign: InProcessSandbox) async throws {
        // Another freshly generated CA, which did not sign the sandbox's certificate.
        let foreignCA = Data(foreign.server.info.caPEM.utf8).base64EncodedString()
        let wrongCA = try sandbox.kubeconfigVariant(named: "wrong-ca", clusterTLS: "certificate-authority-data: \"\(foreignCA)\"")
        let noCA = try sandbox.kubeconfigVariant(named: "no-ca", clusterTLS: nil)
        let insecure = try sandbox.kubeconfigVariant(named: "insecure", clusterTLS: "insecure-skip-tls-verify: true")
        let results = try await WidashCLI.concurrentMap([wrongCA, noCA, insecure], limit: 2) { path in
            try await WidashCLI.run(["identities", "-A", "-o", "json", "--kubeconfig", path])
        }
        for (label, result) in zip(["another CA", "no CA data (system trust store)"], results.prefix(2)) {
            assertOneLineFailure(result, code: 3, label: label)
            XCTAssertTrue(result.stderr.lowercased().contains("unknown authority"), "\(label): names the unknown authority: \(result.stderr)")
        }
        XCTAssertEqual(results[2].exitCode, 0, "insecure-skip-tls-verify: true without a CA; \(results[2].summary)")
        let inventory = try InventoryDocument(json: results[2].stdout)
        XCTAssertTrue(inventory.identityKeys.contains("shop/frontend"), "\(inventory.identityKeys)")
    }

    func testPodArgumentWithoutNamespaceIsAUsageError() async throws {
        let result = try await WidashCLI.run(["trace", "nopod"])
        XCTAssertFalse(result.killedBySignal, result.summary)
        XCTAssertEqual(result.exitCode, 2, result.summary)
        // A usage error must say what is wrong: NAMESPACE/POD.
        XCTAssertFalse(result.stderrLines.isEmpty, "a usage error prints why; got nothing on stderr; \(result.summary)")
        XCTAssertTrue(result.stderr.contains("NAMESPACE/POD"), "the message shows the expected form: '\(result.stderr)'")
    }
}
