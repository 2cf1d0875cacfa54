import Foundation
@testable import WidashSandbox
import WidashCore
import WidashTestPeers
import XCTest

/// The scale scenario as clients see it: every object decodes into widash's own types and is
/// valid JSON, names and uids are unique, paged lists are complete, kubectl lists every pod, and
/// a pod rendered from the template is the same pod PodFactory + JSONEncoder would give.
final class ScaleScenarioTests: XCTestCase {
    static let size = (namespaces: 20, serviceAccounts: 100, pods: 500)

    private func startSmall() async throws -> SandboxFixture {
        let sandbox = try await SandboxFixture.start(
            scenario: .scale(namespaces: Self.size.namespaces, serviceAccounts: Self.size.serviceAccounts, pods: Self.size.pods))
        addTeardownBlock { await sandbox.stop() }
        return sandbox
    }

    private func get(_ sandbox: SandboxFixture, _ path: String) throws -> Data {
        let result = try sandbox.curl(["-f", "-H", "Authorization: Bearer \(sandbox.adminToken)", sandbox.server.info.apiServer + path])
        XCTAssertEqual(result.status, 0, "GET \(path): \(result.stderr)")
        return Data(result.stdout.utf8)
    }

    /// The raw items of a list response, each as its own JSON document.
    private func items(_ list: Data) throws -> [[String: Any]] {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: list) as? [String: Any])
        return try XCTUnwrap(object["items"] as? [[String: Any]])
    }

    func testEveryListedObjectIsValidJSONAndDecodesIntoWidashTypes() async throws {
        let sandbox = try await startSmall()
        struct PodList: Decodable { var items: [WidashCore.Pod] }
        struct AccountList: Decodable { var items: [WidashCore.ServiceAccount] }
        struct NamespaceList: Decodable { var items: [WidashCore.Namespace] }

        let podData = try get(sandbox, "/api/v1/pods")
        let pods = try JSONDecoder().decode(PodList.self, from: podData).items
        XCTAssertEqual(pods.count, Self.size.pods)
        XCTAssertEqual(try items(podData).count, Self.size.pods)
        XCTAssertEqual(Set(pods.map(\.metadata.key)).count, pods.count, "pod names are unique")
        XCTAssertEqual(Set(pods.compactMap(\.metadata.uid)).count, pods.count, "pod uids are unique")

        let accountData = try get(sandbox, "/api/v1/serviceaccounts")
        let accounts = try JSONDecoder().decode(AccountList.self, from: accountData).items
        XCTAssertEqual(accounts.count, Self.size.serviceAccounts)
        XCTAssertEqual(Set(accounts.compactMap(\.metadata.uid)).count, accounts.count, "service account uids are unique")
        let namespaceData = try get(sandbox, "/api/v1/namespaces")
        let namespaces = try JSONDecoder().decode(NamespaceList.self, from: namespaceData).items
        XCTAssertEqual(namespaces.count, Self.size.namespaces)

        // Realistic: identity-enabled pods carry the webhook's env and projected token, their
        // service accounts the matching annotation; Pod Identity pods carry the agent's env and
        // token, their accounts nothing (the association is the cloud's).
        let accountsByKey = Dictionary(uniqueKeysWithValues: accounts.map { ($0.metadata.key, $0) })
        var azure = 0, irsa = 0, podIdentity = 0
        for pod in pods {
            let env = Dictionary(pod.spec.containers.flatMap { $0.env ?? [] }.map { ($0.name, $0.value ?? "") }) { $1 }
            let audiences = (pod.spec.volumes ?? []).flatMap { $0.projected?.sources ?? [] }.compactMap { $0.serviceAccountToken?.audience }
            let account = try XCTUnwrap(accountsByKey["\(pod.metadata.namespace ?? "")/\(pod.spec.serviceAccountName ?? "")"])
            let annotations = account.metadata.annotations ?? [:]
            if let clientID = env["AZURE_CLIENT_ID"] {
                azure += 1
                XCTAssertEqual(clientID, annotations["azure.workload.identity/client-id"])
                XCTAssertEqual(pod.metadata.labels?["azure.workload.identity/use"], "true")
                XCTAssertEqual(audiences, ["api://AzureADTokenExchange"])
            } else if let role = env["AWS_ROLE_ARN"] {
                irsa += 1
                XCTAssertEqual(role, annotations["eks.amazonaws.com/role-arn"])
                XCTAssertEqual(audiences, ["sts.amazonaws.com"])
            } else if env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil {
                podIdentity += 1
                XCTAssertTrue(annotations.isEmpty, "\(pod.metadata.key): a Pod Identity account needs no annotation")
                XCTAssertEqual(audiences, ["pods.eks.amazonaws.com"])
            } else {
                XCTFail("\(pod.metadata.key) has no identity: every scale account has a cloud side")
            }
            XCTAssertEqual(pod.status?.phase, "Running")
            XCTAssertEqual(pod.metadata.ownerReferences?.first?.kind, "ReplicaSet")
            XCTAssertFalse((pod.metadata.annotations ?? [:]).isEmpty)
        }
        XCTAssertGreaterThan(azure, Self.size.pods / 4)
        XCTAssertGreaterThan(irsa, Self.size.pods / 4)
        XCTAssertGreaterThan(podIdentity, Self.size.pods / 4)
        XCTAssertEqual(azure + irsa + podIdentity, Self.size.pods, "every pod has an identity")

        // About 3 KB per pod, as a real pod with one container is.
        let single = try get(sandbox, "/api/v1/pods?limit=1")
        let firstItem = try XCTUnwrap(try items(single).first)
        let bytes = try JSONSerialization.data(withJSONObject: firstItem).count
        XCTAssertGreaterThan(bytes, 2500)
        XCTAssertLessThan(bytes, 5000)
    }

    func testPagedListsAreCompleteAndInKeyOrder() async throws {
        let sandbox = try await startSmall()
        for (path, expected) in [("/api/v1/pods", Self.size.pods), ("/api/v1/serviceaccounts", Self.size.serviceAccounts),
                                 ("/api/v1/namespaces/team-0003/pods", Self.size.pods / Self.size.namespaces)] {
            var keys: [String] = []
            var token: String?
            var pages = 0
            repeat {
                var url = path + "?limit=37"
                if let token { url += "&continue=" + token }
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: try get(sandbox, url)) as? [String: Any])
                let items = try XCTUnwrap(object["items"] as? [[String: Any]])
                keys += items.compactMap { item in
                    (item["metadata"] as? [String: Any]).map { "\($0["namespace"] ?? "")/\($0["name"] ?? "")" }
                }
                token = (object["metadata"] as? [String: Any])?["continue"] as? String
                pages += 1
            } while token != nil && pages < 100
            XCTAssertEqual(keys.count, expected, path)
            XCTAssertEqual(Set(keys).count, expected, "\(path): no item twice")
            XCTAssertEqual(keys, keys.sorted(), "\(path): key order")
            XCTAssertEqual(pages, (expected + 36) / 37, path)
        }
    }

    func testKubectlGetPodsChunkedReturnsAllPods() async throws {
        _ = try Peers.kubectl()
        let sandbox = try await startSmall()
        for chunk in ["500", "64"] {
            let result = try sandbox.kubectl(["get", "pods", "-A", "--chunk-size=\(chunk)", "--no-headers"])
            XCTAssertEqual(result.status, 0, result.stderr)
            let lines = result.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, Self.size.pods, "chunk size \(chunk)")
            XCTAssertEqual(Set(lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: "/") }).count,
                           Self.size.pods)
        }
        let accounts = try sandbox.kubectl(["get", "serviceaccounts", "-A", "--chunk-size=30", "-o", "name"])
        XCTAssertEqual(accounts.status, 0, accounts.stderr)
        XCTAssertEqual(accounts.stdout.split(separator: "\n").count, Self.size.serviceAccounts)
    }

    func testTokenRequestBindsToAScalePod() async throws {
        let sandbox = try await startSmall()
        let pod = try XCTUnwrap(try items(try get(sandbox, "/api/v1/namespaces/team-0001/pods?limit=1")).first)
        let metadata = try XCTUnwrap(pod["metadata"] as? [String: Any])
        let spec = try XCTUnwrap(pod["spec"] as? [String: Any])
        let name = try XCTUnwrap(metadata["name"] as? String), uid = try XCTUnwrap(metadata["uid"] as? String)
        let account = try XCTUnwrap(spec["serviceAccountName"] as? String)
        let body = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"audiences\":[\"api://AzureADTokenExchange\"],"
            + "\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"\(name)\",\"uid\":\"\(uid)\"}}}"
        let result = try sandbox.curl(["-X", "POST", "-H", "Authorization: Bearer \(sandbox.adminToken)",
                                       "-H", "Content-Type: application/json", "--data", body,
                                       sandbox.server.info.apiServer + "/api/v1/namespaces/team-0001/serviceaccounts/\(account)/token"])
        let response = try XCTUnwrap(jsonObject(result.stdout), result.stdout)
        let token = try XCTUnwrap((response["status"] as? [String: Any])?["token"] as? String, result.stdout)
        let claims = try XCTUnwrap(jwtClaims(token))
        let kubernetes = try XCTUnwrap(claims["kubernetes.io"] as? [String: Any])
        XCTAssertEqual((kubernetes["pod"] as? [String: Any])?["uid"] as? String, uid)
        XCTAssertNotNil((kubernetes["node"] as? [String: Any])?["uid"] as? String, "bound to the pod's node too")
        XCTAssertEqual(claims["sub"] as? String, "system:serviceaccount:team-0001:\(account)")
    }
}

/// The template path against the reference path, and its building blocks.
final class ScaleScenarioRenderingTests: XCTestCase {
    private func plan(pods: Int = 500) async throws -> ScaleScenario.Plan {
        try await ScaleScenario.makePlan(namespaces: 20, serviceAccounts: 100, pods: pods,
                                         now: Date(timeIntervalSince1970: 1_760_000_000))
    }

    func testTemplatePodsEqualFactoryPods() async throws {
        let plan = try await plan()
        let entries = try await ScaleScenario.render(plan, firstResourceVersion: 1000)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // With sorted keys the encoder's output is canonical, and the template's must be the same bytes.
        let canonical = JSONEncoder()
        canonical.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let podBase = 1000 + plan.namespaces.count + plan.workloads.count
        let pods = entries.filter { $0.resource == .pods }
        XCTAssertEqual(pods.count, 500)
        // Every shape (Azure, IRSA, none) and both tiers are among the samples.
        for index in [0, 1, 2, 3, 4, 5, 99, 100, 101, 257, 499] {
            let reference = ScaleScenario.referencePod(plan, index: index, resourceVersion: podBase + index)
            let expected = try JSONSerialization.jsonObject(with: try encoder.encode(reference)) as? NSDictionary
            let actual = try JSONSerialization.jsonObject(with: pods[index].json) as? NSDictionary
            XCTAssertNotNil(actual)
            XCTAssertEqual(actual, expected, "pod \(index): template and PodFactory differ")
            XCTAssertEqual(String(decoding: pods[index].json, as: UTF8.self),
                           String(decoding: try canonical.encode(reference), as: UTF8.self), "pod \(index): bytes")
            XCTAssertEqual(pods[index].resourceVersion, podBase + index)
            XCTAssertEqual(pods[index].labels, reference.metadata.labels)
            XCTAssertEqual(pods[index].fields, ClusterStore.fields(of: reference))
        }
    }

    func testServiceAccountsAndNamespacesEqualEncodedObjects() async throws {
        let plan = try await plan()
        let entries = try await ScaleScenario.render(plan, firstResourceVersion: 1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        for entry in entries where entry.resource != .pods {
            let object = try XCTUnwrap(entry.object as? PreRenderedObject)
            let reference: any KubeObject = entry.resource == .namespaces
                ? WidashSandbox.Namespace(metadata: object.metadata) : WidashSandbox.ServiceAccount(metadata: object.metadata)
            let expected = try JSONSerialization.jsonObject(with: try encoder.encode(reference)) as? NSDictionary
            XCTAssertEqual(try JSONSerialization.jsonObject(with: entry.json) as? NSDictionary, expected, entry.key)
            XCTAssertEqual(entry.json, try encoder.encode(reference), "\(entry.key): bytes")
            XCTAssertEqual(entry.fields, ClusterStore.fields(of: reference), entry.key)
        }
    }

    func testRenderingIsDeterministic() async throws {
        let first = try await ScaleScenario.render(try await plan(), firstResourceVersion: 7)
        let second = try await ScaleScenario.render(try await plan(), firstResourceVersion: 7)
        XCTAssertEqual(first.map(\.json), second.map(\.json))
        XCTAssertEqual(first.map(\.key), second.map(\.key))
    }

    func testPodNamesStayUniqueWithManyReplicasPerReplicaSet() async throws {
        let plan = try await ScaleScenario.makePlan(namespaces: 1, serviceAccounts: 1, pods: 5000, now: Date())
        let names = (0..<5000).map { ScaleScenario.placement(plan, index: $0).name }
        XCTAssertEqual(Set(names).count, 5000)
        XCTAssertTrue(names.allSatisfy { $0.hasPrefix(plan.workloads[0].replicaSet + "-") && $0.count == plan.workloads[0].replicaSet.count + 6 })
    }

    func testHashingMatchesDeterministic() {
        for index in 0..<300 {
            let seed = "pod/team-\(index)/svc-\(index * 7)-x/\(index % 3)"
            XCTAssertEqual(ScaleHashing.uid(seed), Deterministic.uid(seed))
            XCTAssertEqual(ScaleHashing.suffix(seed), Deterministic.suffix(seed))
            XCTAssertEqual(ScaleHashing.suffix(seed, count: 10), Deterministic.suffix(seed, count: 10))
            XCTAssertEqual(ScaleHashing.hex(seed), Deterministic.hex(seed))
            XCTAssertEqual(ScaleHashing.hex(seed, count: 10), Deterministic.hex(seed, count: 10))
            XCTAssertEqual(ScaleHashing.hex(seed, count: 100), Deterministic.hex(seed, count: 100))
        }
        let moments = [0, 59, 86_399, 86_400, 951_782_400, 1_709_164_800, 1_760_000_000, 4_102_444_799] + (0..<200).map { $0 * 7_919_993 }
        for seconds in moments {
            XCTAssertEqual(ScaleHashing.timestamp(seconds), Deterministic.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds))),
                           "\(seconds)")
        }
    }

    func testEscapingMatchesJSONEncoder() throws {
        var everyASCII = ""
        for code in 0..<128 { everyASCII.unicodeScalars.append(Unicode.Scalar(UInt8(code))) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for text in [everyASCII, "plain-name", "quote\"back\\slash/", "tab\tnew\nline", "é ü 😀 \u{2028}", ""] {
            var escaped: [UInt8] = [UInt8(ascii: "\"")]
            ScaleJSONTemplate.appendEscaped(text, to: &escaped)
            escaped.append(UInt8(ascii: "\""))
            XCTAssertEqual(String(decoding: escaped, as: UTF8.self), String(decoding: try encoder.encode(text), as: UTF8.self))
        }
        // Values that need escaping, inside and as whole strings, render as the encoder writes them.
        let template = try ScaleJSONTemplate(prototype: ["a": ScaleJSONTemplate.marker(0), "b": "x/" + ScaleJSONTemplate.marker(1)],
                                             requiredStrings: [0, 1])
        let rendered = template.render(strings: ["q\"uote\\", "\n\u{1}é"], recording: 1)
        let canonical = JSONEncoder()
        canonical.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        XCTAssertEqual(String(decoding: rendered.json, as: UTF8.self),
                       String(decoding: try canonical.encode(["a": "q\"uote\\", "b": "x/\n\u{1}é"]), as: UTF8.self))
        let recorded = try XCTUnwrap(rendered.recorded)
        XCTAssertEqual(String(decoding: rendered.json[recorded], as: UTF8.self), "\\n\\u0001é")
        // A map with hostile keys and values stays valid JSON and round-trips.
        let pairs = [("b\"k", "v\n1"), ("a\\k", "\u{1}")]
        let map = try JSONSerialization.jsonObject(with: Data(ScaleJSONTemplate.renderMap(pairs))) as? [String: String]
        XCTAssertEqual(map, ["b\"k": "v\n1", "a\\k": "\u{1}"])
        XCTAssertEqual(String(decoding: ScaleJSONTemplate.renderMap(pairs), as: UTF8.self).first, "{")
    }

    func testTemplateRejectsAPrototypeWithoutItsSlots() {
        XCTAssertThrowsError(try ScaleJSONTemplate(prototype: ["name": ScaleJSONTemplate.marker(0)], requiredStrings: [0, 1]))
        XCTAssertNoThrow(try ScaleJSONTemplate(prototype: ["name": ScaleJSONTemplate.marker(0)], requiredStrings: [0]))
    }

    func testStoreRestampsPreRenderedObjectsOnDeleteAndUpdate() async throws {
        let plan = try await plan(pods: 10)
        let entries = try await ScaleScenario.render(plan, firstResourceVersion: 2)
        let store = ClusterStore()
        await store.loadRendered(entries)
        let pod = try XCTUnwrap(entries.last)
        let (_, stream) = await store.watch(.pods, query: ObjectQuery(fieldSelector: try FieldSelector(
            parsing: "spec.nodeName=\(pod.fields["spec.nodeName"] ?? "")", supported: ClusterStore.supportedFields)),
            fromResourceVersion: await store.currentResourceVersion)
        try await store.upsert(.pods, pod.object)
        try await store.delete(.pods, namespace: pod.namespace, name: pod.name)
        let current = await store.currentResourceVersion
        await store.forgetHistory()  // ends the stream after what it has buffered
        var events: [[String: Any]] = []
        for await chunk in stream {
            guard case .data(let data) = chunk else { continue }
            for line in data.split(separator: UInt8(ascii: "\n")) {
                events.append(try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]))
            }
        }
        XCTAssertEqual(events.map { $0["type"] as? String }, ["MODIFIED", "DELETED"])
        let versions = events.compactMap { (($0["object"] as? [String: Any])?["metadata"] as? [String: Any])?["resourceVersion"] as? String }
        XCTAssertEqual(versions, [String(current - 1), String(current)])
        let original = try XCTUnwrap(try JSONSerialization.jsonObject(with: pod.json) as? [String: Any])
        let deleted = try XCTUnwrap(events.last?["object"] as? [String: Any])
        XCTAssertEqual((deleted["spec"] as? NSDictionary), (original["spec"] as? NSDictionary), "the body is carried over unchanged")
    }
}
