import Foundation
import XCTest
@testable import WidashCore

/// A pod's own token file judged by the kubelet's rule (token_manager.go `requiresRefresh`:
/// older than 80 % of its lifetime or 24 h).
final class ProjectedTokenFileTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func token(iat: Date, exp: Date, aud: String = "api://AzureADTokenExchange", iss: String = "https://issuer.example",
                       node: String? = "aks-nodepool1-0", warnAfter: Date? = nil) -> String {
        func b64(_ object: [String: Any]) -> String {
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        var kube: [String: Any] = ["namespace": "broken", "pod": ["name": "stale-token", "uid": "u1"],
                                   "serviceaccount": ["name": "stale-token", "uid": "u2"]]
        if let node { kube["node"] = ["name": node, "uid": "u3"] }
        if let warnAfter { kube["warnafter"] = Int(warnAfter.timeIntervalSince1970) }
        let claims: [String: Any] = ["aud": [aud], "iss": iss, "sub": "system:serviceaccount:broken:stale-token",
                                     "iat": Int(iat.timeIntervalSince1970), "nbf": Int(iat.timeIntervalSince1970),
                                     "exp": Int(exp.timeIntervalSince1970), "kubernetes.io": kube]
        return b64(["alg": "RS256", "kid": "k1"]) + "." + b64(claims) + ".c2lnbmF0dXJl"
    }

    private func judge(_ token: String, audience: String? = "api://AzureADTokenExchange") -> ProjectedTokenFile {
        ProjectedTokenFile.judge(token: token + "\n", path: "/var/run/secrets/azure/tokens/azure-identity-token", container: "app",
                                 expectedAudience: audience, expectedIssuer: "https://issuer.example", now: now)
    }

    func testAFreshTokenIsFresh() {
        let file = judge(token(iat: now.addingTimeInterval(-600), exp: now.addingTimeInterval(3000)))
        XCTAssertEqual(file.state, .fresh)
        XCTAssertEqual(file.problems, [])
        XCTAssertEqual(file.refreshDueAt, now.addingTimeInterval(-600 + 2880), "80 % of 3600 s after issue")
        XCTAssertEqual(file.node, "aks-nodepool1-0")
    }

    func testAnExpiredFileSaysWhenTheRefreshWasDueAndWhichKubeletFailed() {
        // Issued 74 min ago for 1 h: expired 14 min ago; the refresh was due at 48 min, 26 min ago.
        let file = judge(token(iat: now.addingTimeInterval(-74 * 60), exp: now.addingTimeInterval(-14 * 60)))
        XCTAssertEqual(file.state, .expired)
        XCTAssertEqual(file.problems.first, "expired 14m ago, refresh was due 26m ago: the kubelet on node aks-nodepool1-0 is not refreshing it")
    }

    func testPastItsRefreshTimeButNotExpired() {
        let file = judge(token(iat: now.addingTimeInterval(-55 * 60), exp: now.addingTimeInterval(5 * 60)))
        XCTAssertEqual(file.state, .pastRefresh)
        XCTAssertTrue(file.summary.hasPrefix("refresh was due 7m ago and has not happened"), file.summary)
        let onTime = judge(token(iat: now.addingTimeInterval(-48 * 60 - 30), exp: now.addingTimeInterval(11 * 60 + 30)))
        XCTAssertEqual(onTime.state, .fresh, "within the minute the kubelet's jitter and sync may take")
    }

    func testLongLivedTokensAreRefreshedAfter24Hours() {
        let file = judge(token(iat: now.addingTimeInterval(-25 * 3600), exp: now.addingTimeInterval(47 * 3600)))
        XCTAssertEqual(file.refreshDueAt, now.addingTimeInterval(-3600))
        XCTAssertEqual(file.state, .pastRefresh)
    }

    func testWarnAfterIsTheIntendedExpiryOfExtendedTokens() {
        // --service-account-extend-token-expiration: exp a year out, warnafter the real lifetime.
        let file = judge(token(iat: now.addingTimeInterval(-2 * 3600), exp: now.addingTimeInterval(364 * 86400),
                               warnAfter: now.addingTimeInterval(-3600 + 7)), audience: nil)
        XCTAssertEqual(file.expiresAt, now.addingTimeInterval(-3600 + 7))
        XCTAssertEqual(file.state, .expired)
    }

    func testAnOldAudienceAndAForeignIssuerAreNamed() {
        let file = ProjectedTokenFile.judge(token: token(iat: now, exp: now.addingTimeInterval(3600), aud: "sts.amazonaws.com",
                                                         iss: "https://old.example"),
                                            path: "/t", container: nil, expectedAudience: "api://AzureADTokenExchange",
                                            expectedIssuer: "https://issuer.example", now: now)
        XCTAssertEqual(file.state, .fresh)
        XCTAssertEqual(file.problems.count, 2, "\(file.problems)")
        XCTAssertTrue(file.problems[0].contains("audience sts.amazonaws.com instead of api://AzureADTokenExchange"))
        XCTAssertTrue(file.problems[1].contains("issuer https://old.example instead of the cluster's https://issuer.example"))
    }

    func testATokenFromTheFutureBlamesAClock() {
        let file = judge(token(iat: now.addingTimeInterval(600), exp: now.addingTimeInterval(4200)))
        XCTAssertTrue(file.problems.contains { $0.contains("in the future") }, "\(file.problems)")
    }

    func testGarbageIsUnreadableNotACrash() {
        for text in ["", "not a token", "a.b.c", String(repeating: "x", count: 100_000)] {
            let file = ProjectedTokenFile.judge(token: text, path: "/t", container: nil, expectedAudience: nil, expectedIssuer: nil, now: now)
            XCTAssertEqual(file.state, .unreadable)
            XCTAssertFalse(file.summary.isEmpty)
        }
    }
}
