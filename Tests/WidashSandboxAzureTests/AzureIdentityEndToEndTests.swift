import Foundation
import WidashHTTP
import WidashSandbox
import WidashSandboxKit
import WidashTestPeers
import XCTest
@testable import WidashSandboxAzure

/// Real azure-identity (Python) against the running sandbox: a service-account token minted by the
/// sandbox's TokenRequest, exchanged at the emulated Entra over HTTPS with the real host name
/// (`login.microsoftonline.com` resolved to loopback inside the Python process), and the issued
/// access token verified by PyJWT against the JWKS Entra publishes.
final class AzureIdentityEndToEndTests: XCTestCase {
    struct Sandbox {
        let server: SandboxServer
        let directory: String
        var port: String { String(server.info.apiServer.split(separator: ":").last ?? "") }
        var caFile: String { server.info.caFile ?? "" }

        static func start() async throws -> Sandbox {
            let directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("widash-azure-e2e-\(UUID().uuidString)")
            let options = SandboxOptions(isStatic: true, outputDirectory: directory)
            let server = try await SandboxServer.start(options) { AzureSandbox.services(context: $0) }
            return Sandbox(server: server, directory: directory)
        }

        func stop() async {
            await server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// The admin token, read back from the kubeconfig the sandbox wrote.
        var adminToken: String {
            let text = (try? String(contentsOfFile: server.info.kubeconfig ?? "", encoding: .utf8)) ?? ""
            let line = text.split(separator: "\n").first { $0.contains("token:") && $0.contains("widash-admin-") }
            return line.flatMap { $0.split(separator: "\"").dropFirst().first }.map(String.init) ?? ""
        }

        /// libcurl trusting the sandbox CA, with the real host names routed to it (CONNECT_TO), as `--demo` does.
        var transport: CurlTransport {
            WidashHTTPRuntime.initialize()
            return CurlTransport(options: HTTPClientOptions(tls: TLSOptions(caPEM: Data(server.info.caPEM.utf8)),
                                                            connectTo: server.info.connectTo), environment: [:])
        }

        /// A TokenRequest over HTTPS, as `kubectl create token` does (bound to the pod of the same
        /// name when `boundToPod`); returns the service-account token.
        func mintToken(namespace: String, serviceAccount: String, boundToPod: Bool = false) async throws -> String {
            var spec: [String: Any] = ["audiences": [DemoDirectory.tokenExchangeAudience], "expirationSeconds": 3600]
            if boundToPod { spec["boundObjectRef"] = ["kind": "Pod", "apiVersion": "v1", "name": serviceAccount] }
            let body = try JSONSerialization.data(withJSONObject: [
                "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec,
            ])
            let response = try await transport.send(HTTPRequest(
                method: "POST", url: "\(server.info.apiServer)/api/v1/namespaces/\(namespace)/serviceaccounts/\(serviceAccount)/token",
                headers: [("Authorization", "Bearer \(adminToken)"), ("Content-Type", "application/json"), ("Accept", "application/json")],
                body: body))
            XCTAssertEqual(response.status, 201, String(decoding: response.body, as: UTF8.self))
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            return try XCTUnwrap((object?["status"] as? [String: Any])?["token"] as? String, "TokenRequest returned no token")
        }
    }

    static let script = #"""
import json, os, socket, sys
real_getaddrinfo = socket.getaddrinfo
def sandbox_getaddrinfo(host, *args, **kwargs):
    # The real host name stays in the URL, Host header and SNI; only the address is loopback.
    if host == "login.microsoftonline.com":
        host = "127.0.0.1"
    return real_getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = sandbox_getaddrinfo

import jwt, requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import WorkloadIdentityCredential

tenant, client_id, token_file, port = sys.argv[1:5]
authority = "https://login.microsoftonline.com:" + port
credential = WorkloadIdentityCredential(tenant_id=tenant, client_id=client_id, token_file_path=token_file, authority=authority)
try:
    token = credential.get_token("https://vault.azure.net/.default")
except ClientAuthenticationError as error:
    print(json.dumps({"ok": False, "message": error.message}))
    sys.exit(0)
keys = requests.get("%s/%s/discovery/v2.0/keys" % (authority, tenant), timeout=10).json()
kid = jwt.get_unverified_header(token.token)["kid"]
key = jwt.PyJWKSet.from_dict(keys)[kid]
claims = jwt.decode(token.token, key.key, algorithms=["RS256"], audience="https://vault.azure.net",
                    issuer="https://sts.windows.net/%s/" % tenant)
print(json.dumps({"ok": True, "appid": claims["appid"], "oid": claims["oid"], "aud": claims["aud"],
                  "expires_in": token.expires_on - claims["iat"]}))
"""#

    func python() throws -> String {
        try Peers.python(importing: ["azure.identity", "jwt", "requests"])
    }

    func run(_ python: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python.hasPrefix("/") ? python : "/usr/bin/env")
        process.arguments = (python.hasPrefix("/") ? [] : [python]) + arguments
        // No proxies: the sandbox is on loopback.
        process.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "NO_PROXY": "*"]
            .merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func exchange(_ sandbox: Sandbox, python: String, namespace: String, serviceAccount: String) async throws -> [String: Any] {
        let identity = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: namespace, serviceAccount: serviceAccount))
        let token = try await sandbox.mintToken(namespace: namespace, serviceAccount: serviceAccount)
        let tokenFile = (sandbox.directory as NSString).appendingPathComponent("\(namespace)-\(serviceAccount).token")
        try Data(token.utf8).write(to: URL(fileURLWithPath: tokenFile))
        let result = try run(python, ["-c", Self.script, DemoDirectory.tenantID, identity.clientID, tokenFile, sandbox.port],
                             environment: ["REQUESTS_CA_BUNDLE": sandbox.caFile, "SSL_CERT_FILE": sandbox.caFile])
        XCTAssertEqual(result.status, 0, result.stderr)
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                             "no JSON from Python: \(result.stdout) \(result.stderr)")
    }

    func testAzureIdentityGetsATokenForFrontendAndTheRealErrorForWrongSubject() async throws {
        let python = try python()
        let sandbox = try await Sandbox.start()
        do {
            let frontend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "frontend"))
            let ok = try await exchange(sandbox, python: python, namespace: "shop", serviceAccount: "frontend")
            XCTAssertEqual(ok["ok"] as? Bool, true, "\(ok)")
            XCTAssertEqual(ok["appid"] as? String, frontend.clientID)
            XCTAssertEqual(ok["oid"] as? String, frontend.objectID)
            XCTAssertEqual(ok["aud"] as? String, "https://vault.azure.net")
            XCTAssertEqual(ok["expires_in"] as? Int, 3599)

            let failed = try await exchange(sandbox, python: python, namespace: "broken", serviceAccount: "wrong-subject")
            XCTAssertEqual(failed["ok"] as? Bool, false, "\(failed)")
            let message = try XCTUnwrap(failed["message"] as? String)
            XCTAssertTrue(message.contains("(invalid_client) AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:broken:wrong-subject'."),
                          message)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    /// The demo's broken workloads through the real server: libcurl, TLS, Host routing, the issuer
    /// fetched by Entra over HTTPS from the sandbox's own Kubernetes API.
    func testDemoWorkloadsThroughTheServer() async throws {
        let sandbox = try await Sandbox.start()
        do {
            let http = sandbox.transport
            func exchange(_ ns: String, _ sa: String, scope: String) async throws -> (status: Int, body: [String: Any]) {
                let identity = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: ns, serviceAccount: sa))
                let token = try await sandbox.mintToken(namespace: ns, serviceAccount: sa, boundToPod: true)
                let form = FormCoding.encode([("grant_type", "client_credentials"), ("client_id", identity.clientID),
                                              ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                                              ("client_assertion", token), ("scope", scope)])
                let response = try await http.send(HTTPRequest(
                    method: "POST", url: "https://login.microsoftonline.com/\(DemoDirectory.tenantID)/oauth2/v2.0/token",
                    headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)))
                let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] ?? [:]
                return (response.status, body)
            }
            // Failure messages show the body without the access token.
            func shown(_ body: [String: Any]) -> String {
                "\(body.filter { $0.key != "access_token" })"
            }
            for (sa, code) in [("wrong-subject", 700213), ("wrong-issuer", 700211), ("wrong-audience", 700212)] {
                let result = try await exchange("broken", sa, scope: "https://vault.azure.net/.default")
                XCTAssertEqual(result.body["error_codes"] as? [Int], [code], "broken/\(sa): \(shown(result.body))")
            }
            // broken/stale-token's trust is fine: a fresh TokenRequest is accepted. Its failure
            // (AADSTS700024) is the expired file its kubelet stopped refreshing, read through
            // pods/exec (WidashSandboxTests/KubectlExecTests), and EntraTokenEndpointTests checks
            // Entra's verdict on expired assertions.
            let fresh = try await exchange("broken", "stale-token", scope: "https://vault.azure.net/.default")
            XCTAssertEqual(fresh.status, 200, "broken/stale-token with a fresh token: \(shown(fresh.body))")

            let noRole = try await exchange("broken", "no-role", scope: "https://vault.azure.net/.default")
            XCTAssertEqual(noRole.status, 200, shown(noRole.body))
            let frontend = try await exchange("shop", "frontend", scope: "https://vault.azure.net/.default")
            XCTAssertEqual(frontend.status, 200, shown(frontend.body))
            for (result, expected) in [(noRole, 403), (frontend, 200)] {
                let token = try XCTUnwrap(result.body["access_token"] as? String)
                let secret = try await http.send(HTTPRequest(
                    url: "https://\(DemoDirectory.keyVaultHost)/secrets/db-password?api-version=7.4",
                    headers: [("Authorization", "Bearer \(token)")]))
                XCTAssertEqual(secret.status, expected, String(decoding: secret.body, as: UTF8.self))
            }

            let backend = try await exchange("shop", "backend", scope: "https://management.azure.com/.default")
            let armToken = try XCTUnwrap(backend.body["access_token"] as? String)
            let identities = try await http.send(HTTPRequest(
                url: "https://management.azure.com/subscriptions/\(DemoDirectory.subscriptionID)/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2024-11-30",
                headers: [("Authorization", "Bearer \(armToken)")]))
            XCTAssertEqual(identities.status, 200, String(decoding: identities.body, as: UTF8.self))
            XCTAssertTrue(String(decoding: identities.body, as: UTF8.self).contains("id-shop-backend"))
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}
