import Foundation
import WidashCore
import WidashCloud

/// Evidence about tokens: decoded claims and expiry facts. Never the token itself.
enum TokenFacts {
    /// Adds the test token's redacted form, header and claims, and its expiry.
    static func addToken(_ token: String, to evidence: inout Evidence, now: Date, expiryKey: String = "testTokenExpiresAt") -> DecodedJWT? {
        evidence["token"] = TokenRedaction.redact(token)
        guard let jwt = try? JWT.decode(token) else {
            evidence["tokenFormat"] = "not a JWT"
            return nil
        }
        evidence["header"] = jwt.header.serialized()
        evidence["claims"] = jwt.claims.serialized()
        evidence["iss"] = jwt.iss ?? "(none)"
        evidence["sub"] = jwt.sub ?? "(none)"
        evidence["aud"] = jwt.aud.joined(separator: ",")
        if let kid = jwt.kid { evidence["kid"] = kid }
        if let exp = jwt.exp {
            let left = Int(exp.timeIntervalSince(now))
            evidence[expiryKey] = TokenClock.timestamp(exp) + (left >= 0 ? " (in \(left) s)" : " (\(-left) s ago)")
        }
        if let warn = jwt.kubernetes?.warnAfter { evidence["warnAfter"] = TokenClock.timestamp(warn) }
        return jwt
    }

    /// Kubelet's schedule for the projected token: refreshed when older than 80 % of its TTL or
    /// 24 h; estimated from the pod's start time (the real issue time is not visible from outside).
    static func schedule(ttlSeconds: Int, podStart: Date?, now: Date) -> TokenSchedule? {
        guard let start = podStart, ttlSeconds > 0 else { return nil }
        let refreshAfter = min(Double(ttlSeconds) * 0.8, 24 * 3600)
        let age = max(0, now.timeIntervalSince(start))
        let issued = start.addingTimeInterval(floor(age / refreshAfter) * refreshAfter)
        return TokenSchedule(ttlSeconds: ttlSeconds, issuedAt: issued, refreshAt: issued.addingTimeInterval(refreshAfter),
                             expiresAt: issued.addingTimeInterval(Double(ttlSeconds)))
    }

    static func addProjected(ttl: Int, podStart: String?, to evidence: inout Evidence, now: Date) {
        let refresh = Int(min(Double(ttl) * 0.8, 24 * 3600))
        evidence["projectedTTL"] = "\(ttl) s (kubelet refreshes after \(refresh) s: 80 % of the TTL or 24 h)"
        if let s = schedule(ttlSeconds: ttl, podStart: podStart.flatMap(TokenClock.parseTimestamp), now: now) {
            evidence["projectedTokenEstimate"] = "issued ≈ \(TokenClock.timestamp(s.issuedAt)), refresh ≈ \(TokenClock.timestamp(s.refreshAt)), expires ≈ \(TokenClock.timestamp(s.expiresAt))"
        }
        if ttl < 600 { evidence["projectedTTLWarning"] = "below the 600 s minimum of TokenRequest" }
    }
}
