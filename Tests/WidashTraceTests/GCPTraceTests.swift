import Foundation
import XCTest
import WidashCore
import WidashHTTP
import WidashCloud
@testable import WidashTrace

final class GCPTraceTests: XCTestCase {
    let gsa = "gke-ok@widash-demo.iam.gserviceaccount.com"

    func run(generate: HTTPResponse) async -> (TraceReport, FakeTransport) {
        let t = FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            if r.url == "https://sts.googleapis.com/v1/token" {
                return json(200, #"{"access_token":"federated-token-value","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#)
            }
            if r.url.hasPrefix("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/") { return generate }
            if r.url == "https://storage.googleapis.com/storage/v1/b?project=widash-demo" {
                let allowed = r.headers.contains { $0.name == "Authorization" && $0.value == "Bearer ya29.sa-token-value" }
                return allowed ? json(200, #"{"kind":"storage#buckets","items":[]}"#)
                    : json(403, #"{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}"#)
            }
            return json(404, "{}")
        }
        let pod = Pod(metadata: ObjectMeta(name: "gke-ok-1", namespace: "gcp", uid: "u"), spec: PodSpec(serviceAccountName: "gke-ok", containers: [Container(name: "a")]))
        let sa = ServiceAccount(metadata: ObjectMeta(name: "gke-ok", namespace: "gcp", annotations: ["iam.gke.io/gcp-service-account": gsa]))
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: t, environment: [:]))
        // The fake cluster's issuer is not GKE's: the pool is given, as WIDASH_GKE_WORKLOAD_POOL gives it.
        return (await engine.report(pod: pod, serviceAccount: sa, options: options { $0.gcpWorkloadPool = "widash-demo.svc.id.goog" }), t)
    }

    func testGKEPassesWithPoolAudienceAndIdentityNamespace() async throws {
        let (report, t) = await run(generate: json(200, #"{"accessToken":"ya29.sa-token-value","expireTime":"2027-01-15T09:00:00Z"}"#))
        XCTAssertEqual(report.result, .passed, report.steps.map { "\($0.number) \($0.status) \($0.diagnosis?.summary ?? "")" }.joined(separator: "\n"))
        XCTAssertEqual(report.steps[0].evidence["audience"], "widash-demo.svc.id.goog")
        let sts = try XCTUnwrap(t.requests.first { $0.url.hasSuffix("/v1/token") })
        let form = Dictionary(uniqueKeysWithValues: FormEncoding.decode(String(decoding: sts.body ?? Data(), as: UTF8.self)))
        XCTAssertEqual(form["audience"], "identitynamespace:widash-demo.svc.id.goog:\(issuer)")
        XCTAssertEqual(form["grant_type"], "urn:ietf:params:oauth:grant-type:token-exchange")
        XCTAssertEqual(form["subject_token_type"], "urn:ietf:params:oauth:token-type:jwt")
        let generate = try XCTUnwrap(t.requests.first { $0.url.contains(":generateAccessToken") })
        XCTAssertTrue(generate.headers.contains { $0.name == "Authorization" && $0.value == "Bearer federated-token-value" })
        // Step 5 calls Cloud Storage with the Google service account's token, never shown.
        let storage = try XCTUnwrap(t.requests.last)
        XCTAssertEqual(storage.url, "https://storage.googleapis.com/storage/v1/b?project=widash-demo")
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(report), as: UTF8.self).contains("ya29.sa-token-value"))
    }

    func testMissingWorkloadIdentityUserFailsAtStep4WithBinding() async throws {
        let (report, _) = await run(generate: json(403, #"{"error":{"code":403,"message":"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).","status":"PERMISSION_DENIED"}}"#))
        XCTAssertEqual(report.steps.map(\.status), [.passed, .passed, .passed, .failed, .skipped])
        XCTAssertEqual(report.steps[3].evidence["errorCode"], "PERMISSION_DENIED")
        XCTAssertEqual(report.steps[3].diagnosis?.fix,
                       "gcloud iam service-accounts add-iam-policy-binding \(gsa) --role roles/iam.workloadIdentityUser --member \"serviceAccount:widash-demo.svc.id.goog[gcp/gke-ok]\"")
    }

    /// The pool is the cluster project's, read from a GKE issuer, never guessed from the Google
    /// service account's project (which may be another one); unknown, step 1 says what to set.
    func testThePoolComesFromTheClusterNotTheGoogleServiceAccount() async {
        XCTAssertEqual(GKEWorkloadIdentity.workloadPool(issuer: "https://container.googleapis.com/v1/projects/prod-clusters/locations/europe-west1/clusters/c1"),
                       "prod-clusters.svc.id.goog")
        XCTAssertNil(GKEWorkloadIdentity.workloadPool(issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC"))
        let pod = Pod(metadata: ObjectMeta(name: "gke-ok-1", namespace: "gcp", uid: "u"), spec: PodSpec(serviceAccountName: "gke-ok", containers: [Container(name: "a")]))
        let sa = ServiceAccount(metadata: ObjectMeta(name: "gke-ok", namespace: "gcp", annotations: ["iam.gke.io/gcp-service-account": gsa]))
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: FakeTransport { _ in json(500, "{}") }, environment: [:]))
        let report = await engine.report(pod: pod, serviceAccount: sa, options: options())
        XCTAssertEqual(report.provider, .gcp)
        XCTAssertEqual(report.steps[0].status, .failed)
        XCTAssertTrue(report.steps[0].diagnosis?.fix?.contains("WIDASH_GKE_WORKLOAD_POOL") ?? false, "\(report.steps[0])")
    }

    /// GKE direct resource access: no Google service account; on a GKE cluster the Kubernetes
    /// service account is itself an IAM principal and the federated token calls the API.
    func testDirectResourceAccessUsesTheFederatedTokenAsThePrincipal() async throws {
        let t = FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            if r.url == "https://sts.googleapis.com/v1/token" {
                return json(200, #"{"access_token":"federated-token-value","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer","expires_in":3600}"#)
            }
            if r.url == "https://storage.googleapis.com/storage/v1/b?project=clusters-prod" {
                return json(403, #"{"error":{"code":403,"message":"principal://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/clusters-prod.svc.id.goog/subject/ns/gcp/sa/reader does not have storage.buckets.list access","status":"PERMISSION_DENIED"}}"#)
            }
            return json(404, "{}")
        }
        let gke = "https://container.googleapis.com/v1/projects/clusters-prod/locations/europe-west1/clusters/c1"
        let pod = Pod(metadata: ObjectMeta(name: "reader-1", namespace: "gcp", uid: "u"), spec: PodSpec(serviceAccountName: "reader", containers: [Container(name: "a")]))
        let engine = TraceEngine(cluster: FakeCluster(facts: ClusterFacts(snapshot: ClusterSnapshot(issuer: gke))),
                                 services: TraceServices(transport: t, environment: [:]))
        let report = await engine.report(pod: pod, serviceAccount: ServiceAccount(metadata: ObjectMeta(name: "reader", namespace: "gcp")), options: options())
        XCTAssertEqual(report.provider, .gcp)
        XCTAssertEqual(report.steps.map(\.status), [.passed, .passed, .passed, .passed, .failed], report.steps.map { "\($0.diagnosis?.summary ?? "")" }.joined())
        XCTAssertEqual(report.steps[0].evidence["audience"], "clusters-prod.svc.id.goog")
        XCTAssertEqual(report.steps[3].evidence["principal"],
                       "principal://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/clusters-prod.svc.id.goog/subject/ns/gcp/sa/reader")
        let call = try XCTUnwrap(t.requests.last)
        XCTAssertTrue(call.headers.contains { $0.name == "Authorization" && $0.value == "Bearer federated-token-value" })
        XCTAssertEqual(report.steps[4].evidence["errorCode"], "PERMISSION_DENIED")
        XCTAssertTrue(report.steps[4].diagnosis?.fix?.contains("--member 'principal://iam.googleapis.com/") ?? false)
    }
}
