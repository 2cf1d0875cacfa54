import Foundation

/// A token minted by the TokenRequest API. `description` never shows the token.
public struct IssuedToken: Sendable, Equatable, CustomStringConvertible {
    public var token: String
    public var expirationTimestamp: Date
    public var audiences: [String]

    public init(token: String, expirationTimestamp: Date, audiences: [String]) {
        self.token = token
        self.expirationTimestamp = expirationTimestamp
        self.audiences = audiences
    }

    public var description: String {
        "IssuedToken(\(redact(token)), expires \(expirationTimestamp.formatted(.iso8601)), aud \(audiences))"
    }
}

/// authentication.k8s.io/v1 TokenRequest, as sent and as answered.
struct TokenRequestObject: Codable {
    struct BoundObjectReference: Codable {
        var kind: String
        var apiVersion: String
        var name: String
        var uid: String?
    }
    struct Spec: Codable {
        var audiences: [String]
        var expirationSeconds: Int?
        var boundObjectRef: BoundObjectReference?
    }
    struct Status: Codable {
        var token: String
        var expirationTimestamp: String
    }
    var apiVersion: String? = "authentication.k8s.io/v1"
    var kind: String? = "TokenRequest"
    var spec: Spec?
    var status: Status?
}

extension KubeClient {
    /// Mints a service-account token (`POST .../serviceaccounts/{name}/token`), optionally bound to a
    /// pod so that it dies with the pod, like the projected token the kubelet mounts.
    ///
    /// Refused with `KubeClientError.readOnly` before anything is sent when the client is read-only.
    /// Never retried (each answer may have minted a token): a 429 or 503 throws `KubeRetryLaterError`
    /// with the server's Retry-After, other errors `KubeAPIError` (a 403 names the RBAC permission).
    public func requestToken(namespace: String, serviceAccount: String, audiences: [String],
                             expirationSeconds: Int? = nil,
                             boundPod: (name: String, uid: String)? = nil) async throws -> IssuedToken {
        guard !readOnly else {
            throw KubeClientError.readOnly(action: "request a token for service account \(namespace)/\(serviceAccount)")
        }
        let body = TokenRequestObject(spec: .init(
            audiences: audiences, expirationSeconds: expirationSeconds,
            boundObjectRef: boundPod.map { .init(kind: "Pod", apiVersion: "v1", name: $0.name, uid: $0.uid.isEmpty ? nil : $0.uid) }))
        let path = KubeResource.serviceAccounts.path(namespace: namespace, name: serviceAccount, subresource: "token")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let response = try await send(method: "POST", path: path, body: try encoder.encode(body), idempotent: false)
        let answer = try decode(TokenRequestObject.self, from: response.body, path: path)
        guard let status = answer.status, !status.token.isEmpty else {
            throw KubeClientError.decoding(path: path, detail: "the TokenRequest answer has no status.token")
        }
        guard let expiration = KubeTime.parse(status.expirationTimestamp) else {
            throw KubeClientError.decoding(path: path, detail: "status.expirationTimestamp is not RFC 3339")
        }
        return IssuedToken(token: status.token, expirationTimestamp: expiration,
                           audiences: answer.spec?.audiences ?? audiences)
    }
}
