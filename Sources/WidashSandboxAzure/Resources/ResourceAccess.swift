import Foundation
import WidashSandboxKit

/// The outcome of checking a bearer token at an Azure resource.
enum BearerCheck: Sendable {
    case valid(EntraAccessTokenClaims)
    case missing
    case rejected(AccessTokenRejection)
    /// Signed by Entra but for another resource; carries the token's audience.
    case wrongAudience(String)
}

/// Token and role checks shared by the emulated resources.
struct ResourceAccess: Sendable {
    let authority: EntraTokenAuthority
    /// The cluster issuer, for federated credentials shown by Graph and ARM.
    let clusterIssuer: String
    let now: @Sendable () -> Date
    /// The tenant's identities, grants and role assignments.
    let directory: AzureDirectory

    /// Validates `token` and requires its audience to be one of `audiences` (compared without a trailing slash).
    func check(_ token: String?, audiences: Set<String>) async -> BearerCheck {
        guard let token, !token.isEmpty else { return .missing }
        switch await authority.validate(token, now: now()) {
        case .failure(let rejection):
            return .rejected(rejection)
        case .success(let claims):
            let normalized = claims.aud.hasSuffix("/") ? String(claims.aud.dropLast()) : claims.aud
            return audiences.contains(normalized) ? .valid(claims) : .wrongAudience(claims.aud)
        }
    }

    /// Whether the workload identity behind `claims` holds a data-plane grant on `host` covering
    /// `path` (its grants in the directory; the operators have none). ARM authorizes by role
    /// assignments instead (`AzureDirectory.allows`), which are derived from the same grants.
    func isGranted(_ claims: EntraAccessTokenClaims, host: String, path: String) -> Bool {
        guard let identity = directory.identity(clientID: claims.appid) else { return false }
        return identity.grants.contains { $0.host == host && path.hasPrefix($0.pathPrefix) }
    }
}

/// Demo data the resources serve.
enum DemoResourceData {
    static let secrets: [String: String] = [
        "db-password": "demo-only-not-a-secret",
        "api-key": "demo-api-key-0000",
    ]
    static let containers: [String: [(name: String, size: Int)]] = [
        "orders": [("2024/11/order-1001.json", 512), ("2024/11/order-1002.json", 734)],
    ]
    static let databases = ["orders", "catalog"]
    static let queues: Set<String> = ["orders"]
    /// Fixed creation time of demo objects, so responses stay the same across runs.
    static let created = Date(timeIntervalSince1970: 1_730_000_000)
}
