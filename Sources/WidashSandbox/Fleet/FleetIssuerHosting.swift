import Foundation
import Synchronization
import WidashSandboxKit

/// Publishes the fleet members' issuer metadata at their issuers' own host names, on the first
/// cluster's listener beside the other emulated clouds: a managed cluster's issuer is served by
/// the provider, not by the cluster's API server (EKS: `oidc.eks.REGION.amazonaws.com/id/ID`
/// serving `/.well-known/openid-configuration` and `/keys`; GKE: `container.googleapis.com/v1/
/// projects/P/locations/L/clusters/C` serving `/.well-known/openid-configuration` and `/jwks`).
/// Entra, STS and Google STS fetch them there, as OpenID Connect Discovery 1.0 §4 describes
/// (`GET {issuer}/.well-known/openid-configuration`, then the document's `jwks_uri`).
final class FleetIssuerHosting: SandboxService {
    /// The host names this service answers (the leaf certificate covers them: SandboxCertificates).
    static var hostNames: [String] {
        SandboxCertificates.awsRegions.map { "oidc.eks.\($0).amazonaws.com" } + ["container.googleapis.com"]
    }

    private let publications = Mutex<[ServiceAccountTokenIssuer]>([])

    func publish(_ publication: ServiceAccountTokenIssuer) {
        publications.withLock { $0.append(publication) }
    }

    func answers(host: String) -> Bool {
        Self.hostNames.contains(host)
    }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let url = "https://\(request.host)\(request.path)"
        let all = publications.withLock { $0 }
        if request.method == "GET" {
            for publication in all where publication.publishesDiscovery {
                if url == publication.issuer + "/.well-known/openid-configuration" {
                    return SandboxResponse(status: 200, headers: [("Content-Type", "application/json")], body: publication.discoveryJSON)
                }
                if url == publication.jwksURI, let jwks = try? await publication.jwksJSON() {
                    return SandboxResponse(status: 200, headers: [("Content-Type", "application/jwk-set+json")], body: jwks)
                }
            }
        }
        // What an issuer that publishes nothing answers: 404, so an OIDC relying party cannot read
        // the discovery document (OpenID Connect Discovery 1.0 §4.1 requires a 200 with JSON).
        return .json(404, ["error": "not_found", "message": "no OpenID Connect metadata is published at \(url)"])
    }
}
