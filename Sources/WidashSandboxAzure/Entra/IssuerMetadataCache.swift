import Foundation
import JWTKit
import WidashHTTP

/// Why an issuer's keys could not be obtained.
enum IssuerMetadataError: Error, Equatable, Sendable {
    case discoveryUnreachable(String)
    case jwksUnreachable(String)
    case jwksUnparseable(String)

    var entraError: EntraError {
        switch self {
        case .discoveryUnreachable: return .discoveryUnreachable
        case .jwksUnreachable: return .keysUnreachable
        case .jwksUnparseable: return .keysUnparseable
        }
    }
}

/// Fetches `{iss}/.well-known/openid-configuration` and its `jwks_uri` over HTTPS, as Entra does
/// for a federated assertion, and keeps the key set for a short time.
actor IssuerMetadataCache {
    private let transport: any HTTPTransport
    private let ttl: TimeInterval
    private let now: @Sendable () -> Date
    private var entries: [String: (fetchedAt: Date, keys: JWKS)] = [:]

    init(transport: any HTTPTransport, ttl: TimeInterval = 60, now: @escaping @Sendable () -> Date) {
        self.transport = transport
        self.ttl = ttl
        self.now = now
    }

    func keys(for issuer: String) async throws(IssuerMetadataError) -> JWKS {
        if let entry = entries[issuer], now().timeIntervalSince(entry.fetchedAt) < ttl { return entry.keys }
        let keys = try await fetch(issuer)
        entries[issuer] = (now(), keys)
        return keys
    }

    private func fetch(_ issuer: String) async throws(IssuerMetadataError) -> JWKS {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let discoveryURL = base + "/.well-known/openid-configuration"
        guard let discovery = await get(discoveryURL), discovery.status == 200 else {
            throw .discoveryUnreachable(discoveryURL)
        }
        guard let document = (try? JSONSerialization.jsonObject(with: discovery.body)) as? [String: Any],
              let jwksURI = document["jwks_uri"] as? String
        else { throw .discoveryUnreachable(discoveryURL) }
        guard let jwks = await get(jwksURI), jwks.status == 200 else { throw .jwksUnreachable(jwksURI) }
        guard let keys = try? JSONDecoder().decode(JWKS.self, from: jwks.body), !keys.keys.isEmpty else {
            throw .jwksUnparseable(jwksURI)
        }
        return keys
    }

    private func get(_ url: String) async -> HTTPResponse? {
        let request = HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")],
                                  timeouts: HTTPTimeouts(connect: .seconds(5), total: .seconds(10)),
                                  maxBodyBytes: 1 << 20)
        return try? await transport.send(request)
    }
}
