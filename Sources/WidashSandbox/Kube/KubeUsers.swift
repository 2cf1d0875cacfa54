import Foundation

/// A user of the sandbox's Kubernetes API, authenticated by bearer token.
struct KubeUser: Sendable {
    var name: String
    var groups: [String]
    /// Whether RBAC lets this user `create serviceaccounts/token` (the limited user may not).
    var canCreateTokens: Bool

    /// May this user do `verb` on `resource` (with subresource as `resource/sub`)? Everyone may read;
    /// only the admin may create tokens. Self reviews are allowed for every authenticated user.
    func allows(verb: String, resource: String, group: String) -> Bool {
        switch verb {
        case "get", "list", "watch": return true
        case "create":
            if resource == "serviceaccounts/token" { return canCreateTokens }
            return group == "authentication.k8s.io" || group == "authorization.k8s.io"
        default: return canCreateTokens
        }
    }

    static func randomToken(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + bytes.map { String(format: "%02x", $0) }.joined()
    }
}
