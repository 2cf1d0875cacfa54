import Foundation
import WidashTestPeers
import XCTest
import WidashHTTP
import WidashSandbox
import WidashSandboxKit
@testable import WidashSandboxAWS

/// Real boto3/botocore against the running sandbox (HTTPS, sandbox CA via AWS_CA_BUNDLE), with
/// tokens minted by the sandbox's Kubernetes TokenRequest. Python comes from WIDASH_PYTHON.
final class BotocoreEndToEndTests: XCTestCase {
    func testBotocoreWithRealHostNames() async throws {
        try await runScenario(style: "hostname")
    }

    func testBotocoreWithTheSandboxAsAWSEndpointURL() async throws {
        try await runScenario(style: "loopback")
    }

    func runScenario(style: String) async throws {
        let python = ProcessInfo.processInfo.environment["WIDASH_PYTHON"] ?? "python3"
        try requirePythonModules(python, ["boto3", "botocore"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("widash-aws-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true, outputDirectory: directory.path)) {
            AWSSandbox.services(context: $0)
        }
        do {
            let result = try await exercise(server: server, python: python, style: style)
            await server.stop()
            try check(result, issuer: server.info.issuer)
        } catch {
            await server.stop()
            throw error
        }
    }

    func exercise(server: SandboxServer, python: String, style: String) async throws -> [String: Any] {
        let caFile = try XCTUnwrap(server.info.caFile)
        let port = try XCTUnwrap(URLComponents(string: server.info.apiServer)?.port)
        let kube = KubeTokenMinter(server: server)
        var env = ProcessInfo.processInfo.environment
        env["AWS_CA_BUNDLE"] = caFile
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        for name in ["AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                     "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] { env[name] = nil }
        env["AWS_CONFIG_FILE"] = "/dev/null"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        env["SANDBOX_PORT"] = String(port)
        env["SANDBOX_URL"] = server.info.awsEndpoint
        env["ENDPOINT_STYLE"] = style
        env["OPERATOR_KEY"] = AWSCredentialStore.operatorAccessKeyID
        env["OPERATOR_SECRET"] = AWSCredentialStore.operatorSecretAccessKey
        env["IRSA_OK_ROLE"] = DemoDirectory.irsaOKRoleARN
        env["IRSA_BAD_ROLE"] = DemoDirectory.irsaBadTrustRoleARN
        env["CLUSTER"] = DemoDirectory.eksClusterName
        env["IRSA_OK_TOKEN"] = try await kube.token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com")
        env["IRSA_BAD_TOKEN"] = try await kube.token(namespace: "aws", serviceAccount: "irsa-bad-trust", audience: "sts.amazonaws.com")
        env["PODID_TOKEN"] = try await kube.token(namespace: "aws", serviceAccount: "podid-ok", audience: "pods.eks.amazonaws.com")

        let output = try await PythonRunner.run(python, script: BotocoreScript.source, environment: env)
        guard output.status == 0 else {
            XCTFail("botocore script failed (exit \(output.status)):\n\(output.stderr.suffix(3000))")
            throw UnexpectedSuccess()
        }
        let line = output.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(output.stdout)")
    }

    func check(_ out: [String: Any], issuer: String) throws {
        let providerURL = AWSCatalog.providerURL(issuer: issuer)
        let providerArn = "arn:aws:iam::\(DemoDirectory.awsAccountID):oidc-provider/\(providerURL)"
        let assume = try XCTUnwrap(out["assume"] as? [String: Any])
        XCTAssertEqual(assume["subject"] as? String, "system:serviceaccount:aws:irsa-ok")
        XCTAssertEqual(assume["audience"] as? String, "sts.amazonaws.com")
        XCTAssertEqual(assume["provider"] as? String, providerArn)
        XCTAssertEqual(assume["arn"] as? String, "arn:aws:sts::111122223333:assumed-role/irsa-ok/botocore-e2e")
        XCTAssertEqual(assume["keyPrefix"] as? String, "ASIA")
        XCTAssertEqual(assume["expiresInFuture"] as? Bool, true)

        let bad = try XCTUnwrap(out["badTrust"] as? [String: Any])
        XCTAssertEqual(bad["code"] as? String, "AccessDenied")
        XCTAssertEqual(bad["message"] as? String, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        XCTAssertEqual(bad["status"] as? Int, 403)

        XCTAssertEqual(out["callerArn"] as? String, "arn:aws:sts::111122223333:assumed-role/irsa-ok/botocore-e2e")
        let tampered = try XCTUnwrap(out["tampered"] as? [String: Any])
        XCTAssertEqual(tampered["code"] as? String, "SignatureDoesNotMatch")
        XCTAssertEqual(tampered["status"] as? Int, 403)

        let roles = try XCTUnwrap(out["roles"] as? [String: [String: Any]])
        let badPolicy = try XCTUnwrap(roles["irsa-bad-trust"]?["policy"] as? [String: Any], "botocore did not decode the policy")
        let statement = try XCTUnwrap((badPolicy["Statement"] as? [[String: Any]])?.first)
        let equals = try XCTUnwrap((statement["Condition"] as? [String: Any])?["StringEquals"] as? [String: String])
        XCTAssertEqual(equals["\(providerURL):sub"], DemoDirectory.irsaBadTrustPolicySubject)
        XCTAssertEqual((statement["Principal"] as? [String: String])?["Federated"], providerArn)
        let okPolicy = try XCTUnwrap(roles["irsa-ok"]?["policy"] as? [String: Any])
        let okEquals = ((okPolicy["Statement"] as? [[String: Any]])?.first?["Condition"] as? [String: Any])?["StringEquals"] as? [String: String]
        XCTAssertEqual(okEquals?["\(providerURL):sub"], "system:serviceaccount:aws:irsa-ok")
        XCTAssertEqual(okEquals?["\(providerURL):aud"], "sts.amazonaws.com")

        XCTAssertEqual(out["providers"] as? [String], [providerArn])
        let provider = try XCTUnwrap(out["provider"] as? [String: Any])
        XCTAssertEqual(provider["url"] as? String, providerURL)
        XCTAssertEqual(provider["clientIDs"] as? [String], ["sts.amazonaws.com"])
        XCTAssertEqual(provider["thumbprints"] as? Int, 1)

        XCTAssertEqual((out["associations"] as? [[String]]).map(Set.init), [["aws", "podid-ok"], ["aws", "podid-with-role"], ["aws", "both-creds"], ["aws", "podid-late"]])
        XCTAssertEqual(out["associationRole"] as? String, DemoDirectory.podIdentityRoleARN)
        let pod = try XCTUnwrap(out["podIdentity"] as? [String: Any])
        XCTAssertEqual(pod["audience"] as? String, "pods.eks.amazonaws.com")
        XCTAssertEqual(pod["subject"] as? [String: String], ["namespace": "aws", "serviceAccount": "podid-ok"])
        XCTAssertEqual(pod["keyPrefix"] as? String, "ASIA")
        XCTAssertTrue((pod["arn"] as? String)?.hasPrefix("arn:aws:sts::111122223333:assumed-role/podid-ok/") == true)
    }

    func requirePythonModules(_ python: String, _ modules: [String]) throws {
        _ = try Peers.python(importing: modules)
    }
}

/// Mints service-account tokens the way a client does: TokenRequest over HTTPS with the kubeconfig's
/// admin bearer token, trusting the sandbox CA.
struct KubeTokenMinter {
    let server: SandboxServer

    func token(namespace: String, serviceAccount: String, audience: String) async throws -> String {
        let transport = CurlTransport(options: HTTPClientOptions(tls: TLSOptions(caPEM: Data(server.info.caPEM.utf8))), environment: [:])
        let adminToken = try XCTUnwrap(Self.bearerToken(inKubeconfig: server.kubeconfigYAML(user: .admin)), "no token in kubeconfig")
        let body = #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"audiences":["\#(audience)"],"expirationSeconds":3600}}"#
        let response = try await transport.send(HTTPRequest(
            method: "POST", url: "\(server.info.apiServer)/api/v1/namespaces/\(namespace)/serviceaccounts/\(serviceAccount)/token",
            headers: [("Authorization", "Bearer \(adminToken)"), ("Content-Type", "application/json"), ("Accept", "application/json")],
            body: Data(body.utf8)))
        XCTAssertEqual(response.status, 201, String(decoding: response.body, as: UTF8.self))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        return try XCTUnwrap((object["status"] as? [String: Any])?["token"] as? String)
    }

    /// The `token:` of the current context's user (the admin kubeconfig has it first).
    static func bearerToken(inKubeconfig yaml: String) -> String? {
        yaml.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("token:") && $0.contains("widash-admin-") }
            .map { String($0.dropFirst("token:".count)).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
    }
}

/// Runs a Python script and collects its output without blocking the test's executor.
enum PythonRunner {
    struct Output { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ python: String, script: String, environment: [String: String]) async throws -> Output {
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("widash-py-\(UUID().uuidString).err")
        defer { try? FileManager.default.removeItem(at: errURL) }
        guard FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errURL.path])
        }
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? errHandle.close() }
        let output: (Int32, Data) = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [python, "-c", script]
                process.environment = environment
                let out = Pipe()
                process.standardOutput = out
                // stderr goes to a file so a chatty process cannot block on a full pipe.
                process.standardError = errHandle
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, stdoutData))
            }
        }
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return Output(status: output.0, stdout: String(decoding: output.1, as: UTF8.self), stderr: stderr)
    }
}
