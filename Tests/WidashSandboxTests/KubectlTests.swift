import Foundation
import WidashSandbox
import WidashTestPeers
import XCTest

/// Real kubectl against the in-process sandbox (demo scenario, static).
final class KubectlTests: XCTestCase {
    var fixture: SandboxFixture?

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

    func testGetNamespacesListsTheDemoNamespaces() throws {
        let result = try sandbox().kubectl(["get", "ns"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let names = Set(result.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) })
        XCTAssertTrue(["shop", "broken", "aws", "legacy", "gcp", "default", "kube-system"].allSatisfy(names.contains), result.stdout)
    }

    func testGetServiceAccountsInAllNamespaces() throws {
        let result = try sandbox().kubectl(["get", "sa", "-A"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for pair in [("shop", "frontend"), ("broken", "wrong-subject"), ("aws", "irsa-ok"), ("gcp", "gke-ok"), ("broken", "no-client-id")] {
            XCTAssertTrue(result.stdout.split(separator: "\n").contains { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return fields.count >= 2 && fields[0] == pair.0 && fields[1] == pair.1
            }, "missing \(pair) in:\n\(result.stdout)")
        }
    }

    func testGetPodsAsJSONHasEveryDemoPodAsTheWebhooksLeftIt() throws {
        let result = try sandbox().kubectl(["get", "pods", "-A", "-o", "json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let list = try XCTUnwrap(jsonObject(result.stdout))
        let items = try XCTUnwrap(list["items"] as? [[String: Any]])
        var pods: [String: [String: Any]] = [:]
        for item in items {
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            pods["\(metadata["namespace"] ?? "")/\(metadata["name"] ?? "")"] = item
        }
        let expected: Set<String> = ["shop/frontend", "shop/backend", "broken/wrong-subject", "broken/wrong-issuer",
                                     "broken/wrong-audience", "broken/no-label", "broken/no-client-id", "broken/no-role",
                                     "broken/stale-token", "broken/static-secret", "aws/irsa-ok", "aws/irsa-bad-trust",
                                     "aws/podid-ok", "aws/podid-with-role", "aws/both-creds", "aws/static-keys", "aws/podid-late",
                                     "shop/checkout", "kube-system/node-reporter", "gcp/gke-ok", "legacy/legacy-app"]
        XCTAssertEqual(Set(pods.keys), expected)

        func env(_ key: String) -> [String: String] {
            let spec = pods[key]?["spec"] as? [String: Any]
            let container = (spec?["containers"] as? [[String: Any]])?.first
            var out: [String: String] = [:]
            for variable in container?["env"] as? [[String: Any]] ?? [] {
                if let name = variable["name"] as? String, let value = variable["value"] as? String { out[name] = value }
            }
            return out
        }
        func labels(_ key: String) -> [String: String] {
            ((pods[key]?["metadata"] as? [String: Any])?["labels"] as? [String: String]) ?? [:]
        }
        // azure-workload-identity v1.6 layout; shop/backend predates the upgrade (v1.5 layout).
        XCTAssertEqual(env("shop/frontend")["AZURE_FEDERATED_TOKEN_FILE"], "/var/run/secrets/azure/wi/token/azure-identity-token")
        XCTAssertEqual(env("shop/backend")["AZURE_FEDERATED_TOKEN_FILE"], "/var/run/secrets/azure/tokens/azure-identity-token")
        XCTAssertEqual(env("shop/frontend")["AZURE_AUTHORITY_HOST"], "https://login.microsoftonline.com/")
        XCTAssertNotNil(env("shop/frontend")["AZURE_CLIENT_ID"])
        XCTAssertEqual(labels("shop/frontend")["azure.workload.identity/use"], "true")
        XCTAssertNil(env("broken/no-label")["AZURE_TENANT_ID"], "an unlabelled pod is not mutated")
        XCTAssertNil(labels("broken/no-label")["azure.workload.identity/use"])
        XCTAssertNil(env("broken/no-client-id")["AZURE_CLIENT_ID"])
        XCTAssertNotNil(env("broken/no-client-id")["AZURE_TENANT_ID"], "labelled, so mutated, just without a client id")
        XCTAssertEqual(env("aws/irsa-ok")["AWS_WEB_IDENTITY_TOKEN_FILE"], "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
        XCTAssertEqual(env("aws/irsa-ok")["AWS_STS_REGIONAL_ENDPOINTS"], "regional")
        XCTAssertEqual(env("aws/podid-ok")["AWS_CONTAINER_CREDENTIALS_FULL_URI"], "http://169.254.170.23/v1/credentials")
        XCTAssertEqual(labels("legacy/legacy-app")["aadpodidbinding"], "legacy-app")

        let volumes = ((pods["shop/frontend"]?["spec"] as? [String: Any])?["volumes"] as? [[String: Any]]) ?? []
        let azureVolume = try XCTUnwrap(volumes.first { ($0["name"] as? String)?.hasPrefix("azure-workload-identity-reserved-") == true })
        XCTAssertEqual((azureVolume["name"] as? String)?.count, 63, "prefix plus 30 hex characters of the pod name's sha256")
        let projection = (((azureVolume["projected"] as? [String: Any])?["sources"] as? [[String: Any]])?.first?["serviceAccountToken"]) as? [String: Any]
        XCTAssertEqual(projection?["audience"] as? String, "api://AzureADTokenExchange")
        XCTAssertEqual(projection?["expirationSeconds"] as? Int, 3600)
        XCTAssertEqual(projection?["path"] as? String, "token/azure-identity-token")
    }

    func testWatchSeesAChange() async throws {
        let sandbox = try sandbox()
        let kubectl = try Peers.kubectl()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["--kubeconfig", sandbox.kubeconfig, "--cache-dir", sandbox.directory + "/kube-cache",
                             "get", "pods", "-n", "shop", "-w"]
        process.environment = ["HOME": sandbox.directory, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        let output = OutputCollector()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { output.append($0.availableData) }
        try process.run()
        defer {
            process.terminate()
            pipe.fileHandleForReading.readabilityHandler = nil
        }
        let watching = await TestProcess.waitUntil(timeout: 15) {
            let watches = await sandbox.server.openWatchCount()
            return output.text.contains("backend") && watches > 0
        }
        XCTAssertTrue(watching, "kubectl did not list and start watching:\n\(output.text)")
        let linesBefore = output.text.split(separator: "\n").count
        let change = try await sandbox.server.triggerMovement()
        XCTAssertTrue(change.contains("backend"), change)
        let sawChange = await TestProcess.waitUntil(timeout: 15) {
            let lines = output.text.split(separator: "\n")
            return lines.count > linesBefore && lines.dropFirst(linesBefore).contains { $0.contains("backend") }
        }
        XCTAssertTrue(sawChange, "kubectl -w printed no change:\n\(output.text)")
    }

    func testCreateTokenReturnsABoundServiceAccountJWT() throws {
        let sandbox = try sandbox()
        let result = try sandbox.kubectl(["create", "token", "frontend", "-n", "shop", "--audience", "api://AzureADTokenExchange",
                                          "--duration", "1h"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let claims = try XCTUnwrap(jwtClaims(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(claims["sub"] as? String, "system:serviceaccount:shop:frontend")
        XCTAssertEqual(claims["aud"] as? [String], ["api://AzureADTokenExchange"])
        XCTAssertEqual(claims["iss"] as? String, sandbox.server.info.issuer)
        let iat = try XCTUnwrap(claims["iat"] as? Int), exp = try XCTUnwrap(claims["exp"] as? Int)
        XCTAssertEqual(exp - iat, 3600)
        let kubernetes = try XCTUnwrap(claims["kubernetes.io"] as? [String: Any])
        XCTAssertEqual(kubernetes["namespace"] as? String, "shop")
        XCTAssertEqual((kubernetes["serviceaccount"] as? [String: Any])?["name"] as? String, "frontend")
    }

    func testCreateTokenBoundToThePodCarriesPodAndNodeClaims() throws {
        let sandbox = try sandbox()
        let pod = try XCTUnwrap(jsonObject(try sandbox.kubectl(["get", "pod", "frontend", "-n", "shop", "-o", "json"]).stdout))
        let uid = try XCTUnwrap((pod["metadata"] as? [String: Any])?["uid"] as? String)
        let result = try sandbox.kubectl(["create", "token", "frontend", "-n", "shop", "--audience", "api://AzureADTokenExchange",
                                          "--bound-object-kind", "Pod", "--bound-object-name", "frontend", "--bound-object-uid", uid])
        XCTAssertEqual(result.status, 0, result.stderr)
        let claims = try XCTUnwrap(jwtClaims(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let kubernetes = try XCTUnwrap(claims["kubernetes.io"] as? [String: Any])
        XCTAssertEqual((kubernetes["pod"] as? [String: Any])?["uid"] as? String, uid)
        XCTAssertNotNil((kubernetes["node"] as? [String: Any])?["name"] as? String)

        let wrongUID = try sandbox.kubectl(["create", "token", "frontend", "-n", "shop", "--bound-object-kind", "Pod",
                                            "--bound-object-name", "frontend", "--bound-object-uid", "00000000-0000-0000-0000-000000000000"])
        XCTAssertNotEqual(wrongUID.status, 0)
        XCTAssertTrue(wrongUID.stderr.contains("does not match the UID in record"), wrongUID.stderr)

        let tooShort = try sandbox.kubectl(["create", "token", "frontend", "-n", "shop", "--duration", "5m"])
        XCTAssertNotEqual(tooShort.status, 0)
        XCTAssertTrue(tooShort.stderr.contains("may not specify a duration less than 10 minutes"), tooShort.stderr)
    }

    func testLimitedUserIsForbiddenToCreateTokens() throws {
        let sandbox = try sandbox()
        let result = try sandbox.kubectl(["create", "token", "frontend", "-n", "shop"], context: sandbox.server.info.viewerContext)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains(
            "serviceaccounts \"frontend\" is forbidden: User \"system:serviceaccount:widash:viewer\" cannot create resource \"serviceaccounts/token\" in API group \"\" in the namespace \"shop\""),
            result.stderr)
        // The same user may still read.
        let read = try sandbox.kubectl(["get", "sa", "-n", "shop"], context: sandbox.server.info.viewerContext)
        XCTAssertEqual(read.status, 0, read.stderr)
    }

    func testIssuerDiscoveryAndJWKS() throws {
        let sandbox = try sandbox()
        let discovery = try sandbox.kubectl(["get", "--raw", "/.well-known/openid-configuration"])
        XCTAssertEqual(discovery.status, 0, discovery.stderr)
        let document = try XCTUnwrap(jsonObject(discovery.stdout))
        XCTAssertEqual(document["issuer"] as? String, sandbox.server.info.issuer)
        XCTAssertFalse(sandbox.server.info.issuer.hasSuffix("/"))
        XCTAssertEqual(document["jwks_uri"] as? String, sandbox.server.info.issuer + "/openid/v1/jwks")

        let jwks = try sandbox.kubectl(["get", "--raw", "/openid/v1/jwks"])
        XCTAssertEqual(jwks.status, 0, jwks.stderr)
        let keys = try XCTUnwrap(jsonObject(jwks.stdout)?["keys"] as? [[String: Any]])
        XCTAssertEqual(keys.first?["kty"] as? String, "RSA")
        XCTAssertEqual(keys.first?["alg"] as? String, "RS256")
        XCTAssertNotNil(keys.first?["kid"] as? String)
    }

    func testUnknownTokenGets401Status() throws {
        let sandbox = try sandbox()
        let result = try sandbox.curl(["-H", "Authorization: Bearer not-a-token", "-w", "\n%{http_code}",
                                       sandbox.server.info.apiServer + "/api/v1/namespaces"])
        XCTAssertTrue(result.stdout.hasSuffix("\n401"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"reason\":\"Unauthorized\""), result.stdout)
    }

    func testMissingPodGets404StatusAndAADPodIdentityObjectsAreServed() throws {
        let sandbox = try sandbox()
        let missing = try sandbox.kubectl(["get", "pod", "nope", "-n", "shop"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("pods \"nope\" not found"), missing.stderr)

        let bindings = try sandbox.kubectl(["get", "azureidentitybindings", "-n", "legacy", "-o", "json"])
        XCTAssertEqual(bindings.status, 0, bindings.stderr)
        XCTAssertTrue(bindings.stdout.contains("\"selector\": \"legacy-app\""), bindings.stdout)

        let webhooks = try sandbox.kubectl(["get", "mutatingwebhookconfigurations", "-o", "json"])
        XCTAssertEqual(webhooks.status, 0, webhooks.stderr)
        XCTAssertTrue(webhooks.stdout.contains("azure-wi-webhook-mutating-webhook-configuration"))
        XCTAssertTrue(webhooks.stdout.contains("\"failurePolicy\": \"Fail\""))
        XCTAssertTrue(webhooks.stdout.contains("\"failurePolicy\": \"Ignore\""))
    }
}
