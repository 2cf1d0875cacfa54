import Foundation
import Synchronization
import WidashHTTP
import XCTest
@testable import WidashKube

final class AuthMethodTests: XCTestCase {
    private func resolve(_ userBody: String, in dir: TempDir) throws -> ResolvedKubeConfig {
        let file = try dir.write("kubeconfig", simpleKubeconfig(userBody: userBody))
        return try KubeConfigLoader(environment: testEnvironment()).load(KubeConfigOptions(kubeconfigPath: file))
    }

    private func okTransport() -> FakeTransport {
        FakeTransport { _, _ in json(#"{"major":"1","minor":"32","gitVersion":"v1.32.0"}"#) }
    }

    func testBearerTokenIsSentAsHeader() async throws {
        let dir = try TempDir()
        let config = try resolve("    token: static-token-0123456789", in: dir)
        let transport = okTransport()
        let client = KubeClient(config: config, transportFactory: { _ in transport })
        let version = try await client.serverVersion()
        XCTAssertEqual(version.gitVersion, "v1.32.0")
        XCTAssertEqual(header(transport.requests[0], "Authorization"), "Bearer static-token-0123456789")
        XCTAssertEqual(transport.requests[0].url, "https://dev.example:6443/version")
    }

    func testTokenFileIsReReadWhenItChanges() async throws {
        let dir = try TempDir()
        let tokenPath = try dir.write("token", "first-token-aaaaaaaaaa\n")
        let config = try resolve("    tokenFile: token", in: dir)
        XCTAssertEqual(config.auth, .tokenFile(path: tokenPath))
        let provider = KubeCredentialsProvider(config: config)
        let first = try await provider.current()
        XCTAssertEqual(first.authorization, "Bearer first-token-aaaaaaaaaa")
        // A rotated token (new size and mtime) is picked up without any 401.
        try Data("second-token-bbbbbbbbbbbb".utf8).write(to: URL(fileURLWithPath: tokenPath))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: tokenPath)
        let second = try await provider.current()
        XCTAssertEqual(second.authorization, "Bearer second-token-bbbbbbbbbbbb")
    }

    func testTokenFileIsCachedWhileUnchanged() async throws {
        let reads = Mutex(0)
        let stamp = FileStamp(modified: Date(timeIntervalSince1970: 1000), size: 5)
        let fs = KubeFileSystem(read: { _ in reads.withLock { $0 += 1 }; return Data("tok-1".utf8) },
                                exists: { _ in true }, stamp: { _ in stamp })
        let config = ResolvedKubeConfig(contextName: "c", clusterName: "c", userName: "u", server: testServer,
                                        auth: .tokenFile(path: "/t"))
        let provider = KubeCredentialsProvider(config: config, fileSystem: fs)
        for _ in 0..<3 { _ = try await provider.current() }
        XCTAssertEqual(reads.withLock { $0 }, 1)
        let refreshable = await provider.invalidate()
        XCTAssertTrue(refreshable, "a token file can be re-read after a 401")
        _ = try await provider.current()
        XCTAssertEqual(reads.withLock { $0 }, 2)
    }

    func testMissingTokenFileIsAClearError() async throws {
        let config = ResolvedKubeConfig(contextName: "c", clusterName: "c", userName: "u", server: testServer,
                                        auth: .tokenFile(path: "/nonexistent/token"))
        do {
            _ = try await KubeCredentialsProvider(config: config).current()
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual("\(error)", "cannot read token file /nonexistent/token (No such file or directory): check tokenFile in the kubeconfig")
        }
    }

    func testClientCertificateGoesToTheTransportOptions() async throws {
        let pki = try TestPKI.make()
        let dir = try TempDir()
        try dir.write("c.crt", pki.clientCertificatePEM)
        try dir.write("c.key", pki.clientKeyPEM)
        let config = try resolve("    client-certificate: c.crt\n    client-key: c.key", in: dir)
        let seen = Mutex<[HTTPClientOptions]>([])
        let transport = okTransport()
        let client = KubeClient(config: config, transportFactory: { options in
            seen.withLock { $0.append(options) }
            return transport
        })
        _ = try await client.serverVersion()
        _ = try await client.serverVersion()
        let options = seen.withLock { $0 }
        XCTAssertEqual(options.count, 1, "one transport is reused for identical options")
        XCTAssertEqual(options.first?.tls.clientCertificatePEM, Data(pki.clientCertificatePEM.utf8))
        XCTAssertEqual(options.first?.tls.clientKeyPEM, Data(pki.clientKeyPEM.utf8))
        XCTAssertNil(header(transport.requests[0], "Authorization"))
    }

    func testBasicAuthIsSupported() async throws {
        let dir = try TempDir()
        let config = try resolve("    username: admin\n    password: s3cret", in: dir)
        XCTAssertEqual(config.auth.description, "basic auth as admin")
        let credentials = try await KubeCredentialsProvider(config: config).current()
        XCTAssertEqual(credentials.authorization, "Basic " + base64("admin:s3cret"))
        XCTAssertFalse(credentials.description.contains("YWRtaW"), "descriptions never show the secret")
    }

    func testTokenTakesPrecedenceOverExec() throws {
        let dir = try TempDir()
        let config = try resolve("    token: tok-0123456789abc\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: kubelogin", in: dir)
        XCTAssertEqual(config.auth, .token("tok-0123456789abc"))
        XCTAssertEqual(config.auth.description, "token", "the description never holds the token")
    }

    func testAnonymousUserWhenContextHasNoUser() throws {
        let dir = try TempDir()
        let file = try dir.write("k", """
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:8080"}}]
            contexts: [{name: c, context: {cluster: k}}]
            current-context: c
            """)
        let config = try KubeConfigLoader(environment: testEnvironment()).load(KubeConfigOptions(kubeconfigPath: file))
        XCTAssertEqual(config.auth, KubeAuth.none)
        XCTAssertEqual(config.authSummary, "anonymous")
        XCTAssertEqual(config.userName, "")
    }

    // MARK: - In-cluster

    func testInClusterConfig() async throws {
        let pki = try TestPKI.make()
        let dir = try TempDir()
        try dir.write("sa/token", "in-cluster-token-0123456789")
        try dir.write("sa/ca.crt", pki.caPEM)
        try dir.write("sa/namespace", "shop\n")
        let env = testEnvironment(["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        let config = try InClusterConfig(environment: env, directory: dir.path + "/sa").resolve()
        XCTAssertEqual(config.server, "https://10.0.0.1:443")
        XCTAssertEqual(config.namespace, "shop")
        XCTAssertEqual(config.tls.caPEM, Data(pki.caPEM.utf8))
        XCTAssertEqual(config.auth, .tokenFile(path: dir.path + "/sa/token"))
        XCTAssertTrue(config.isInCluster)
        let credentials = try await KubeCredentialsProvider(config: config).current()
        XCTAssertEqual(credentials.authorization, "Bearer in-cluster-token-0123456789")
        XCTAssertEqual(try InClusterConfig(environment: env, directory: dir.path + "/sa").resolve(namespaceOverride: "other").namespace, "other")
    }

    func testInClusterIPv6HostIsBracketed() throws {
        let dir = try TempDir()
        try dir.write("token", "t")
        let env = testEnvironment(["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"])
        let config = try InClusterConfig(environment: env, directory: dir.path).resolve()
        XCTAssertEqual(config.server, "https://[fd00::1]:6443")
        XCTAssertEqual(config.namespace, "default")
    }

    func testLoaderFallsBackToInClusterWithoutKubeconfig() throws {
        let dir = try TempDir()
        let env = testEnvironment(["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"], home: dir.path)
        // The default directory does not exist here, so the fallback reports the missing token.
        XCTAssertThrowsError(try KubeConfigLoader(environment: env).load()) { error in
            XCTAssertTrue("\(error)".hasPrefix("in-cluster configuration unavailable: cannot read the service-account token /var/run/secrets/kubernetes.io/serviceaccount/token"), "\(error)")
        }
    }

    func testNotInCluster() {
        XCTAssertThrowsError(try InClusterConfig(environment: testEnvironment()).resolve()) { error in
            XCTAssertEqual("\(error)", "in-cluster configuration unavailable: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set (they are inside a pod)")
        }
    }
}
