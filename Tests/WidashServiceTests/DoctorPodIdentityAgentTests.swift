import Foundation
import WidashCore
import WidashHTTP
import WidashKube
import WidashService
import XCTest

/// The doctor's EKS Pod Identity agent check (issue "Real-world fidelity", 3): pods given
/// AWS_CONTAINER_CREDENTIALS_FULL_URI by the webhook get nothing without the agent DaemonSet
/// (aws/eks-pod-identity-agent), so a missing agent fails only when some pod relies on it. The
/// sandbox always runs the agent; these clusters are served by a transport that answers by path.
final class DoctorPodIdentityAgentTests: XCTestCase {
    private final class ClusterByPath: HTTPTransport, Sendable {
        let answer: @Sendable (String) -> (Int, String)
        init(_ answer: @escaping @Sendable (String) -> (Int, String)) { self.answer = answer }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let path = String(request.url.dropFirst("https://eks.test".count))
            let (status, body) = answer(path)
            return HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Data(body.utf8))
        }

        func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
            AsyncThrowingStream { $0.finish(throwing: HTTPError.connectionRefused(url: request.url, detail: "no watch here")) }
        }
    }

    private static let notFound = #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"not found"}"#

    private static func pod(_ name: String, env: String) -> String {
        #"{"metadata":{"name":"\#(name)","namespace":"shop","uid":"u-\#(name)"},"spec":{"serviceAccountName":"app","containers":[{"name":"app","image":"app","env":[{"name":"\#(env)","value":"x"}]}]},"status":{"phase":"Running"}}"#
    }

    private static let forbidden = #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403,"message":"pods is forbidden: User \"dev\" cannot list resource \"pods\" in API group \"\" at the cluster scope"}"#

    /// An init container given the env (the webhook mutates init containers too, handler.go getPodSpecPatch).
    private static func podWithInitContainer(_ name: String, env: String) -> String {
        #"{"metadata":{"name":"\#(name)","namespace":"shop","uid":"u-\#(name)"},"spec":{"serviceAccountName":"app","initContainers":[{"name":"fetch","image":"fetch","env":[{"name":"\#(env)","value":"x"}]}],"containers":[{"name":"app","image":"app"}]},"status":{"phase":"Running"}}"#
    }

    private func agentCheck(daemonSet: (Int, String), pods: [String], podList: (Int, String)? = nil) async throws -> DoctorResult {
        let transport = ClusterByPath { path in
            if path.hasPrefix("/version") { return (200, #"{"gitVersion":"v1.32.4"}"#) }
            if path.hasPrefix("/apis/apps/v1/namespaces/kube-system/daemonsets/eks-pod-identity-agent") { return daemonSet }
            if path.hasPrefix("/api/v1/pods") {
                if let podList { return podList }
                return (200, #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[\#(pods.joined(separator: ","))]}"#)
            }
            return (404, Self.notFound)
        }
        let kube = ResolvedKubeConfig(contextName: "eks", clusterName: "eks", userName: "admin", server: "https://eks.test",
                                      auth: .token("test-token-0123456789"))
        let session = ClusterSession(SessionConfiguration(kube: kube, transportFactory: { _ in transport }, cloudEnvironment: [:], readOnly: true))
        let results = await session.doctor()
        return try XCTUnwrap(results.first { $0.name == "EKS Pod Identity agent" }, "\(results)")
    }

    func testAMissingAgentFailsWhenAPodUsesPodIdentity() async throws {
        let check = try await agentCheck(daemonSet: (404, Self.notFound),
                                         pods: [Self.pod("irsa", env: "AWS_ROLE_ARN"), Self.pod("podid", env: "AWS_CONTAINER_CREDENTIALS_FULL_URI")])
        XCTAssertEqual(check.status, .fail, check.detail)
        XCTAssertTrue(check.detail.contains("1 pod(s) use EKS Pod Identity (e.g. shop/podid)"), check.detail)
        XCTAssertTrue(check.detail.contains("--addon-name eks-pod-identity-agent"), check.detail)
    }

    func testAMissingAgentIsFineWhenNoPodUsesIt() async throws {
        let check = try await agentCheck(daemonSet: (404, Self.notFound), pods: [Self.pod("irsa", env: "AWS_ROLE_ARN")])
        XCTAssertEqual(check.status, .pass, check.detail)
    }

    func testAnAgentNotReadyOnEveryNodeWarns() async throws {
        let daemonSet = #"{"metadata":{"name":"eks-pod-identity-agent","namespace":"kube-system"},"status":{"desiredNumberScheduled":3,"numberReady":2}}"#
        let check = try await agentCheck(daemonSet: (200, daemonSet), pods: [])
        XCTAssertEqual(check.status, .warn, check.detail)
        XCTAssertTrue(check.detail.contains("2/3 ready"), check.detail)
    }

    func testAMissingAgentWarnsWhenThePodListIsRefused() async throws {
        // The DaemonSet is 404 and the cluster-wide pod list 403: whether a pod needs the agent is
        // not known, which is not "no pod uses EKS Pod Identity".
        let check = try await agentCheck(daemonSet: (404, Self.notFound), pods: [], podList: (403, Self.forbidden))
        XCTAssertEqual(check.status, .warn, check.detail)
        XCTAssertFalse(check.detail.contains("no pod uses"), check.detail)
        XCTAssertTrue(check.detail.contains("could not be told"), check.detail)
        XCTAssertTrue(check.detail.contains(#"needs RBAC permission "list pods" cluster-wide"#), check.detail)
    }

    func testAMissingAgentWarnsWhenThePodListFails() async throws {
        let check = try await agentCheck(daemonSet: (404, Self.notFound), pods: [],
                                         podList: (500, #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"InternalError","code":500,"message":"etcdserver: request timed out"}"#))
        XCTAssertEqual(check.status, .warn, check.detail)
        XCTAssertTrue(check.detail.contains("listing pods cluster-wide failed"), check.detail)
    }

    func testAnInitContainerUsingPodIdentityNeedsTheAgent() async throws {
        let check = try await agentCheck(daemonSet: (404, Self.notFound),
                                         pods: [Self.podWithInitContainer("job", env: "AWS_CONTAINER_CREDENTIALS_FULL_URI")])
        XCTAssertEqual(check.status, .fail, check.detail)
        XCTAssertTrue(check.detail.contains("1 pod(s) use EKS Pod Identity (e.g. shop/job)"), check.detail)
    }
}
