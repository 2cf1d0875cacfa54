import XCTest
@testable import WidashCore

final class InventoryOutputTests: XCTestCase {
    func sample() -> Inventory {
        let irsa = Fx.sa("pay", "reader", [IdentityAnnotation.awsRoleARN: Fx.roleARN])
        return Fx.build(ClusterSnapshot(
            serviceAccounts: [Fx.azureSA(), irsa, Fx.sa("shop", "default"),
                              Fx.sa("shop", "gcs", [IdentityAnnotation.gcpServiceAccount: "reader@proj.iam.gserviceaccount.com"])],
            pods: [Fx.pod("shop", "front-1", labels: Fx.useLabel, injected: Fx.azureInjected()),
                   Fx.pod("shop", "front-2"),
                   Fx.pod("pay", "reader-1", sa: "reader", injected: Fx.irsaInjected())],
            webhooks: [Fx.azureWebhook, Fx.awsWebhook], issuer: "https://issuer.example", issuerDiscoveryReachable: true))
    }

    func testJSONIsSortedPrettyISO8601AndRoundTrips() throws {
        let inventory = sample()
        let data = try InventoryJSON.encode(inventory)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains(#""startTime" : "2026-05-28T18:00:05Z""#), text)
        XCTAssertTrue(text.contains(#""provider" : "aws-irsa""#))
        XCTAssertTrue(text.contains(#""cloudIdentity" : "arn:aws:iam::123456789012:role/shop-reader""#), "slashes unescaped")
        // Keys sorted: "annotations" precedes "bindings" in an entry.
        let a = try XCTUnwrap(text.range(of: #""annotations""#)), b = try XCTUnwrap(text.range(of: #""bindings""#))
        XCTAssertLessThan(a.lowerBound, b.lowerBound)
        XCTAssertEqual(try InventoryJSON.decode(data), inventory)
        // Stable: the same inventory gives the same bytes.
        XCTAssertEqual(try InventoryJSON.encode(inventory), data)
    }

    func testTableHasHeadersRowsAndFindings() {
        let out = InventoryTable.render(sample(), width: 200)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0].split(separator: " ", omittingEmptySubsequences: true).joined(separator: " "),
                       "NAMESPACE SERVICE ACCOUNT PROVIDER IDENTITY TENANT/ACCOUNT PODS TTL TRUST STATUS")
        // Not audited here (no `trust`): TRUST shows "-".
        XCTAssertEqual(squash(lines[1]), "pay reader AWS IRSA \(Fx.roleARN) 123456789012 1 1d - ok")
        XCTAssertEqual(squash(lines[2]), "shop default - - - 0 - - -")
        XCTAssertEqual(squash(lines[3]), "shop front Azure WI \(Fx.clientID) \(Fx.tenantID) 2 1h - error")
        XCTAssertEqual(squash(lines[4]), "shop gcs GKE WI reader@proj.iam.gserviceaccount.com proj 0 - - ok")
        XCTAssertTrue(out.contains("FINDINGS (1)"), out)
        XCTAssertTrue(out.contains("ERROR missing-use-label shop/front-2: pod shop/front-2 uses service account front"), out)
        XCTAssertTrue(out.contains("    kubectl -n shop patch") || out.contains("  fix: kubectl -n shop patch"), out)
        // Columns line up: every row's PROVIDER starts where the header's does.
        let column = lines[0].range(of: "PROVIDER").map { lines[0].distance(from: lines[0].startIndex, to: $0.lowerBound) }
        for row in lines[1...4] {
            let idx = row.index(row.startIndex, offsetBy: column ?? 0)
            XCTAssertNotEqual(row[row.index(before: idx)], Character("x"))
            XCTAssertEqual(row[row.index(before: idx)], " ", row)
        }
    }

    func testTableFitsNarrowWidthAndWrapsFindings() {
        let out = InventoryTable.render(sample(), width: 80)
        for line in out.split(separator: "\n") {
            XCTAssertLessThanOrEqual(line.count, 80, String(line))
        }
        XCTAssertTrue(out.contains("…"), "long identities are truncated with an ellipsis")
        XCTAssertTrue(out.contains("STATUS"))
    }

    func testEmptyInventory() {
        let out = InventoryTable.render(Inventory(issuer: nil, webhooks: [], identities: [], clusterFindings: []), width: 100)
        XCTAssertEqual(out, "No service accounts found.\n")
    }

    func testWrapSplitsLongWords() {
        let lines = InventoryTable.wrap("fix: " + String(repeating: "z", count: 100), width: 40, indent: 4, firstIndent: 2)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 40 }, "\(lines)")
        XCTAssertEqual(lines.joined().filter { $0 == "z" }.count, 100)
    }

    private func squash(_ s: String) -> String {
        s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
