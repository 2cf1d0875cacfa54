import Foundation
import WidashCore
import WidashHTTP

/// Whether an issuer's discovery document and JWKS can be fetched without credentials, from the
/// issuer URL itself, as Entra, AWS STS and Google STS fetch them (the same test as `widash
/// doctor`'s "public discovery" and "public JWKS" lines, shortened to one verdict).
enum IssuerPublicCheck {
    static func check(issuer: String?, transport: any HTTPTransport) async -> IssuerDiscovery {
        guard let issuer else { return IssuerDiscovery(state: .unknown, reason: "the issuer is not known") }
        guard issuer.lowercased().hasPrefix("https://") else {
            return IssuerDiscovery(state: .notPublic, reason: "\(issuer) is not HTTPS: the clouds only federate HTTPS issuers")
        }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let discoveryURL = base + "/.well-known/openid-configuration"
        let discovery: OIDCDiscovery
        switch await fetch(discoveryURL, transport: transport) {
        case .failure(let verdict): return verdict
        case .success(let body):
            guard let decoded = try? JSONDecoder().decode(OIDCDiscovery.self, from: body) else {
                return IssuerDiscovery(state: .notPublic, reason: "GET \(discoveryURL) → 200 but not an OpenID discovery document")
            }
            discovery = decoded
        }
        switch await fetch(discovery.jwks_uri, transport: transport) {
        case .failure(let verdict): return verdict
        case .success(let body):
            let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
            guard let keys = object?["keys"] as? [Any], !keys.isEmpty else {
                return IssuerDiscovery(state: .notPublic, reason: "GET \(discovery.jwks_uri) → 200 but no keys")
            }
            return IssuerDiscovery(state: .publicKeys)
        }
    }

    private enum Fetched { case success(Data), failure(IssuerDiscovery) }

    private static func fetch(_ url: String, transport: any HTTPTransport) async -> Fetched {
        do {
            let response = try await transport.send(HTTPRequest(url: url, timeouts: HTTPTimeouts(connect: .seconds(5), total: .seconds(10)),
                                                                maxBodyBytes: 1 << 20))
            guard response.status == 200 else {
                return .failure(IssuerDiscovery(state: .notPublic, reason: "GET \(url) → \(response.status): the clouds cannot fetch it either"))
            }
            return .success(response.body)
        } catch {
            // Not reachable from here says little about the clouds' view (a VPN, a proxy): unknown.
            return .failure(IssuerDiscovery(state: .unknown, reason: ClusterFailureClassifier.oneLine("\(error)", limit: 200)))
        }
    }
}
