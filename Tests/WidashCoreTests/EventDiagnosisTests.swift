import Foundation
@testable import WidashCore
import XCTest

/// The pure reading of Kubernetes events: which failures block pod creation and what to do.
final class EventDiagnosisTests: XCTestCase {
    static let webhookDown = "Error creating: Internal error occurred: failed calling webhook \"mutation.azure-workload-identity.io\": "
        + "failed to call webhook: Post \"https://azure-wi-webhook-webhook-service.azure-workload-identity-system.svc:443/mutate-v1-pod?timeout=10s\": "
        + "no endpoints available for service \"azure-wi-webhook-webhook-service\""

    private func event(_ message: String, reason: String = "FailedCreate", kind: String = "ReplicaSet",
                       name: String = "checkout-5d4f8c9b7a") -> KubeEvent {
        KubeEvent(metadata: ObjectMeta(name: "\(name).17f0", namespace: "shop"),
                  involvedObject: .init(kind: kind, namespace: "shop", name: name), reason: reason, message: message,
                  type: "Warning", count: 20)
    }

    func testFailedCallingWebhookIsTheWebhookUnavailableWithItsServiceAndFix() throws {
        let diagnosis = try XCTUnwrap(EventDiagnosis.diagnose(event(Self.webhookDown)))
        XCTAssertEqual(diagnosis.kind, .webhookUnavailable)
        XCTAssertEqual(diagnosis.summary, "webhook mutation.azure-workload-identity.io unavailable (no endpoints available for service "
                       + "\"azure-wi-webhook-webhook-service\"), failurePolicy Fail: pods cannot be created")
        XCTAssertEqual(diagnosis.fix.first, "kubectl -n azure-workload-identity-system get pods,endpoints   # the webhook's pods and the endpoints of service azure-wi-webhook-webhook-service")
        XCTAssertEqual(diagnosis.fix.count, 2, "commands only: \(diagnosis.fix)")
        XCTAssertTrue(diagnosis.note?.contains("failurePolicy Fail blocks every pod creation") ?? false, "\(diagnosis)")
        XCTAssertTrue(diagnosis.note?.hasSuffix("(or at once: kubectl -n shop rollout restart deployment/checkout)") ?? false, "\(diagnosis)")
    }

    func testATimeoutAndAWebhookGivenByURLAreStillUnavailable() throws {
        let timeout = "Error creating: Internal error occurred: failed calling webhook \"pod-identity-webhook.amazonaws.com\": failed to call webhook: "
            + "Post \"https://pod-identity-webhook.kube-system.svc:443/mutate?timeout=10s\": context deadline exceeded"
        let diagnosis = try XCTUnwrap(EventDiagnosis.diagnose(event(timeout)))
        XCTAssertEqual(diagnosis.kind, .webhookUnavailable)
        XCTAssertTrue(diagnosis.summary.contains("(context deadline exceeded)"), diagnosis.summary)
        XCTAssertTrue(diagnosis.fix[0].hasPrefix("kubectl -n kube-system get pods,endpoints"), diagnosis.fix[0])

        let byURL = "Error creating: Internal error occurred: failed calling webhook \"iam-for-pods.amazonaws.com\": failed to call webhook: "
            + "Post \"https://127.0.0.1:23443/mutate?timeout=10s\": dial tcp 127.0.0.1:23443: connect: connection refused"
        let url = try XCTUnwrap(EventDiagnosis.diagnose(event(byURL, kind: "Job", name: "nightly")))
        XCTAssertTrue(url.fix[0].hasPrefix("kubectl get mutatingwebhookconfigurations"), url.fix[0])
        XCTAssertFalse(url.note?.contains("rollout restart") ?? true, "a Job cannot be rolled out again: \(url)")
    }

    func testADenialIsNotAnOutage() throws {
        let denied = "Error creating: admission webhook \"validation.gatekeeper.sh\" denied the request: [no-privileged] privileged containers are not allowed"
        let diagnosis = try XCTUnwrap(EventDiagnosis.diagnose(event(denied)))
        XCTAssertEqual(diagnosis.kind, .webhookDenied)
        XCTAssertEqual(diagnosis.summary, "webhook validation.gatekeeper.sh refused the pod: [no-privileged] privileged containers are not allowed: pods cannot be created")
    }

    func testQuotaExceededNamesTheQuota() throws {
        let quota = "Error creating: pods \"checkout-5d4f8c9b7a-x2x4k\" is forbidden: exceeded quota: compute-resources, requested: limits.cpu=2, used: limits.cpu=8, limited: limits.cpu=8"
        let diagnosis = try XCTUnwrap(EventDiagnosis.diagnose(event(quota)))
        XCTAssertEqual(diagnosis.kind, .quotaExceeded)
        XCTAssertEqual(diagnosis.summary, "ResourceQuota compute-resources in shop is used up: pods cannot be created")
        XCTAssertEqual(diagnosis.fix.first, "kubectl -n shop describe resourcequota compute-resources")
    }

    func testOtherEventsPassThrough() {
        XCTAssertNil(EventDiagnosis.diagnose(event("Back-off restarting failed container app in pod x", reason: "BackOff", kind: "Pod")))
        XCTAssertNil(EventDiagnosis.diagnose(event("Scaled up replica set checkout-5d4f8c9b7a from 0 to 1", reason: "ScalingReplicaSet",
                                                   kind: "Deployment", name: "checkout")))
        XCTAssertNil(EventDiagnosis.diagnose(event("failed calling webhook without a quoted name")))
    }

    func testCountsAndTimesPreferTheSeries() {
        var e = event("x")
        e.lastTimestamp = "2026-12-02T10:00:00Z"
        XCTAssertEqual(e.occurrences, 20)
        XCTAssertEqual(e.lastSeen, TokenClock.parseTimestamp("2026-12-02T10:00:00Z"))
        e.series = .init(count: 31, lastObservedTime: "2026-12-02T11:00:00.123456Z")
        XCTAssertEqual(e.occurrences, 31)
        XCTAssertEqual(e.lastSeen.map { Int($0.timeIntervalSince1970) }, TokenClock.parseTimestamp("2026-12-02T11:00:00Z").map { Int($0.timeIntervalSince1970) })
        XCTAssertEqual(e.objectLabel, "replicaset/checkout-5d4f8c9b7a")
    }

    func testWorkloadTemplatesDefaultToTheDefaultAccount() throws {
        let json = #"{"metadata":{"name":"nightly","namespace":"shop"},"spec":{"template":{"spec":{"containers":[]}}}}"#
        let job = try JSONDecoder().decode(PodTemplateWorkload.self, from: Data(json.utf8))
        XCTAssertEqual(job.serviceAccountName, "default")
        let legacy = #"{"metadata":{"name":"old"},"spec":{"template":{"spec":{"serviceAccount":"checkout"}}}}"#
        XCTAssertEqual(try JSONDecoder().decode(PodTemplateWorkload.self, from: Data(legacy.utf8)).serviceAccountName, "checkout")
    }
}
