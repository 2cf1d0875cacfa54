import Foundation
import Synchronization
import WidashHTTP
import XCTest
@testable import WidashKube

/// Exec credential plugins, run for real: small shell scripts written to a temp folder.
final class ExecPluginTests: XCTestCase {
    /// A plugin that records its environment and arguments, counts its runs, and prints a credential.
    private func writePlugin(in dir: TempDir, apiVersion: String, expiration: String?, token: String = "exec-token-0123456789") throws -> String {
        let expirationField = expiration.map { #","expirationTimestamp":"\#($0)""# } ?? ""
        return try dir.write("plugin.sh", """
            #!/bin/sh
            echo run >> "\(dir.path)/runs"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(dir.path)/exec-info.json"
            printf '%s|%s|%s' "$PLUGIN_TENANT" "$1" "$2" > "\(dir.path)/seen"
            cat <<JSON
            {"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"\(token)"\(expirationField)}}
            JSON
            """, executable: true)
    }

    private func runs(_ dir: TempDir) -> Int {
        ((try? String(contentsOfFile: dir.path + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    private func config(command: String, apiVersion: String, provideClusterInfo: Bool, ca: Data? = nil) -> ResolvedKubeConfig {
        let exec = ExecConfig(command: command, args: ["get-token", "--server-id=abc"],
                              env: [ExecEnvVar(name: "PLUGIN_TENANT", value: "tenant-42")],
                              apiVersion: apiVersion, provideClusterInfo: provideClusterInfo, interactiveMode: "IfAvailable")
        return ResolvedKubeConfig(contextName: "aks", clusterName: "aks", userName: "clusterUser", server: testServer,
                                  tls: TLSOptions(caPEM: ca, serverName: "api.internal"), auth: .exec(exec))
    }

    func testV1PluginGetsArgsEnvAndExecInfoWithCluster() async throws {
        let pki = try TestPKI.make()
        let dir = try TempDir()
        let plugin = try writePlugin(in: dir, apiVersion: ExecCredentialAPI.v1, expiration: "2999-01-01T00:00:00Z")
        let config = config(command: plugin, apiVersion: ExecCredentialAPI.v1, provideClusterInfo: true, ca: Data(pki.caPEM.utf8))
        let provider = KubeCredentialsProvider(config: config, plugin: ExecCredentialPlugin(baseEnvironment: ["PATH": "/usr/bin:/bin"]))
        let credentials = try await provider.current()
        XCTAssertEqual(credentials.authorization, "Bearer exec-token-0123456789")
        XCTAssertEqual(try String(contentsOfFile: dir.path + "/seen", encoding: .utf8), "tenant-42|get-token|--server-id=abc")

        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/exec-info.json"))) as? [String: Any]
        XCTAssertEqual(info?["apiVersion"] as? String, ExecCredentialAPI.v1)
        XCTAssertEqual(info?["kind"] as? String, "ExecCredential")
        let spec = try XCTUnwrap(info?["spec"] as? [String: Any])
        XCTAssertEqual(spec["interactive"] as? Bool, false)
        let cluster = try XCTUnwrap(spec["cluster"] as? [String: Any])
        XCTAssertEqual(cluster["server"] as? String, testServer)
        XCTAssertEqual(cluster["tls-server-name"] as? String, "api.internal")
        XCTAssertEqual(cluster["certificate-authority-data"] as? String, Data(pki.caPEM.utf8).base64EncodedString())
    }

    func testV1beta1PluginWithoutClusterInfo() async throws {
        let dir = try TempDir()
        let plugin = try writePlugin(in: dir, apiVersion: ExecCredentialAPI.v1beta1, expiration: nil)
        let provider = KubeCredentialsProvider(config: config(command: plugin, apiVersion: ExecCredentialAPI.v1beta1, provideClusterInfo: false),
                                               plugin: ExecCredentialPlugin(baseEnvironment: [:]))
        let credentials = try await provider.current()
        XCTAssertEqual(credentials.authorization, "Bearer exec-token-0123456789")
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/exec-info.json"))) as? [String: Any]
        XCTAssertEqual(info?["apiVersion"] as? String, ExecCredentialAPI.v1beta1)
        let spec = try XCTUnwrap(info?["spec"] as? [String: Any])
        XCTAssertNil(spec["cluster"], "no cluster info unless provideClusterInfo")
        XCTAssertEqual(spec["interactive"] as? Bool, false)
    }

    func testCredentialIsCachedUntilExpiry() async throws {
        let dir = try TempDir()
        let plugin = try writePlugin(in: dir, apiVersion: ExecCredentialAPI.v1, expiration: "2030-01-01T00:00:00Z")
        let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000)) // 2027
        let provider = KubeCredentialsProvider(config: config(command: plugin, apiVersion: ExecCredentialAPI.v1, provideClusterInfo: false),
                                               plugin: ExecCredentialPlugin(baseEnvironment: [:]),
                                               now: { clock.withLock { $0 } })
        for _ in 0..<3 { _ = try await provider.current() }
        XCTAssertEqual(runs(dir), 1, "cached while not expired")
        clock.withLock { $0 = Date(timeIntervalSince1970: 1_900_000_000) } // 2030-03: past the expiry
        _ = try await provider.current()
        XCTAssertEqual(runs(dir), 2, "run again once expired")
    }

    func testPluginRunsAgainOnceAfter401() async throws {
        let dir = try TempDir()
        let plugin = try writePlugin(in: dir, apiVersion: ExecCredentialAPI.v1, expiration: nil)
        let transport = FakeTransport { request, index in
            index == 0 ? json(statusJSON(code: 401, reason: "Unauthorized", message: "Unauthorized"), status: 401)
                       : json(#"{"major":"1","minor":"32"}"#)
        }
        let client = KubeClient(config: config(command: plugin, apiVersion: ExecCredentialAPI.v1, provideClusterInfo: false),
                                options: KubeClientOptions(execEnvironment: [:]), transportFactory: { _ in transport })
        _ = try await client.serverVersion()
        XCTAssertEqual(transport.requests.count, 2)
        XCTAssertEqual(runs(dir), 2, "the 401 dropped the cached credential and the plugin ran again")

        // A second 401 in a row is reported, not looped on.
        let always401 = FakeTransport { _, _ in json(statusJSON(code: 401, reason: "Unauthorized", message: "Unauthorized"), status: 401) }
        let failing = KubeClient(config: config(command: plugin, apiVersion: ExecCredentialAPI.v1, provideClusterInfo: false),
                                 options: KubeClientOptions(execEnvironment: [:]), transportFactory: { _ in always401 })
        do {
            _ = try await failing.serverVersion()
            XCTFail("expected 401")
        } catch let error as KubeAPIError {
            XCTAssertEqual(always401.requests.count, 2)
            XCTAssertEqual(error.description, "unauthorized (401) on GET /version: check the credentials of user \"clusterUser\" (expired token or certificate? log in again) (server: Unauthorized)")
        }
    }

    func testPluginClientCertificateIsValidatedAndUsed() async throws {
        let pki = try TestPKI.make()
        let dir = try TempDir()
        let output: [String: Any] = ["apiVersion": ExecCredentialAPI.v1, "kind": "ExecCredential",
                                     "status": ["clientCertificateData": pki.clientCertificatePEM, "clientKeyData": pki.clientKeyPEM]]
        try dir.write("out.json", String(decoding: try JSONSerialization.data(withJSONObject: output), as: UTF8.self))
        let plugin = try dir.write("cert.sh", "#!/bin/sh\ncat \"\(dir.path)/out.json\"\n", executable: true)
        let seen = Mutex<[HTTPClientOptions]>([])
        let transport = FakeTransport { _, _ in json(#"{"major":"1"}"#) }
        let client = KubeClient(config: config(command: plugin, apiVersion: ExecCredentialAPI.v1, provideClusterInfo: false),
                                options: KubeClientOptions(execEnvironment: [:]),
                                transportFactory: { options in seen.withLock { $0.append(options) }; return transport })
        _ = try await client.serverVersion()
        XCTAssertEqual(seen.withLock { $0.first?.tls.clientCertificatePEM }, Data(pki.clientCertificatePEM.utf8))
        XCTAssertNil(header(transport.requests[0], "Authorization"))
    }

    func testOutputParsing() throws {
        func parse(_ text: String) -> String {
            do {
                _ = try ExecCredentialPlugin.parse(Data(text.utf8), expectedAPIVersion: ExecCredentialAPI.v1, command: "p", stderrTail: "")
                return "ok"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(parse(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}"#), "ok")
        XCTAssertEqual(parse(""), "exec credential plugin \"p\" printed something that is not an ExecCredential (no output): check the plugin version and apiVersion")
        XCTAssertEqual(parse(#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"secret-token-value"}}"#),
                       "exec credential plugin \"p\" printed something that is not an ExecCredential (apiVersion \"client.authentication.k8s.io/v1beta1\" but the kubeconfig asks for client.authentication.k8s.io/v1): check the plugin version and apiVersion")
        XCTAssertEqual(parse(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#),
                       "exec credential plugin \"p\" printed something that is not an ExecCredential (status has neither token nor clientCertificateData): check the plugin version and apiVersion")
        XCTAssertEqual(parse(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"tomorrow"}}"#),
                       "exec credential plugin \"p\" printed something that is not an ExecCredential (expirationTimestamp \"tomorrow\" is not RFC 3339): check the plugin version and apiVersion")
        XCTAssertEqual(parse(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":42}}"#),
                       "exec credential plugin \"p\" printed something that is not an ExecCredential (JSON with unexpected field types): check the plugin version and apiVersion")
    }

    func testInteractiveAlwaysIsRefused() async throws {
        let exec = ExecConfig(command: "/bin/true", apiVersion: ExecCredentialAPI.v1, interactiveMode: "Always")
        let config = ResolvedKubeConfig(contextName: "c", clusterName: "c", userName: "u", server: testServer, auth: .exec(exec))
        do {
            _ = try await ExecCredentialPlugin(baseEnvironment: [:]).run(exec, cluster: config)
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual("\(error)", "exec credential plugin \"/bin/true\" requires an interactive terminal (interactiveMode: Always): log in with it in a shell first")
        }
    }
}
