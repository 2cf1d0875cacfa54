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
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return d }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
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
