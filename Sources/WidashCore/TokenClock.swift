import Foundation

/// Time arithmetic for tokens: remaining lifetime with clock skew and human-readable durations.
public enum TokenClock {
    /// Seconds left until `expiry`, treating the local clock as up to `skew` seconds fast: the
    /// result is what can be relied on. Negative once expired.
    public static func remaining(until expiry: Date, now: Date, skew: TimeInterval = 0) -> TimeInterval {
        expiry.timeIntervalSince(now) - skew
    }

    /// A duration in its two largest units, zero parts dropped: "45s", "59m 12s", "4m", "2h 3m",
    /// "1d 2h". Negative durations are formatted by magnitude.
    public static func formatDuration(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return "∞" }
        let total = Int(abs(seconds).rounded(.down))
        let units: [(Int, String)] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")]
        guard total > 0 else { return "0s" }
        var parts: [String] = []
        var rest = total
        var started = false
        for (size, suffix) in units {
            let n = rest / size
            rest %= size
            if started || n > 0 {
                started = true
                if n > 0 { parts.append("\(n)\(suffix)") }
                if parts.count == 2 { break }
                // Only the largest unit and the one right after it are shown.
                if parts.count == 1 && n == 0 { break }
            }
        }
        return parts.isEmpty ? "0s" : parts.joined(separator: " ")
    }

    /// "expires in 59m 12s" or "expired 4m ago", after allowing for `skew`.
    public static func describeExpiry(_ expiry: Date, now: Date, skew: TimeInterval = 0) -> String {
        let left = remaining(until: expiry, now: now, skew: skew)
        return left > 0 ? "expires in \(formatDuration(left))" : "expired \(formatDuration(left)) ago"
    }

    /// RFC 3339 UTC timestamp, e.g. `2026-03-01T12:00:00Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// Parses a Kubernetes RFC 3339 timestamp, with or without fractional seconds.
    public static func parseTimestamp(_ text: String?) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        if let d = parseUTCSeconds(text) { return d }
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return d }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension TokenClock {
    /// The form the API server writes, `2026-05-28T18:00:05Z`, read by hand: the inventory parses one
    /// per pod on every rebuild, and the format-style parser costs microseconds each. Anything
    /// else (offsets, fractions, out-of-range fields) is left to `ISO8601FormatStyle`.
    static func parseUTCSeconds(_ text: String) -> Date? {
        text.utf8.withContiguousStorageIfAvailable { b -> Date? in
            guard b.count == 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A else {
                return nil
            }
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for i in from..<(from + count) {
                    let digit = Int(b[i]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                  let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                  (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
            // Days from the civil date (Howard Hinnant's algorithm), then seconds since 1970.
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            guard day <= Self.daysInMonth(year, month) else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
        } ?? nil
    }

    private static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

extension TokenSchedule {
    /// Kubelet never lets a projected token get older than this before refreshing it.
    public static let maximumRefreshAge: TimeInterval = 24 * 3_600
    /// TTL of a projected token when the projection sets no `expirationSeconds`.
    public static let defaultTTLSeconds = 3_600

    /// Age at which kubelet refreshes a token with this TTL: 80 % of the TTL, capped at 24 h.
    public static func refreshAge(ttlSeconds: Int) -> TimeInterval {
        min(Double(ttlSeconds) * 0.8, maximumRefreshAge)
    }

    /// Estimates the token a pod holds at `now`: kubelet requested the first token at pod start and
    /// a new one each time the current one reached its refresh age. (Kubelet adds up to 10 s of
    /// jitter and syncs periodically, so real times can be a little later.)
    public static func kubelet(podStart: Date, ttlSeconds: Int, now: Date) -> TokenSchedule {
        let ttl = max(ttlSeconds, 1)
        let interval = refreshAge(ttlSeconds: ttl)
        let elapsed = now.timeIntervalSince(podStart)
        let refreshes = elapsed > 0 ? (elapsed / interval).rounded(.down) : 0
        let issued = podStart.addingTimeInterval(refreshes * interval)
        return TokenSchedule(ttlSeconds: ttl, issuedAt: issued, refreshAt: issued.addingTimeInterval(interval),
                             expiresAt: issued.addingTimeInterval(Double(ttl)))
    }

    /// The schedule of a specific token from its `iat` and `exp` claims.
    public static func forToken(issuedAt: Date, expiresAt: Date) -> TokenSchedule {
        let ttl = max(Int(expiresAt.timeIntervalSince(issuedAt).rounded()), 1)
        return TokenSchedule(ttlSeconds: ttl, issuedAt: issuedAt,
                             refreshAt: issuedAt.addingTimeInterval(refreshAge(ttlSeconds: ttl)), expiresAt: expiresAt)
    }
}
