import Foundation
import WidashHTTP
import XCTest
@testable import WidashKube

final class KubeConfigLoaderTests: XCTestCase {
    func testHomeConfigIsUsedWithoutKubeconfigOrEnv() throws {
        let dir = try TempDir()
        try dir.write(".kube/config", simpleKubeconfig(namespace: "shop"))
        let resolved = try KubeConfigLoader(environment: testEnvironment(home: dir.path)).load()
        XCTAssertEqual(resolved.contextName, "dev")
        XCTAssertEqual(resolved.clusterName, "dev-cluster")
        XCTAssertEqual(resolved.userName, "dev-user")
        XCTAssertEqual(resolved.server, "https://dev.example:6443")
        XCTAssertEqual(resolved.namespace, "shop")
        XCTAssertEqual(resolved.auth, .token("dev-token-abcdefghijkl"))
        XCTAssertEqual(resolved.sourceFiles, [dir.path + "/.kube/config"])
    }

    func testExplicitKubeconfigBeatsEnvAndHome() throws {
        let dir = try TempDir()
        try dir.write(".kube/config", simpleKubeconfig(context: "home"))
        let env = try dir.write("env.yaml", simpleKubeconfig(context: "env"))
        let explicit = try dir.write("explicit.yaml", simpleKubeconfig(context: "explicit"))
        let loader = KubeConfigLoader(environment: testEnvironment(["KUBECONFIG": env], home: dir.path))
        XCTAssertEqual(try loader.load(KubeConfigOptions(kubeconfigPath: explicit)).contextName, "explicit")
        XCTAssertEqual(try loader.load().contextName, "env")
    }

    func testKubeconfigListMergesFirstFileWins() throws {
        let dir = try TempDir()
        let first = try dir.write("a.yaml", """
            clusters:
            - name: shared
              cluster: {server: "https://first.example"}
            users:
            - name: u1
              user: {token: first-token-123456}
            contexts:
            - name: c1
              context: {cluster: shared, user: u1, namespace: first-ns}
            """)
        let second = try dir.write("b.yaml", """
            clusters:
            - name: shared
              cluster: {server: "https://second.example"}
            - name: only-second
              cluster: {server: "https://only-second.example"}
            users:
            - name: u1
              user: {token: second-token-123456}
            contexts:
            - name: c1
              context: {cluster: only-second, user: u1}
            - name: c2
              context: {cluster: only-second, user: u1}
            current-context: c2
            """)
        let loader = KubeConfigLoader(environment: testEnvironment(["KUBECONFIG": "\(first):\(dir.path)/missing.yaml:\(second)"]))
        // current-context comes from the first file that sets it (the second here).
        let current = try loader.load()
        XCTAssertEqual(current.contextName, "c2")
        XCTAssertEqual(current.server, "https://only-second.example")
        XCTAssertEqual(current.auth, .token("first-token-123456"), "user u1 comes from the first file")
        XCTAssertEqual(current.contextNames, ["c1", "c2"])
        XCTAssertEqual(current.sourceFiles, [first, second])

        let c1 = try loader.load(KubeConfigOptions(context: "c1"))
        XCTAssertEqual(c1.server, "https://first.example", "context c1 and cluster shared come from the first file")
        XCTAssertEqual(c1.namespace, "first-ns")
        XCTAssertEqual(try loader.load(KubeConfigOptions(context: "c1", namespace: "override")).namespace, "override")
    }

    func testCurrentContextFromFirstFileThatSetsIt() throws {
        let dir = try TempDir()
        let a = try dir.write("a.yaml", simpleKubeconfig(context: "a", cluster: "ca", user: "ua"))
        let b = try dir.write("b.yaml", simpleKubeconfig(context: "b", cluster: "cb", user: "ub"))
        let loader = KubeConfigLoader(environment: testEnvironment(["KUBECONFIG": "\(b):\(a)"]))
        XCTAssertEqual(try loader.load().contextName, "b")
    }

    func testNamespaceDefaultsToDefault() throws {
        let dir = try TempDir()
        let file = try dir.write("c.yaml", simpleKubeconfig())
        XCTAssertEqual(try KubeConfigLoader(environment: testEnvironment()).load(KubeConfigOptions(kubeconfigPath: file)).namespace, "default")
    }

    func testRelativePathsResolveAgainstTheDefiningFile() throws {
        let pki = try TestPKI.make()
        let dir = try TempDir()
        try dir.write("certs/ca.crt", pki.caPEM)
        try dir.write("certs/client.crt", pki.clientCertificatePEM)
        try dir.write("certs/client.key", pki.clientKeyPEM)
        let file = try dir.write("conf/../kubeconfig", """
            clusters:
            - name: c
              cluster:
                server: https://c.example
                certificate-authority: certs/ca.crt
                tls-server-name: api.internal
                proxy-url: http://proxy.example:3128
            users:
            - name: u
              user:
                client-certificate: certs/client.crt
                client-key: certs/client.key
                tokenFile: tokens/token
                exec:
                  command: ./bin/plugin
                  apiVersion: client.authentication.k8s.io/v1
            contexts:
            - name: x
              context: {cluster: c, user: u}
            current-context: x
            """)
        let loader = KubeConfigLoader(environment: testEnvironment())
        let merged = try loader.loadMerged(kubeconfigPath: file)
        let user = try XCTUnwrap(merged.config.users?.first?.user)
        XCTAssertEqual(user.clientCertificate, dir.path + "/conf/../certs/client.crt")
        XCTAssertEqual(user.tokenFile, dir.path + "/conf/../tokens/token")
        XCTAssertEqual(user.exec?.command, dir.path + "/conf/.././bin/plugin")
        XCTAssertEqual(merged.config.clusters?.first?.cluster.certificateAuthority, dir.path + "/conf/../certs/ca.crt")

        let resolved = try loader.resolve(merged)
        XCTAssertEqual(resolved.tls.caPEM, Data(pki.caPEM.utf8))
        XCTAssertEqual(resolved.tls.clientCertificatePEM, Data(pki.clientCertificatePEM.utf8))
        XCTAssertEqual(resolved.tls.clientKeyPEM, Data(pki.clientKeyPEM.utf8))
        XCTAssertEqual(resolved.tls.serverName, "api.internal")
        XCTAssertEqual(resolved.proxyURL, "http://proxy.example:3128")
        XCTAssertEqual(resolved.auth, .tokenFile(path: dir.path + "/conf/../tokens/token"), "tokenFile wins over exec")
    }

    func testExecCommandWithoutSlashStaysOnPath() {
        let file = KubeConfigFile(users: [NamedUser(name: "u", user: KubeUser(exec: ExecConfig(command: "kubelogin")))])
        let resolved = KubeConfigLoader.resolvingRelativePaths(file, againstFolderOf: "/etc/kube/config")
        XCTAssertEqual(resolved.users?.first?.user.exec?.command, "kubelogin")
    }

    func testInlineDataAndInsecureSkipVerify() throws {
        let pki = try TestPKI.make()
        let dir = try TempDir()
        let file = try dir.write("k", simpleKubeconfig(
            userBody: "    client-certificate-data: \(base64(pki.clientCertificatePEM))\n    client-key-data: \(base64(pki.clientKeyPEM))",
            clusterExtra: "    certificate-authority-data: \(base64(pki.caPEM))\n    insecure-skip-tls-verify: true"))
        let resolved = try KubeConfigLoader(environment: testEnvironment()).load(KubeConfigOptions(kubeconfigPath: file))
        XCTAssertEqual(resolved.tls.caPEM, Data(pki.caPEM.utf8))
        XCTAssertTrue(resolved.tls.insecureSkipVerify)
        XCTAssertEqual(resolved.auth, KubeAuth.none)
        XCTAssertEqual(resolved.authSummary, "client certificate")
        XCTAssertEqual(resolved.httpOptions().tls, resolved.tls)
    }

    func testServerTrailingSlashIsTrimmed() throws {
        let dir = try TempDir()
        let file = try dir.write("k", simpleKubeconfig(server: "https://x.example:443/"))
        XCTAssertEqual(try KubeConfigLoader(environment: testEnvironment()).load(KubeConfigOptions(kubeconfigPath: file)).server,
                       "https://x.example:443")
    }

    func testUnknownFieldsAreIgnored() throws {
        let data = Data("""
            apiVersion: v1
            kind: Config
            preferences: {colors: true}
            clusters:
            - name: c
              cluster: {server: "https://c", extensions: [{name: x, extension: {a: 1}}]}
            """.utf8)
        let file = try XCTUnwrap(try KubeConfigLoader.parse(data, path: "x"))
        XCTAssertEqual(file.clusters?.first?.cluster.server, "https://c")
    }
}
