import Foundation

/// A pod's own projected token file, read from inside the pod, judged against what the kubelet
/// should have written there. Never holds the token itself.
///
/// The kubelet's rule (k/k `pkg/kubelet/token/token_manager.go` `requiresRefresh`): a token is
/// refreshed once it is older than 80 % of its lifetime or 24 h (less a jitter of up to 10 s);
/// when the refresh fails the old file stays (`pkg/volume/projected/projected.go` writes only
/// after a successful fetch), so a file past its refresh time means the kubelet could not refresh
/// it, and an expired file is what the application will present.
public struct ProjectedTokenFile: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Younger than its refresh time.
        case fresh
        /// Older than its refresh time but not expired: the kubelet is late (or lost contact).
        case pastRefresh
        /// Expired: the cloud refuses it (AADSTS700024, STS ExpiredTokenException).
        case expired
        /// Not a token widash can judge (not a JWT, no exp).
        case unreadable
    }

    public var path: String
    public var container: String?
    public var readAt: Date
    public var issuedAt: Date?
    /// The expiry that counts: `exp`, or `kubernetes.io.warnafter` when the API server extended
    /// the token (`--service-account-extend-token-expiration`; the intended lifetime is warnafter).
    public var expiresAt: Date?
    public var refreshDueAt: Date?
    public var audiences: [String]
    public var issuer: String?
    public var subject: String?
    /// The node whose kubelet minted it (`kubernetes.io.node.name`, Kubernetes ≥ 1.30).
    public var node: String?
    public var state: State
    /// What is wrong with it, one sentence each (empty when fresh and as expected).
    public var problems: [String]

    /// Judges a token read at `now` from `path`, against the audience and issuer the pod should
    /// present (nil: not compared).
    public static func judge(token: String, path: String, container: String?, expectedAudience: String?,
                             expectedIssuer: String?, now: Date) -> ProjectedTokenFile {
        var file = ProjectedTokenFile(path: path, container: container, readAt: now, audiences: [], state: .unreadable, problems: [])
        guard let jwt = try? JWT.decode(token.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            file.problems = ["\(path) does not hold a JWT"]
            return file
        }
        file.audiences = jwt.aud
        file.issuer = jwt.iss
        file.subject = jwt.sub
        file.node = jwt.kubernetes?.node?.name
        file.issuedAt = jwt.iat ?? jwt.nbf
        file.expiresAt = jwt.kubernetes?.warnAfter ?? jwt.exp
        guard let expires = file.expiresAt else {
            file.problems = ["the token in \(path) has no exp"]
            return file
        }
        if let issued = file.issuedAt {
            let lifetime = max(0, expires.timeIntervalSince(issued))
            file.refreshDueAt = issued.addingTimeInterval(min(lifetime * 0.8, 24 * 3600))
            if issued.timeIntervalSince(now) > 60 {
                file.problems.append("issued \(TokenClock.formatDuration(issued.timeIntervalSince(now))) in the future: the node's clock or this machine's is wrong")
            }
        }
        let kubelet = file.node.map { "the kubelet on node \($0)" } ?? "the kubelet"
        if expires <= now {
            file.state = .expired
            var sentence = "expired \(TokenClock.formatDuration(now.timeIntervalSince(expires))) ago"
            if let due = file.refreshDueAt {
                sentence += ", refresh was due \(TokenClock.formatDuration(now.timeIntervalSince(due))) ago: \(kubelet) is not refreshing it"
            }
            file.problems.insert(sentence, at: 0)
        } else if let due = file.refreshDueAt, due.addingTimeInterval(60) < now {
            // A minute of grace: the kubelet's jitter (≤ 10 s) and its sync period.
            file.state = .pastRefresh
            file.problems.insert("refresh was due \(TokenClock.formatDuration(now.timeIntervalSince(due))) ago and has not happened: "
                                 + "\(kubelet) is not refreshing it (expires in \(TokenClock.formatDuration(expires.timeIntervalSince(now))))", at: 0)
        } else {
            file.state = .fresh
        }
        if let expectedAudience, !jwt.aud.contains(expectedAudience) {
            file.problems.append("audience \(jwt.aud.joined(separator: ",")) instead of \(expectedAudience): projected by an older webhook or configuration; restart the pod")
        }
        if let expectedIssuer, let issuer = jwt.iss, issuer != expectedIssuer {
            file.problems.append("issuer \(issuer) instead of the cluster's \(expectedIssuer)")
        }
        return file
    }

    /// The finding for the pod that holds this file: an expired file (`pod-token-expired`, an
    /// error: the cloud refuses it) or one past its refresh time (`pod-token-not-refreshed`, a
    /// warning); nil when fresh.
    public func finding(pod: String) -> Finding? {
        let fix = "restart the pod (kubectl delete pod \(pod.split(separator: "/").last ?? "") -n \(pod.split(separator: "/").first ?? "")) "
            + "after checking \(node.map { "node \($0)" } ?? "its node") (kubectl describe node\(node.map { " \($0)" } ?? "")): "
            + "a kubelet that lost contact with the API server cannot refresh projected tokens; "
            + "an app that keeps an old token must re-read the file instead of caching it"
        switch state {
        case .expired:
            return Finding(code: "pod-token-expired", severity: .error, subject: pod,
                           message: "the token file \(path) is \(summary)", fix: fix)
        case .pastRefresh:
            return Finding(code: "pod-token-not-refreshed", severity: .warning, subject: pod,
                           message: "the token file \(path): \(summary)", fix: fix)
        case .fresh, .unreadable:
            return nil
        }
    }

    /// One line: state and the first problem.
    public var summary: String {
        switch state {
        case .unreadable: return problems.first ?? "not a token"
        case .fresh:
            let expiry = expiresAt.map { ", expires \(TokenClock.timestamp($0))" } ?? ""
            return problems.isEmpty ? "fresh\(expiry)" : problems.joined(separator: "; ")
        case .pastRefresh, .expired: return problems.joined(separator: "; ")
        }
    }
}
