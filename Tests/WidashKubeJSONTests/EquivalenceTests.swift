import Foundation
import WidashCore
import WidashKubeJSON
import XCTest

/// The list envelope as Foundation decodes it: the reference the selective decoder must equal.
struct ReferenceList<Item: Decodable>: Decodable {
    struct Meta: Decodable {
        var resourceVersion: String?
        var `continue`: String?
        var remainingItemCount: Int?
    }
    var metadata: Meta?
    var items: [Item]?
}

/// For every kind: random objects (extra fields, shuffled members, escapes, unicode, nulls and
/// omitted optionals) decode to exactly what JSONDecoder makes of the same bytes.
final class EquivalenceTests: XCTestCase {
    private func assertEquivalent<Item: KubeJSONDecodable & Decodable & Equatable>(
        _ type: Item.Type, kind: String, cases: Int = 150,
        make: (inout KubeObjectGenerator) -> TestJSON,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var compared = 0
        for seed in 1...UInt64(cases) {
            var generator = KubeObjectGenerator(seed: seed &* 7919)
            let items = (0..<generator.rng.int(0...4)).map { _ in make(&generator) }
            let document = generator.list(kind: kind, items: items)
            var style = TestJSON.Style()
            style.whitespace = seed % 3 == 0
            style.escapeProbability = seed % 4 == 0 ? 0.5 : 0.05
            let text = document.serialized(&generator.rng, style: style)
            let bytes = Array(text.utf8)
            let reference = try JSONDecoder().decode(ReferenceList<Item>.self, from: Data(bytes))
            let page = try KubeListDecoder.decodeList(bytes, as: Item.self)
            XCTAssertEqual(page.items, reference.items ?? [], "seed \(seed): \(text)", file: file, line: line)
            XCTAssertEqual(page.resourceVersion, reference.metadata?.resourceVersion, "seed \(seed)", file: file, line: line)
            XCTAssertEqual(page.continueToken, reference.metadata?.continue, "seed \(seed)", file: file, line: line)
            XCTAssertEqual(page.remainingItemCount, reference.metadata?.remainingItemCount, "seed \(seed)", file: file, line: line)
            compared += page.items.count
        }
        XCTAssertGreaterThan(compared, cases / 2, "the generator should produce items", file: file, line: line)
    }

    func testPodsEqualJSONDecoder() throws {
        try assertEquivalent(Pod.self, kind: "PodList", cases: 300) { $0.pod() }
    }

    func testServiceAccountsEqualJSONDecoder() throws {
        try assertEquivalent(ServiceAccount.self, kind: "ServiceAccountList") { $0.serviceAccount() }
    }

    func testNamespacesEqualJSONDecoder() throws {
        try assertEquivalent(Namespace.self, kind: "NamespaceList") { $0.namespace() }
    }

    func testWebhookConfigurationsEqualJSONDecoder() throws {
        try assertEquivalent(MutatingWebhookConfiguration.self, kind: "MutatingWebhookConfigurationList") { $0.webhookConfiguration() }
    }

    func testAzureIdentitiesEqualJSONDecoder() throws {
        try assertEquivalent(AzureIdentity.self, kind: "AzureIdentityList") { $0.azureIdentity() }
    }

    func testAzureIdentityBindingsEqualJSONDecoder() throws {
        try assertEquivalent(AzureIdentityBinding.self, kind: "AzureIdentityBindingList") { $0.azureIdentityBinding() }
    }

    /// One intern table across pages: values stay equal, and repeated strings share storage.
    func testSharedInternTableKeepsValuesEqual() throws {
        let table = KubeInternTable()
        var generator = KubeObjectGenerator(seed: 99)
        let items = (0..<40).map { _ in generator.pod() }
        let text = generator.list(kind: "PodList", items: items).serialized(&generator.rng, style: .init())
        let first = try KubeListDecoder.decodePodList(Array(text.utf8), interner: table)
        let second = try KubeListDecoder.decodePodList(Data(text.utf8), interner: table)
        let reference = try JSONDecoder().decode(ReferenceList<Pod>.self, from: Data(text.utf8))
        XCTAssertEqual(first.items, reference.items ?? [])
        XCTAssertEqual(second.items, reference.items ?? [])
        XCTAssertGreaterThan(table.entryCount, 0)
    }

    /// Duplicate member names: like JSONDecoder, the first one wins.
    func testDuplicateMembersFirstWins() throws {
        let json = #"{"items":[{"metadata":{"name":"a","name":"b","labels":{"k":"1","k":"2"}},"spec":{"containers":[]},"spec":{"containers":[{"name":"x"}]}}]}"#
        let mine = try KubeListDecoder.decodePodList(Array(json.utf8)).items
        let reference = try JSONDecoder().decode(ReferenceList<Pod>.self, from: Data(json.utf8)).items
        XCTAssertEqual(mine, reference)
        XCTAssertEqual(mine.first?.metadata.name, "a")
    }

    /// Integers written as `1.0` or `1e3` are accepted when exact, as JSONDecoder does.
    func testIntegersWithFractionOrExponent() throws {
        for (text, expected) in [("3600", 3600), ("3.6e3", 3600), ("1E+2", 100), ("-0", 0), ("7.0", 7)] {
            let json = #"{"items":[{"metadata":{"name":"p"},"spec":{"containers":[],"volumes":[{"name":"v","projected":{"sources":[{"serviceAccountToken":{"path":"t","expirationSeconds":\#(text)}}]}}]}}]}"#
            let pod = try XCTUnwrap(KubeListDecoder.decodePodList(Array(json.utf8)).items.first)
            XCTAssertEqual(pod.spec.volumes?.first?.projected?.sources?.first?.serviceAccountToken?.expirationSeconds, expected, text)
            let reference = try JSONDecoder().decode(ReferenceList<Pod>.self, from: Data(json.utf8)).items?.first
            XCTAssertEqual(pod, reference, text)
        }
    }

    func testEscapesAndSurrogatePairsInKeptStrings() throws {
        let json = #"{"items":[{"metadata":{"name":"caf\u00e9-\ud83d\ude00-\"q\"-\\-\/-\n","namespace":"\u65e5\u672c"},"spec":{"containers":[]}}]}"#
        let pod = try XCTUnwrap(KubeListDecoder.decodePodList(Array(json.utf8)).items.first)
        XCTAssertEqual(pod.metadata.name, "café-😀-\"q\"-\\-/-\n")
        XCTAssertEqual(pod.metadata.namespace, "日本")
    }

    /// Escaped member names are matched after unescaping (`"n\u0061me"` is `name`).
    func testEscapedMemberNames() throws {
        let json = #"{"items":[{"metad\u0061ta":{"n\u0061me":"p","labels":{"\u0041":"b"}},"spec":{"containers":[]}}]}"#
        let mine = try KubeListDecoder.decodePodList(Array(json.utf8)).items
        XCTAssertEqual(mine.first?.metadata.name, "p")
        XCTAssertEqual(mine.first?.metadata.labels, ["A": "b"])
        XCTAssertEqual(mine, try JSONDecoder().decode(ReferenceList<Pod>.self, from: Data(json.utf8)).items)
    }

    func testInputKinds() throws {
        let json = #"{"metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"sa"}}]}"#
        let expected = KubeListPage(items: [ServiceAccount(metadata: ObjectMeta(name: "sa"))], resourceVersion: "5")
        XCTAssertEqual(try KubeListDecoder.decodeServiceAccountList(Data(json.utf8)), expected)
        XCTAssertEqual(try KubeListDecoder.decodeServiceAccountList(Array(json.utf8)), expected)
        XCTAssertEqual(try KubeListDecoder.decodeServiceAccountList(Array(("  " + json).utf8)[2...]), expected)
        XCTAssertEqual(try KubeListDecoder.decodeServiceAccountList(json.utf8), expected)
        XCTAssertEqual(try KubeListDecoder.decodeServiceAccountList([0xEF, 0xBB, 0xBF] + Array(json.utf8)), expected, "BOM")
    }
}
