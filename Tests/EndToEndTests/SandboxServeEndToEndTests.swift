import Foundation
import WidashSandboxKit
import WidashTestPeers
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
        let kubectl = try Peers.kubectl()
        let home = directory.file("kubectl-home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let result = try await WidashCLI.runProgram(
            URL(fileURLWithPath: kubectl),
            ["--kubeconfig", kubeconfig, "--cache-dir", directory.file("kube-cache"), "get", "pods", "-n", "shop"],
            environment: ["HOME": home, "PATH": "/usr/bin:/bin"], timeout: 60)
        XCTAssertEqual(result.exitCode, 0, "kubectl get pods -n shop; \(result.summary)")
        let names = result.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
        XCTAssertEqual(Set(names), ["frontend", "backend", "checkout"], result.stdout)
    }

    /// A served sandbox is usable from its env file alone, by widash (no `--demo`: kubeconfig, host
    /// mapping and CA from the file, the demo operator's credentials for the cloud side) and by the
    /// standard clients (azure-identity, boto3), each in its own process.
    func testTheEnvFileAloneLetsWidashAndStandardClientsUseAServedSandbox() async throws {
        let directory = try TemporaryDirectory("serve-env")
        defer { directory.remove() }
        let envFile = directory.file("sandbox.env")
        let child = try WidashCLI.start(["sandbox", "serve", "--static", "--env-out", envFile, "--kubeconfig-out", directory.file("kubeconfig")])
        defer { child.killHard() }
        _ = try XCTUnwrap(child.firstStdoutLine(timeout: 60), "no ready line; \(child.result.summary)")
        let exported = try Self.exports(String(contentsOfFile: envFile, encoding: .utf8))
        for name in ["KUBECONFIG", "WIDASH_CONNECT_TO", "SSL_CERT_FILE", "AZURE_AUTHORITY_HOST", "AWS_ENDPOINT_URL",
                     "AZURE_CLIENT_SECRET", "AWS_ACCESS_KEY_ID", "WIDASH_EKS_CLUSTER"] {
            XCTAssertNotNil(exported[name], "the env file lacks \(name)")
        }
        XCTAssertTrue(exported["AZURE_AUTHORITY_HOST"]?.hasPrefix("https://127.0.0.1:") == true, "an authority that resolves: \(exported)")
        let mode = try FileManager.default.attributesOfItem(atPath: envFile)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600, "the env file carries (demo) credentials: owner-only")

        // widash, with nothing but the env file: a healthy trace passes all five steps, a broken
        // one fails at step 3 with the federated credentials and the trust policy read.
        let healthy = try await WidashCLI.run(["trace", "shop/frontend", "-o", "json"], environment: exported)
        XCTAssertEqual(healthy.exitCode, 0, healthy.summary)
        let wrong = try await WidashCLI.run(["trace", "broken/wrong-subject", "-o", "json"], environment: exported)
        XCTAssertEqual(wrong.exitCode, 1, wrong.summary)
        let wrongTrace = try TraceDocument(json: wrong.stdout)
        XCTAssertEqual(TraceDocument.evidence(wrongTrace.step(3))["errorCode"] as? String, "AADSTS700213")
        XCTAssertTrue((TraceDocument.evidence(wrongTrace.step(3))["federatedCredentials"] as? String)?.contains("aks-wrong-subject") == true, wrong.stdout)
        let badTrust = try await WidashCLI.run(["trace", "aws/irsa-bad-trust", "-o", "json"], environment: exported)
        XCTAssertEqual(badTrust.exitCode, 1, badTrust.summary)
        XCTAssertTrue((TraceDocument.evidence(try TraceDocument(json: badTrust.stdout).step(3))["trustPolicy"] as? String)?.contains("irsa-bad-trust-old") == true,
                      badTrust.stdout)
        let identities = try await WidashCLI.run(["identities", "-A", "-o", "json"], environment: exported)
        XCTAssertEqual(identities.exitCode, 0, identities.summary)

        // The same routes given as --connect-to flags instead of WIDASH_CONNECT_TO; bad entries and
        // --demo (which routes its own sandbox) are usage errors.
        var withoutVariable = exported
        let routes = try XCTUnwrap(withoutVariable.removeValue(forKey: "WIDASH_CONNECT_TO")).split(separator: ",").map(String.init)
        let flagged = try await WidashCLI.run(["trace", "shop/frontend", "-o", "json"] + routes.flatMap { ["--connect-to", $0] },
                                              environment: withoutVariable)
        XCTAssertEqual(flagged.exitCode, 0, flagged.summary)
        let bad = try await WidashCLI.run(["trace", "shop/frontend", "--connect-to", "login.microsoftonline.com"], environment: withoutVariable)
        XCTAssertEqual(bad.exitCode, 2, bad.summary)
        XCTAssertTrue(bad.stderr.contains("HOST:PORT:ADDRESS:PORT"), bad.stderr)
        let demo = try await WidashCLI.run(["identities", "--demo", "--connect-to", routes[0]])
        XCTAssertEqual(demo.exitCode, 2, demo.summary)
        XCTAssertTrue(demo.stderr.contains("does not go with --demo"), demo.stderr)

        // The standard clients, with the same file: a pod's token (minted by widash) exchanged by
        // azure-identity's WorkloadIdentityCredential and by boto3's AssumeRoleWithWebIdentity, and
        // the operator's AWS key calling STS.
        func token(_ account: String, audience: String) async throws -> String {
            let result = try await WidashCLI.run(["token", account, "--audience", audience, "--show-token", "-o", "json"], environment: exported)
            XCTAssertEqual(result.exitCode, 0, result.summary)
            return try XCTUnwrap(try decodeJSONObject(result.stdout)["token"] as? String)
        }
        let azureToken = try directory.write(try await token("shop/frontend", audience: "api://AzureADTokenExchange"), to: "azure-token")
        let awsToken = try directory.write(try await token("aws/irsa-ok", audience: "sts.amazonaws.com"), to: "aws-token")
        let python = try Peers.python(importing: ["azure.identity", "boto3"])
        let script = """
            import boto3, sys
            from azure.identity import WorkloadIdentityCredential
            credential = WorkloadIdentityCredential(tenant_id=sys.argv[1], client_id=sys.argv[2], token_file_path=sys.argv[3])
            print("azure", credential.get_token("https://vault.azure.net/.default").expires_on > 0)
            sts = boto3.client("sts", region_name="us-east-1")
            assumed = sts.assume_role_with_web_identity(RoleArn=sys.argv[4], RoleSessionName="env-file", WebIdentityToken=open(sys.argv[5]).read())
            print("aws", assumed["AssumedRoleUser"]["Arn"])
            print("operator", sts.get_caller_identity()["Arn"])
            """
        var environment = WidashCLI.environment(exported)
        environment["PATH"] = "/usr/bin:/bin"
        let peers = try await WidashCLI.runProgram(
            URL(fileURLWithPath: python),
            ["-c", script, DemoDirectory.tenantID, "a1f3c6e0-1d2b-4e5f-8a9b-0c1d2e3f4a51", azureToken,
             DemoDirectory.irsaOKRoleARN, awsToken], environment: environment, timeout: 90)
        XCTAssertEqual(peers.exitCode, 0, peers.summary)
        XCTAssertTrue(peers.stdout.contains("azure True"), peers.stdout)
        XCTAssertTrue(peers.stdout.contains("aws arn:aws:sts::111122223333:assumed-role/irsa-ok/env-file"), peers.stdout)
        XCTAssertTrue(peers.stdout.contains("operator arn:aws:iam::111122223333:user/widash-operator"), peers.stdout)
    }

    /// `export NAME='value'` lines of an env file (values single-quoted as the sandbox writes them).
    static func exports(_ text: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let rest = line.dropFirst("export ".count)
            guard let equals = rest.firstIndex(of: "=") else { continue }
            var value = String(rest[rest.index(after: equals)...])
            if value.hasPrefix("'"), value.hasSuffix("'") { value = String(value.dropFirst().dropLast()) }
            out[String(rest[..<equals])] = value.replacingOccurrences(of: "'\\''", with: "'")
        }
        return out
    }
}
