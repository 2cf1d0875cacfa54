import XCTest
import WidashCore
@testable import WidashTUI

/// JWT headers and claims as people read them: one claim per line, nested objects indented, times
/// with their UTC date and how far from now; exact text, as lines and rendered at fixed sizes.
final class ClaimsSnapshotTests: XCTestCase {
    static let now = TestSupport.now  // 2025-06-15 15:06:40 UTC

    /// A kubelet-projected token's claims (the shape of `kubernetes.io` from the TokenRequest API).
    static let claimsJSON = """
    {"aud":["api://AzureADTokenExchange"],"exp":1750003600,"iat":1749996400,"iss":"https://oidc.widash-demo.local/6c3e9f70-aks",\
    "kubernetes.io":{"namespace":"shop","node":{"name":"aks-nodepool1-0","uid":"9d2c"},"pod":{"name":"frontend-7d9f","uid":"51e0"},\
    "serviceaccount":{"name":"frontend","uid":"c2a1"},"warnafter":1749999000},"nbf":1749996400,\
    "sub":"system:serviceaccount:shop:frontend","groups":[],"amr":[{"method":"pwd"},"otp"],"note":"Grüße, 名前",\
    "scp":"https://vault.azure.net/.default https://storage.azure.com/.default offline_access openid profile"}
    """
    static let headerJSON = #"{"alg":"RS256","kid":"demo-key-1","typ":"JWT"}"#

    static let expectedLines = [
        "aud: [api://AzureADTokenExchange]",
        "exp: 1750003600  2025-06-15 16:06:40 UTC (in 1h)",
        "iat: 1749996400  2025-06-15 14:06:40 UTC (1h ago)",
        "iss: https://oidc.widash-demo.local/6c3e9f70-aks",
        "kubernetes.io:",
        "  namespace: shop",
        "  node:",
        "    name: aks-nodepool1-0",
        "    uid: 9d2c",
        "  pod:",
        "    name: frontend-7d9f",
        "    uid: 51e0",
        "  serviceaccount:",
        "    name: frontend",
        "    uid: c2a1",
        "  warnafter: 1749999000  2025-06-15 14:50:00 UTC (16m 40s ago)",
        "nbf: 1749996400  2025-06-15 14:06:40 UTC (1h ago)",
        "sub: system:serviceaccount:shop:frontend",
        "groups: []",
        "amr:",
        "  - method: pwd",
        "  - otp",
        "note: Grüße, 名前",
        "scp: https://vault.azure.net/.default https://storage.azure.com/.default offline_access openid profile",
    ]

    func testClaimLinesOneClaimPerLineNestedIndentedTimesAbsoluteAndRelative() throws {
        let claims = try JSONValue.parse(Self.claimsJSON)
        XCTAssertEqual(ClaimLines.lines(claims, now: Self.now), Self.expectedLines)
        let entries = ClaimLines.entries(claims, now: Self.now)
        let warn = try XCTUnwrap(entries.first { $0.path == "kubernetes.io.warnafter" })
        XCTAssertEqual(warn.value, "1749999000", "a time copies as its number")
        XCTAssertEqual(entries.first { $0.path == "kubernetes.io.pod.name" }?.value, "frontend-7d9f")
        XCTAssertNil(entries.first { $0.path == "kubernetes.io" }?.value, "a block's head has no value to copy")
        XCTAssertEqual(entries.first { $0.path == "aud" }?.value, "api://AzureADTokenExchange")
    }

    func testStringsWithLineBreaksStayOnOneLineAndHostileNestingIsBounded() throws {
        let tricky = try JSONValue.parse(#"{"a":"x\ny","deep":[[[[[[[[[[1]]]]]]]]]]}"#)
        let lines = ClaimLines.lines(tricky, now: Self.now)
        XCTAssertEqual(lines.first, #"a: "x\ny""#)
        XCTAssertTrue(lines.allSatisfy { !$0.contains("\n") })
        XCTAssertLessThan(lines.count, 20)
        XCTAssertEqual(ClaimLines.lines(.string("plain"), now: Self.now), [#""plain""#])
    }

    /// The token view at 60×20 with the decoded header and claims, the cursor on the last claim.
    private func tokenState() throws -> AppState {
        var s = TestSupport.loadedState(width: 60, height: 20)
        var t = TokenInspection(namespace: "shop", serviceAccount: "frontend", pod: "frontend-7d9f", headerLines: [], claimLines: [],
                                issuedAt: nil, expiresAt: Date(timeIntervalSince1970: 1_750_003_600),
                                signature: .verified(keyID: "demo-key-1"), cloudTokenSummary: nil)
        t.header = try JSONValue.parse(Self.headerJSON)
        t.claims = try JSONValue.parse(Self.claimsJSON)
        Navigation.push(&s, .token)
        _ = update(&s, .token(t))
        TestSupport.send(&s, "G")
        TestSupport.send(&s, "N")
        return s
    }

    static let tokenScreenUTF8 = [
        " widash  context widash-demo  cluster widash-demo  user de…",
        " api https://127.0.0.1:6443  issuer https… refreshed 3s ago",
        " <f> fetch again  <t> trace  <j/k> scroll  <?> help  <:> cm…",
        "┌───────────────────────── Token ──────────────────────────┐",
        "│   groups: []                                             │",
        "│   amr:                                                   │",
        "│     - method: pwd                                        │",
        "│     - otp                                                │",
        "│   note: Grüße, 名前                                      │",
        "│   scp: https://vault.azure.net/.default                  │",
        "│        https://storage.azure.com/.default offline_access │",
        "│        openid profile                                    │",
        "│                                                          │",
        "│ Cloud token                                              │",
        "│   none                                                   │",
        "│                                                          │",
        "│ Token: hidden (start widash with --show-token to show it)│",
        "└─────────────────────────────────────────────── 30-42/42 ─┘",
        "  identities   token",
        " claim scp: y copies it",
    ]
    static let tokenScreenASCII = [
        " widash  context widash-demo  cluster widash-demo  user de~",
        " api https://127.0.0.1:6443  issuer https~ refreshed 3s ago",
        " <f> fetch again  <t> trace  <j/k> scroll  <?> help  <:> cm~",
        "+------------------------- Token --------------------------+",
        "|   groups: []                                             |",
        "|   amr:                                                   |",
        "|     - method: pwd                                        |",
        "|     - otp                                                |",
        "|   note: Gr??e, ??                                        |",
        "|   scp: https://vault.azure.net/.default                  |",
        "|        https://storage.azure.com/.default offline_access |",
        "|        openid profile                                    |",
        "|                                                          |",
        "| Cloud token                                              |",
        "|   none                                                   |",
        "|                                                          |",
        "| Token: hidden (start widash with --show-token to show it)|",
        "+----------------------------------------------- 30-42/42 -+",
        "  identities   token",
        " claim scp: y copies it",
    ]

    func testTokenViewSnapshotUTF8AndASCII() throws {
        let s = try tokenState()
        let utf8 = DashboardView.render(s).lines
        let ascii = DashboardView.render(s, unicode: false).lines
        if ProcessInfo.processInfo.environment["WIDASH_RECORD"] == "1" {
            print(utf8.map { "\"\($0)\"," }.joined(separator: "\n"))
            print(ascii.map { "\"\($0)\"," }.joined(separator: "\n"))
        }
        XCTAssertEqual(utf8, Self.tokenScreenUTF8)
        XCTAssertEqual(ascii, Self.tokenScreenASCII)
    }
}
