import Foundation
import WidashHTTP
import WidashKube
import WidashSandbox
import XCTest

/// The retry policy seen from the server: the sandbox counts every request that arrives over
/// HTTPS (libcurl, the sandbox's kubeconfig), faulted or not.
final class RetryPolicyWireTests: XCTestCase {
    func testTokenRequestAnswered429Or503ArrivesExactlyOnce() async throws {
        let sandbox = try await FaultSandbox.start(faults: nil)
        addTeardownBlock { await sandbox.stop() }
        var kube = try sandbox.session().kube
        // A writable client (the fault session is read-only by default).
        kube = KubeClient(config: kube.config, options: KubeClientOptions(), transportFactory: { CurlTransport(options: $0) })
        let path = "/api/v1/namespaces/shop/serviceaccounts/frontend/token"
        for (code, retryAfter) in [(429, 7), (503, 2)] {
            sandbox.server.setFaults(FaultSpec(errorRate: 1, errorCodes: [code], retryAfterSeconds: retryAfter))
            let before = sandbox.server.kubeRequestCount(method: "POST", path: path)
            do {
                _ = try await kube.requestToken(namespace: "shop", serviceAccount: "frontend", audiences: ["api://AzureADTokenExchange"])
                XCTFail("the faults did not fail the TokenRequest")
            } catch let error as KubeRetryLaterError {
                XCTAssertEqual(error.apiError.statusCode, code)
                XCTAssertEqual(error.retryAfterSeconds, retryAfter)
                XCTAssertTrue(error.description.contains("asked to retry after \(retryAfter) s; widash does not resend a token request"), error.description)
            }
            XCTAssertEqual(sandbox.server.kubeRequestCount(method: "POST", path: path) - before, 1, "a \(code) TokenRequest was resent")
        }
        sandbox.server.setFaults(nil)
        let token = try await kube.requestToken(namespace: "shop", serviceAccount: "frontend", audiences: ["api://AzureADTokenExchange"])
        XCTAssertFalse(token.token.isEmpty, "the same request succeeds once the faults are off")
    }

    func testReadsAreRetriedABoundedNumberOfTimesThenFailClearly() async throws {
        let sandbox = try await FaultSandbox.start(faults: FaultSpec(errorRate: 1, errorCodes: [503], retryAfterSeconds: 0))
        addTeardownBlock { await sandbox.stop() }
        let kube = try sandbox.session().kube
        do {
            _ = try await kube.pods(namespace: "shop")
            XCTFail("every request fails: the list cannot succeed")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.statusCode, 503)
            XCTAssertTrue(error.description.hasPrefix("server error (503) on GET /api/v1/namespaces/shop/pods"), error.description)
        }
        XCTAssertEqual(sandbox.server.kubeRequestCount(method: "GET", path: "/api/v1/namespaces/shop/pods"), KubeClientOptions().maxAttempts)

        // Seed 1's draws at rate 0.5: fail, then serve. The retry hides the failure.
        sandbox.server.setFaults(FaultSpec(errorRate: 0.5, errorCodes: [500], seed: 1))
        let list = try await kube.serviceAccounts(namespace: "shop")
        XCTAssertFalse(list.items.isEmpty)
        XCTAssertEqual(sandbox.server.kubeRequestCount(method: "GET", path: "/api/v1/namespaces/shop/serviceaccounts"), 2)
    }
}
