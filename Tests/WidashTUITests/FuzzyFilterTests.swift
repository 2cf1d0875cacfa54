import XCTest
import WidashCore
@testable import WidashTUI

/// `/-f text`: rows whose search text holds the letters of `text` in order, in the table's sort.
final class FuzzyFilterTests: XCTestCase {
    func testParsingAndMatching() {
        let f = RowFilter("-f Fr ND")
        XCTAssertTrue(f.fuzzy)
        XCTAssertEqual(f.text, "frnd", "lowercased, whitespace ignored")
        XCTAssertTrue(f.matches(haystack: "shop frontend", labels: [:]))
        XCTAssertTrue(f.matches(haystack: "FRiend", labels: [:]))
        XCTAssertFalse(f.matches(haystack: "shop frontal", labels: [:]), "no d after the n")
        XCTAssertFalse(f.matches(haystack: "dnrf", labels: [:]), "order matters")
        XCTAssertFalse(RowFilter("frnd").fuzzy, "plain /text stays a substring")
        XCTAssertFalse(RowFilter("frnd").matches(haystack: "shop frontend", labels: [:]))
        XCTAssertTrue(RowFilter("-f").isEmpty)
        XCTAssertTrue(RowFilter("-f é").matches(haystack: "café", labels: [:]), "non-ASCII takes the string path")
    }

    func testSearchTextBytesAgreeWithStrings() {
        var text = SearchText()
        let rows = ["shop frontend ✓ ok", "broken wrong-subject ✗ mismatch", "", "aws irsa-ok"]
        for r in rows { text.append(r) }
        for needle in ["frnd", "wsub", "ok", "z", "sok", "ao"] {
            for (i, r) in rows.enumerated() {
                XCTAssertEqual(text.containsInOrder(row: i, needle: Array(needle.utf8)), RowFilter.containsInOrder(r.lowercased(), needle),
                               "\(needle) in \(r)")
            }
        }
    }

    func testNarrowingOnlyBetweenFuzzyFilters() {
        XCTAssertTrue(RowFilter("-f wsbj").narrows(RowFilter("-f wsj")), "the shorter's letters in order in the longer")
        XCTAssertFalse(RowFilter("-f wsj").narrows(RowFilter("-f ws j x")))
        XCTAssertFalse(RowFilter("-f jw").narrows(RowFilter("-f wj")))
        XCTAssertFalse(RowFilter("-f wsj").narrows(RowFilter("ws")), "a fuzzy match may not hold the substring")
        XCTAssertFalse(RowFilter("wsj").narrows(RowFilter("-f ws")))
    }

    func testDashboardKeepsTheSortAndSaysFuzzy() throws {
        for unicode in [true, false] {
            var s = TestSupport.loadedState(width: 80, height: 12)
            let all = s.index.identityRows
            TestSupport.send(&s, "/-f wrgsub")
            TestSupport.press(&s, .enter)
            let shown = s.index.identityRows
            let ids = s.inventory.identities
            let expected = all.filter { RowFilter.containsInOrder(IdentityCells.haystack(ids[$0]).lowercased(), "wrgsub") }
            XCTAssertEqual(shown, expected, "the matching rows, in the table's order")
            XCTAssertTrue(shown.contains { ids[$0].key == "broken/wrong-subject" })
            XCTAssertLessThan(shown.count, all.count)
            let buf = DashboardView.render(s, unicode: unicode)
            HabitSnapshot.assertLines(buf.lines, unicode ? [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.… refreshed 3s ago",
            " <enter> open  <t> trace  <f> token  </> filter  <s> sort  <?> help  <:> cmd  <…",
            "┌───────────────────── Identities(all)[3] <fuzzy /wrgsub> ─────────────────────┐",
            "│ NAMES… NAME          PROVI… IDENTITY TENAN… PODS TTL EXPIRE… TRUST  STATUS  …│",
            "│ broken wrong-audien… Azure… e5b7a02… 5f1c1… 1/1  1h  5m00s   -      ✗ federa…│",
            "│ broken wrong-issuer  Azure… d4a6f91… 5f1c1… 1/1  1h  10m00s  -      ✗ federa…│",
            "│ broken wrong-subject Azure… c3f5e80… 5f1c1… 1/1  1h  20m00s  -      ✗ federa…│",
            "│                                                                              │",
            "└──────────────────────────────────────────────────────────────────────────────┘",
            "  identities",
            " 14 service accounts  ✗ 4 errors  ⚠ 3 warnings  theme default",
            ] : [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo.~ refreshed 3s ago",
            " <enter> open  <t> trace  <f> token  </> filter  <s> sort  <?> help  <:> cmd  <~",
            "+--------------------- Identities(all)[3] <fuzzy /wrgsub> ---------------------+",
            "| NAMES~ NAME          PROVI~ IDENTITY TENAN~ PODS TTL EXPIRE~ TRUST  STATUS  ~|",
            "| broken wrong-audien~ Azure~ e5b7a02~ 5f1c1~ 1/1  1h  5m00s   -      x federa~|",
            "| broken wrong-issuer  Azure~ d4a6f91~ 5f1c1~ 1/1  1h  10m00s  -      x federa~|",
            "| broken wrong-subject Azure~ c3f5e80~ 5f1c1~ 1/1  1h  20m00s  -      x federa~|",
            "|                                                                              |",
            "+------------------------------------------------------------------------------+",
            "  identities",
            " 14 service accounts  x 4 errors  ! 3 warnings  theme default",
            ], "fuzzy filter 80x12 \(unicode ? "UTF-8" : "ASCII")")
            XCTAssertTrue(buf.lines[3].contains("<fuzzy /wrgsub>"), buf.lines[3])
        }
    }

    /// 10 000 identities through the cache, typed a letter at a time: each keystroke narrows the
    /// last result, and every result is exactly the reference's (filter every row, then sort).
    func testTenThousandRowsThroughTheCache() {
        let inventory = TableCacheTests.inventory(count: 10_000)
        var cache = TableCache()
        let sort = SortState()
        _ = cache.index(inventory: inventory, generation: 1, filter: "", sort: sort)
        var sources: [TableCache.Source] = []
        for filter in ["-f", "-f s", "-f s0", "-f s07", "-f s079", "-f s07", "-f t1s7", "-f é"] {
            let cached = cache.index(inventory: inventory, generation: 1, filter: filter, sort: sort)
            sources.append(cache.lastSource)
            let reference = ReferenceIndex.build(inventory: inventory, filter: filter, sort: sort)
            XCTAssertEqual(cached, reference, filter)
        }
        XCTAssertEqual(sources, [.full, .full, .narrowed, .narrowed, .narrowed, .recent, .narrowed, .full])
    }
}
