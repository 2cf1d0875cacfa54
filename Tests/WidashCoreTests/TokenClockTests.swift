import XCTest
@testable import WidashCore

final class TokenClockTests: XCTestCase {
    let start = Date(timeIntervalSince1970: 1_780_000_000)

    func testFormatsDurationsInTwoUnits() {
        XCTAssertEqual(TokenClock.formatDuration(3552), "59m 12s")
        XCTAssertEqual(TokenClock.formatDuration(7380), "2h 3m")
        XCTAssertEqual(TokenClock.formatDuration(7399), "2h 3m")
        XCTAssertEqual(TokenClock.formatDuration(240), "4m")
        XCTAssertEqual(TokenClock.formatDuration(45), "45s")
        XCTAssertEqual(TokenClock.formatDuration(0), "0s")
        XCTAssertEqual(TokenClock.formatDuration(90_061), "1d 1h")
        XCTAssertEqual(TokenClock.formatDuration(-240), "4m")
    }

    func testDescribesExpiryWithSkew() {
        let exp = start.addingTimeInterval(3600)
        XCTAssertEqual(TokenClock.describeExpiry(exp, now: start.addingTimeInterval(48)), "expires in 59m 12s")
        XCTAssertEqual(TokenClock.describeExpiry(exp, now: exp.addingTimeInterval(240)), "expired 4m ago")
        // With 5 minutes of skew allowed, a token 3 minutes from expiry cannot be relied on.
        XCTAssertEqual(TokenClock.remaining(until: exp, now: exp.addingTimeInterval(-180), skew: 300), -120)
        XCTAssertEqual(TokenClock.describeExpiry(exp, now: exp.addingTimeInterval(-180), skew: 300), "expired 2m ago")
    }

    func testOneHourTokenIsRefreshedAt48Minutes() {
        XCTAssertEqual(TokenSchedule.refreshAge(ttlSeconds: 3600), 2880)
        let s = TokenSchedule.kubelet(podStart: start, ttlSeconds: 3600, now: start.addingTimeInterval(600))
        XCTAssertEqual(s.issuedAt, start)
        XCTAssertEqual(s.refreshAt, start.addingTimeInterval(48 * 60))
        XCTAssertEqual(s.expiresAt, start.addingTimeInterval(3600))

        // After two refreshes (at 48 and 96 minutes) the current token was issued at 96 minutes.
        let later = TokenSchedule.kubelet(podStart: start, ttlSeconds: 3600, now: start.addingTimeInterval(100 * 60))
        XCTAssertEqual(later.issuedAt, start.addingTimeInterval(96 * 60))
        XCTAssertEqual(later.refreshAt, start.addingTimeInterval(144 * 60))
        XCTAssertEqual(later.expiresAt, start.addingTimeInterval(96 * 60 + 3600))
        // Exactly at a refresh point the new token is current.
        let atRefresh = TokenSchedule.kubelet(podStart: start, ttlSeconds: 3600, now: start.addingTimeInterval(2880))
        XCTAssertEqual(atRefresh.issuedAt, start.addingTimeInterval(2880))
    }

    func testOneDayTokenFollowsThe80PercentRuleAndLongerOnesThe24HourRule() {
        // 86400 s: 80 % is 19h12m, earlier than 24 h.
        XCTAssertEqual(TokenSchedule.refreshAge(ttlSeconds: 86_400), 69_120)
        let day = TokenSchedule.kubelet(podStart: start, ttlSeconds: 86_400, now: start.addingTimeInterval(20 * 3600))
        XCTAssertEqual(day.issuedAt, start.addingTimeInterval(69_120))
        XCTAssertEqual(TokenClock.formatDuration(day.refreshAt.timeIntervalSince(day.issuedAt)), "19h 12m")
        // 48 h: 80 % would be 38.4 h, but kubelet refreshes at 24 h.
        XCTAssertEqual(TokenSchedule.refreshAge(ttlSeconds: 172_800), 86_400)
        let twoDays = TokenSchedule.kubelet(podStart: start, ttlSeconds: 172_800, now: start.addingTimeInterval(25 * 3600))
        XCTAssertEqual(twoDays.issuedAt, start.addingTimeInterval(86_400))
        XCTAssertEqual(twoDays.expiresAt, start.addingTimeInterval(86_400 + 172_800))
    }

    func testPodNotStartedYetAndTokenSchedule() {
        let s = TokenSchedule.kubelet(podStart: start, ttlSeconds: 3600, now: start.addingTimeInterval(-60))
        XCTAssertEqual(s.issuedAt, start)
        let t = TokenSchedule.forToken(issuedAt: start, expiresAt: start.addingTimeInterval(600))
        XCTAssertEqual(t.ttlSeconds, 600)
        XCTAssertEqual(t.refreshAt, start.addingTimeInterval(480))
    }

    func testParsesKubernetesTimestamps() {
        XCTAssertEqual(TokenClock.parseTimestamp("2026-05-28T20:26:40Z"), start)
        XCTAssertEqual(TokenClock.parseTimestamp("2026-05-28T20:26:40.000000Z"), start)
        XCTAssertNil(TokenClock.parseTimestamp("yesterday"))
        XCTAssertNil(TokenClock.parseTimestamp(nil))
        XCTAssertEqual(TokenClock.timestamp(start), "2026-05-28T20:26:40Z")
    }

    func testTheFastTimestampReaderAgreesWithISO8601FormatStyle() throws {
        var generator = SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int64.random(in: -2_000_000_000...8_000_000_000, using: &generator)))
            let text = date.formatted(Date.ISO8601FormatStyle())
            XCTAssertEqual(TokenClock.parseUTCSeconds(text), try Date(text, strategy: Date.ISO8601FormatStyle()), text)
        }
        for leap in ["2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z"] {
            XCTAssertEqual(TokenClock.parseUTCSeconds(leap), try Date(leap, strategy: Date.ISO8601FormatStyle()), leap)
        }
        // Not this exact form, or not a real time: left to the full parser (which refuses or reads them).
        for odd in ["2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+01:00",
                    "2026-01-01T00:00:00.5Z", "2026-01-0xT00:00:00Z", "", "2026-04-31T00:00:00Z"] {
            XCTAssertNil(TokenClock.parseUTCSeconds(odd), odd)
        }
        XCTAssertEqual(TokenClock.parseTimestamp("2026-01-01T01:00:00+01:00"), TokenClock.parseTimestamp("2026-01-01T00:00:00Z"))
    }
}
