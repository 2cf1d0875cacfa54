import Foundation
import WidashCore
import WidashHTTP
import WidashSandbox
import WidashService
@testable import WidashTUI
import XCTest

/// The cloud token's life on the timeline comes from a real exchange with the demo sandbox.
final class TokenTimelineLiveTests: XCTestCase {
    func testTestFetchCarriesTheCloudTokensExpiry() async throws {
        let sandbox = try await SandboxServer.start(SandboxOptions(isStatic: true), services: EmulatedClouds.services)
        addTeardownBlock { await sandbox.stop() }
        let kube = try SessionInputs.kubeconfig(yaml: Data(sandbox.kubeconfigYAML().utf8), origin: "<demo sandbox>",
                                                context: nil, namespace: nil)
        let session = ClusterSession(SessionConfiguration(
            kube: kube, transportFactory: { CurlTransport(options: $0) }, cloudHTTP: sandbox.cloudHTTPOptions,
            cloudEnvironment: SandboxServer.operatorEnvironment(base: [:]),
            eksClusterName: SandboxServer.operatorEnvironment["WIDASH_EKS_CLUSTER"]))
        let env = LiveEnvironment(session: session, showToken: false)
        let before = Date()
        let tok = await env.fetchToken(namespace: "shop", serviceAccount: "frontend", pod: "frontend")
        XCTAssertNil(tok.error)
        let expires = try XCTUnwrap(tok.cloudExpiresAt, tok.cloudTokenSummary ?? "no summary")
        XCTAssertGreaterThan(expires, before, "an access token just issued expires in the future")
        XCTAssertLessThan(expires, before.addingTimeInterval(2 * 86_400))

        // Without a pod there is no exchange, hence no cloud token to draw.
        let bare = await env.fetchToken(namespace: "shop", serviceAccount: "frontend", pod: nil)
        XCTAssertNil(bare.cloudExpiresAt)
    }
}
