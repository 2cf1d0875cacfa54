import Foundation
import Synchronization
import WidashCore
import WidashKubeJSON
import XCTest

final class PipelineTests: XCTestCase {
    private static func page(_ index: Int, of count: Int) -> Data {
        let items = (0..<3).map { i in #"{"metadata":{"name":"sa-\#(index)-\#(i)","namespace":"ns"}}"# }.joined(separator: ",")
        let next = index + 1 < count ? #","continue":"token-\#(index + 1)","remainingItemCount":\#((count - index - 1) * 3)"# : ""
        return Data(#"{"kind":"ServiceAccountList","metadata":{"resourceVersion":"100"\#(next)},"items":[\#(items)]}"#.utf8)
    }

    func testPagesAreFetchedWithTokensAndDecodedInOrder() async throws {
        let requested = Mutex<[String?]>([])
        let pages = 4
        var seen: [Int] = []
        let list = try await KubeListDecoder.decodePagesConcurrently(as: ServiceAccount.self, fetchPage: { token in
            requested.withLock { $0.append(token) }
            let index = token.map { Int($0.dropFirst("token-".count)) ?? 0 } ?? 0
            return Self.page(index, of: pages)
        }, onPage: { page in seen.append(page.items.count) })
        XCTAssertEqual(requested.withLock { $0 }, [nil, "token-1", "token-2", "token-3"])
        XCTAssertEqual(seen, [3, 3, 3, 3])
        XCTAssertEqual(list.items.map(\.metadata.name).prefix(4), ["sa-0-0", "sa-0-1", "sa-0-2", "sa-1-0"])
        XCTAssertEqual(list.items.count, 12)
        XCTAssertEqual(list.resourceVersion, "100")
        XCTAssertNil(list.continueToken)
    }

    func testAPageErrorStopsTheList() async {
        do {
            _ = try await KubeListDecoder.decodePagesConcurrently(as: ServiceAccount.self, fetchPage: { token in
                token == nil ? Data(#"{"metadata":{"continue":"t"},"items":[{"metadata":{}}]}"#.utf8) : Data("{}".utf8)
            })
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual((error as? KubeJSONError)?.kind, .missingField("name"))
        }
    }

    func testPeekListMetadata() throws {
        let meta = try KubeListDecoder.peekListMetadata(Self.page(0, of: 2))
        XCTAssertEqual(meta, KubeListMetadata(resourceVersion: "100", continueToken: "token-1", remainingItemCount: 3))
        let itemsFirst = #"{"items":[{"a":[1,{"b":null}]}],"metadata":{"continue":"x"}}"#
        XCTAssertEqual(try KubeListDecoder.peekListMetadata(Array(itemsFirst.utf8)).continueToken, "x")
    }
}
