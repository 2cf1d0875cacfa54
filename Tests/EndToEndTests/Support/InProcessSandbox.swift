import Foundation
import WidashSandbox
import XCTest

/// The demo sandbox started inside the test process (static, port 0), with its kubeconfig and CA
/// written into a temporary directory, for running the widash binary against it by kubeconfig.
struct InProcessSandbox: Sendable {
    let server: SandboxServer
    let directory: TemporaryDirectory

    static func start() async throws -> InProcessSandbox {
        let directory = try TemporaryDirectory("sandbox")
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true, outputDirectory: directory.path),
                                                   services: EmulatedClouds.services)
        return InProcessSandbox(server: server, directory: directory)
    }

    /// The kubeconfig the sandbox wrote (admin context current).
    func kubeconfigPath() throws -> String {
        try XCTUnwrap(server.info.kubeconfig, "the sandbox wrote no kubeconfig")
    }

    /// Writes a variant of the sandbox's kubeconfig, with every `certificate-authority-data:` line
    /// replaced by `clusterTLS` (nil drops the line), and returns its path.
    func kubeconfigVariant(named name: String, clusterTLS: String?) throws -> String {
        let original = try String(contentsOfFile: try kubeconfigPath(), encoding: .utf8)
        var replaced = 0
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            guard line.trimmingCharacters(in: .whitespaces).hasPrefix("certificate-authority-data:") else { return String(line) }
            replaced += 1
            guard let clusterTLS else { return nil }
            let indent = line.prefix { $0 == " " }
            return indent + clusterTLS
        }
        XCTAssertGreaterThan(replaced, 0, "the sandbox kubeconfig has no certificate-authority-data line:\n\(original)")
        return try directory.write(lines.joined(separator: "\n"), to: name)
    }

    func stop() async {
        await server.stop()
        directory.remove()
    }
}
