import Foundation
import WidashHTTP
import XCTest
@testable import WidashKube

/// Issue 8's bad-kubeconfig corpus: each case gives exactly one line, with the expected text.
/// `$DIR` in an expected message stands for the test's temporary folder.
final class BadKubeconfigCorpusTests: XCTestCase {
    private struct Case {
        var name: String
        var kubeconfig: String
        var expected: String
        var context: String? = nil
    }

    private func message(for kubeconfig: String, context: String? = nil, in dir: TempDir,
                         environment: KubeEnvironment? = nil) async -> String? {
        do {
            let file = try dir.write("kubeconfig", kubeconfig)
            let loader = KubeConfigLoader(environment: environment ?? testEnvironment(["PATH": "/usr/bin:/bin"]))
            let resolved = try loader.load(KubeConfigOptions(kubeconfigPath: file, context: context))
            // Runtime credential failures (exec plugins) surface on the first request's credentials.
            let provider = KubeCredentialsProvider(
                config: resolved, plugin: ExecCredentialPlugin(baseEnvironment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(1)))
            _ = try await provider.current()
            return nil
        } catch let error as KubeConfigError {
            return error.description.replacingOccurrences(of: dir.path, with: "$DIR")
        } catch {
            return "unexpected \(type(of: error)): \(error)"
        }
    }

    private func assertCorpus(_ cases: [Case], file: StaticString = #filePath, line: UInt = #line) async throws {
        for item in cases {
            let dir = try TempDir()
            let kubeconfig = item.kubeconfig.replacingOccurrences(of: "$DIR", with: dir.path)
            let actual = await message(for: kubeconfig, context: item.context, in: dir)
            XCTAssertEqual(actual, item.expected, item.name, file: file, line: line)
            XCTAssertFalse(actual?.contains("\n") ?? true, "\(item.name): the message must be one line", file: file, line: line)
        }
    }

    func testStructuralCases() async throws {
        try await assertCorpus([
            Case(name: "empty file", kubeconfig: "",
                 expected: "kubeconfig $DIR/kubeconfig is empty: point --kubeconfig at a file with clusters, users and contexts"),
            Case(name: "only comments", kubeconfig: "# nothing here\n\n",
                 expected: "kubeconfig $DIR/kubeconfig is empty: point --kubeconfig at a file with clusters, users and contexts"),
            Case(name: "not YAML", kubeconfig: "clusters: [unclosed\n  - : :\n",
                 expected: "kubeconfig $DIR/kubeconfig is not valid YAML (line 2, column 5: did not find expected ',' or ']'): fix the file or regenerate it (e.g. az aks get-credentials, aws eks update-kubeconfig)"),
            Case(name: "plain text", kubeconfig: "hello, I am not a kubeconfig\n",
                 expected: "kubeconfig $DIR/kubeconfig is not a valid kubeconfig (the top level is a plain value, not a mapping with clusters, users and contexts): compare it with `kubectl config view`"),
            Case(name: "wrong types", kubeconfig: "clusters: yes-please\n",
                 expected: "kubeconfig $DIR/kubeconfig is not a valid kubeconfig (clusters: expected a list): compare it with `kubectl config view`"),
            Case(name: "missing current-context", kubeconfig: simpleKubeconfig(current: false),
                 expected: "kubeconfig has no current-context: pass --context (one of: \"dev\") or run `kubectl config use-context NAME`"),
            Case(name: "unknown --context", kubeconfig: simpleKubeconfig(),
                 expected: "context \"prod\" is not in the kubeconfig: use one of \"dev\"", context: "prod"),
            Case(name: "context naming an unknown cluster", kubeconfig: """
                clusters: []
                users: [{name: u, user: {token: abc}}]
                contexts: [{name: c, context: {cluster: gone, user: u}}]
                current-context: c
                """,
                 expected: "context \"c\" names cluster \"gone\", which is not in the kubeconfig: add the cluster or fix the context"),
            Case(name: "context naming an unknown user", kubeconfig: """
                clusters: [{name: k, cluster: {server: "https://k"}}]
                contexts: [{name: c, context: {cluster: k, user: nobody}}]
                current-context: c
                """,
                 expected: "context \"c\" names user \"nobody\", which is not in the kubeconfig: add the user or fix the context"),
            Case(name: "no server", kubeconfig: """
                clusters: [{name: k, cluster: {}}]
                contexts: [{name: c, context: {cluster: k}}]
                current-context: c
                """,
                 expected: "cluster \"k\" has no server address: set clusters[].cluster.server in the kubeconfig"),
            Case(name: "unknown auth provider", kubeconfig: simpleKubeconfig(userBody: "    auth-provider:\n      name: azure\n      config: {tenant-id: t}"),
                 expected: "user \"dev-user\" uses auth-provider \"azure\", which widash does not support: switch to an exec credential plugin (e.g. kubelogin convert-kubeconfig)"),
        ])
    }

    func testCertificateCases() async throws {
        let pki = try TestPKI.make()
        try await assertCorpus([
            Case(name: "bad base64 in client-certificate-data",
                 kubeconfig: simpleKubeconfig(userBody: "    client-certificate-data: not*base64!\n    client-key-data: \(base64(pki.clientKeyPEM))"),
                 expected: "client-certificate-data of user \"dev-user\" is not valid base64: paste the base64 of the PEM file (base64 -w0 FILE)"),
            Case(name: "bad base64 in certificate-authority-data",
                 kubeconfig: simpleKubeconfig(clusterExtra: "    certificate-authority-data: \"%%%\""),
                 expected: "certificate-authority-data of cluster \"dev-cluster\" is not valid base64: paste the base64 of the PEM file (base64 -w0 FILE)"),
            Case(name: "PEM that is not a certificate",
                 kubeconfig: simpleKubeconfig(clusterExtra: "    certificate-authority-data: \(base64(pki.clientKeyPEM))"),
                 expected: "certificate-authority-data of cluster \"dev-cluster\" is not a PEM certificate (found a \"PRIVATE KEY\" block): it must contain -----BEGIN CERTIFICATE-----"),
            Case(name: "not PEM at all",
                 kubeconfig: simpleKubeconfig(userBody: "    client-certificate-data: \(base64("hello"))\n    client-key-data: \(base64(pki.clientKeyPEM))"),
                 expected: "client-certificate-data of user \"dev-user\" is not a PEM certificate (no PEM block found): it must contain -----BEGIN CERTIFICATE-----"),
            Case(name: "key not matching the certificate",
                 kubeconfig: simpleKubeconfig(userBody: "    client-certificate-data: \(base64(pki.clientCertificatePEM))\n    client-key-data: \(base64(pki.otherKeyPEM))"),
                 expected: "client key of user \"dev-user\" does not match its client certificate: use the key the certificate was issued for"),
            Case(name: "certificate without key",
                 kubeconfig: simpleKubeconfig(userBody: "    client-certificate-data: \(base64(pki.clientCertificatePEM))"),
                 expected: "user \"dev-user\" has a client certificate or key but no client key: set both client-certificate(-data) and client-key(-data)"),
            Case(name: "unreadable client-key file",
                 kubeconfig: simpleKubeconfig(userBody: "    client-certificate-data: \(base64(pki.clientCertificatePEM))\n    client-key: missing.key"),
                 expected: "cannot read client-key $DIR/missing.key of user \"dev-user\" (No such file or directory): fix the path (relative paths are resolved against the kubeconfig's folder)"),
        ])
    }

    func testExecPluginCases() async throws {
        let dir = try TempDir()
        let failing = try dir.write("fail.sh", "#!/bin/sh\necho 'error: AADSTS50173 the grant expired' >&2\nexit 1\n", executable: true)
        let garbage = try dir.write("garbage.sh", "#!/bin/sh\necho '<html>login here</html>'\n", executable: true)
        let hanging = try dir.write("hang.sh", "#!/bin/sh\necho 'waiting for the browser' >&2\nsleep 30\n", executable: true)
        func exec(_ command: String, hint: String? = nil) -> String {
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: \(command)\n      interactiveMode: Never"
                + (hint.map { "\n      installHint: \"\($0)\"" } ?? "")
        }
        try await assertCorpus([
            Case(name: "exec plugin not found", kubeconfig: simpleKubeconfig(userBody: exec("no-such-kubelogin")),
                 expected: "exec credential plugin \"no-such-kubelogin\" was not found on PATH: install it or fix users[].user.exec.command"),
            Case(name: "exec plugin not found, with installHint",
                 kubeconfig: simpleKubeconfig(userBody: exec("no-such-kubelogin", hint: "brew install Azure/kubelogin/kubelogin")),
                 expected: "exec credential plugin \"no-such-kubelogin\" was not found on PATH: brew install Azure/kubelogin/kubelogin"),
            Case(name: "exec plugin exiting 1", kubeconfig: simpleKubeconfig(userBody: exec(failing)),
                 expected: "exec credential plugin \"\(failing)\" exited with code 1 (stderr: error: AADSTS50173 the grant expired): run it by hand to see why"),
            Case(name: "exec plugin printing garbage", kubeconfig: simpleKubeconfig(userBody: exec(garbage)),
                 expected: "exec credential plugin \"\(garbage)\" printed something that is not an ExecCredential (not JSON): check the plugin version and apiVersion"),
            Case(name: "exec plugin hanging", kubeconfig: simpleKubeconfig(userBody: exec(hanging)),
                 expected: "exec credential plugin \"\(hanging)\" did not finish within 1 s (stderr: waiting for the browser): it may be waiting for input; log in with it first"),
            Case(name: "exec plugin with an unsupported apiVersion",
                 kubeconfig: simpleKubeconfig(userBody: "    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: x"),
                 expected: "exec credential plugin \"x\" uses apiVersion \"client.authentication.k8s.io/v1alpha1\": use client.authentication.k8s.io/v1 or v1beta1"),
        ])
    }

    func testUnreadableAndMissingFiles() async throws {
        let dir = try TempDir()
        // Tests may run as root, where chmod 000 does not stop reads: inject the failure instead.
        let denied = KubeFileSystem(read: { _ in throw FileReadError(reason: "Permission denied") },
                                    exists: { _ in true }, stamp: { _ in nil })
        let loader = KubeConfigLoader(environment: KubeEnvironment(variables: [:], homeDirectory: nil, fileSystem: denied))
        XCTAssertThrowsError(try loader.load(KubeConfigOptions(kubeconfigPath: "/etc/kube/config"))) { error in
            XCTAssertEqual("\(error)", "cannot read kubeconfig /etc/kube/config (Permission denied): check the file's permissions")
        }
        // A real unreadable path: a directory.
        let real = KubeConfigLoader(environment: testEnvironment())
        XCTAssertThrowsError(try real.load(KubeConfigOptions(kubeconfigPath: dir.path))) { error in
            XCTAssertEqual("\(error)", "cannot read kubeconfig \(dir.path) (it is a directory): check the file's permissions")
        }
        XCTAssertThrowsError(try real.load(KubeConfigOptions(kubeconfigPath: dir.path + "/nope"))) { error in
            XCTAssertEqual("\(error)", "kubeconfig \(dir.path)/nope does not exist: check the --kubeconfig path")
        }
        let nothing = KubeConfigLoader(environment: testEnvironment(home: dir.path))
        XCTAssertThrowsError(try nothing.load()) { error in
            XCTAssertEqual("\(error)", "no kubeconfig found (looked at \(dir.path)/.kube/config) and not running in a cluster: pass --kubeconfig, set KUBECONFIG, or try --demo")
        }
    }
}
