import Foundation
import XCTest

/// `widash sandbox serve`: one JSON line when ready, a kubeconfig real kubectl can use, and a
/// clean exit 0 on SIGTERM.
final class SandboxServeEndToEndTests: XCTestCase {
    func testServePrintsOneReadyLineServesKubectlAndStopsOnSIGTERM() async throws {
        let directory = try TemporaryDirectory("serve")
        defer { directory.remove() }
        let kubeconfig = directory.file("kc")
        let child = try WidashCLI.start(["sandbox", "serve", "--static", "--kubeconfig-out", kubeconfig])
        var stopped = false
        defer { if !stopped { child.killHard() } }

        let line = try XCTUnwrap(child.firstStdoutLine(timeout: 60),
                                 "no ready line within 60 s; \(child.result.summary)")
        let info = try decodeJSONObject(line)
        for key in ["kubeconfig", "apiServer", "issuer", "caFile", "entraAuthorityHost", "awsEndpoint"] {
            XCTAssertNotNil(info[key] as? String, "the ready line lacks \(key): \(line)")
        }
        XCTAssertEqual(info["kubeconfig"] as? String, kubeconfig)
        let apiServer = try XCTUnwrap(info["apiServer"] as? String)
        XCTAssertTrue(apiServer.hasPrefix("https://127.0.0.1:"), apiServer)
        XCTAssertEqual(info["issuer"] as? String, apiServer, "the issuer is the API server URL, no trailing slash")
        let caFile = try XCTUnwrap(info["caFile"] as? String)
        XCTAssertTrue(try String(contentsOfFile: caFile, encoding: .utf8).contains("BEGIN CERTIFICATE"), "caFile holds a PEM certificate")
        XCTAssertEqual(info["entraAuthorityHost"] as? String, "https://login.microsoftonline.com/")

        // The kubeconfig holds bearer tokens: owner-only, and the ready line must not repeat them.
        let attributes = try FileManager.default.attributesOfItem(atPath: kubeconfig)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, "kubeconfig permissions")
        let kubeconfigText = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        let tokens = kubeconfigText.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("token:") else { return nil }
            return trimmed.dropFirst("token:".count).trimmingCharacters(in: CharacterSet(charactersIn: " \""))
        }
        XCTAssertFalse(tokens.isEmpty, "the kubeconfig has token users: \(kubeconfigText)")
        for token in tokens where !token.isEmpty {
            XCTAssertFalse(line.contains(token), "the ready line repeats a kubeconfig token")
        }

        try await checkKubectl(kubeconfig: kubeconfig, directory: directory)

        // widash itself reaches it through the same kubeconfig.
        let identities = try await WidashCLI.run(["identities", "-n", "shop", "-o", "json", "--kubeconfig", kubeconfig])
        XCTAssertEqual(identities.exitCode, 0, identities.summary)
        XCTAssertTrue(try InventoryDocument(json: identities.stdout).identityKeys.contains("shop/frontend"))

        child.send(SIGTERM)
        let exited = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: child.waitForExit(timeout: 20)) }
        }
        XCTAssertTrue(exited, "sandbox serve still runs 20 s after SIGTERM")
        stopped = exited
        let result = child.result
        XCTAssertFalse(result.killedBySignal, "SIGTERM is handled, not fatal; \(result.summary)")
        XCTAssertEqual(result.exitCode, 0, result.summary)
        XCTAssertEqual(result.stdout.split(separator: "\n").count, 1, "exactly one line on stdout: \(result.stdout)")
    }

    private func checkKubectl(kubeconfig: String, directory: TemporaryDirectory) async throws {
        let kubectl = ProcessInfo.processInfo.environment["KUBECTL"] ?? "/usr/bin/kubectl"
        guard FileManager.default.isExecutableFile(atPath: kubectl) else {
            print("SKIP (kubectl part): kubectl not found at \(kubectl); set KUBECTL to its path")
            return
        }
        let home = directory.file("kubectl-home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let result = try await WidashCLI.runProgram(
            URL(fileURLWithPath: kubectl),
            ["--kubeconfig", kubeconfig, "--cache-dir", directory.file("kube-cache"), "get", "pods", "-n", "shop"],
            environment: ["HOME": home, "PATH": "/usr/bin:/bin"], timeout: 60)
        XCTAssertEqual(result.exitCode, 0, "kubectl get pods -n shop; \(result.summary)")
        let names = result.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertEqual(Set(names), ["frontend", "backend"], result.stdout)
    }
}
