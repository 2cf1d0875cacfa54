import Foundation
import WidashCore
import WidashCloud
import WidashHTTP

/// The pre-flight half of step 3 shared by all providers: is the token's issuer the cluster's,
/// can the cloud fetch the discovery document and JWKS, and does the JWKS hold the token's key.
struct IssuerCheck: Sendable {
    var evidence: Evidence
    /// A finding that explains a cloud failure (e.g. JWKS unreachable); nil when all is well or not checked.
    var problem: Diagnosis?

    static func run(cluster: any TraceCluster, transport: any HTTPTransport, jwt: DecodedJWT?, timeouts: HTTPTimeouts) async -> IssuerCheck {
        var evidence = Evidence()
        var problem: Diagnosis?
        var clusterJWKS: Data?
        do {
            let (discovery, jwks) = try await cluster.issuerDiscovery()
            evidence["clusterIssuer"] = discovery.issuer
            clusterJWKS = jwks
            if let iss = jwt?.iss, iss != discovery.issuer {
                problem = Diagnosis(summary: "the token's issuer \(iss) differs from the cluster's discovery issuer \(discovery.issuer)",
                                    mismatches: [Mismatch(field: "issuer", expected: discovery.issuer, actual: iss)],
                                    fix: "set the API server's --service-account-issuer and the cloud trust to the same URL")
            }
        } catch {
            evidence["clusterIssuer"] = "not read (\(error))"
        }
        // What the cloud fetches: the public discovery document at the token's issuer, then its jwks_uri.
        guard let iss = jwt?.iss, iss.hasPrefix("https://") else {
            evidence["publicDiscovery"] = "not checked (the token has no https issuer)"
            return IssuerCheck(evidence: evidence, problem: problem)
        }
        let discoveryURL = iss.trimmingSlashesSuffix + "/.well-known/openid-configuration"
        var publicJWKS: Data?
        do {
            let response = try await transport.send(HTTPRequest(url: discoveryURL, headers: [("Accept", "application/json")], timeouts: timeouts))
            evidence["publicDiscovery"] = "GET \(discoveryURL) → \(response.status)"
            if response.status == 200, let doc = try? JSONDecoder().decode(OIDCDiscovery.self, from: response.body) {
                if doc.issuer != iss {
                    problem = problem ?? Diagnosis(summary: "the discovery document at \(discoveryURL) names issuer \(doc.issuer), the token's is \(iss)",
                                                   mismatches: [Mismatch(field: "discovery issuer", expected: iss, actual: doc.issuer)])
                }
                let jwksResponse = try await transport.send(HTTPRequest(url: doc.jwks_uri, headers: [("Accept", "application/json")], timeouts: timeouts))
                evidence["publicJWKS"] = "GET \(doc.jwks_uri) → \(jwksResponse.status)"
                if jwksResponse.status == 200 { publicJWKS = jwksResponse.body }
            }
            if publicJWKS == nil {
                problem = problem ?? Diagnosis(summary: "the issuer's discovery document or JWKS is not publicly readable (\(evidence["publicJWKS"] ?? evidence["publicDiscovery"] ?? "")): the cloud cannot verify the token",
                                               fix: "publish the issuer's /.well-known/openid-configuration and JWKS at \(iss) (e.g. enable the managed OIDC issuer)")
            }
        } catch {
            evidence["publicDiscovery"] = "GET \(discoveryURL) failed: \(error)"
            problem = problem ?? Diagnosis(summary: "the issuer's discovery document \(discoveryURL) could not be fetched from here: \(error)",
                                           fix: "make the issuer URL reachable from the internet: the cloud fetches it to verify tokens")
        }
        if let kid = jwt?.kid, let jwks = publicJWKS ?? clusterJWKS {
            let kids = Self.keyIDs(jwks)
            evidence["jwksKeyIDs"] = kids.joined(separator: ",")
            if kids.contains(kid) {
                evidence["kidInJWKS"] = "yes (\(kid))"
            } else {
                evidence["kidInJWKS"] = "no"
                problem = problem ?? Diagnosis(summary: "the token's signing key \(kid) is not in the issuer's JWKS: the cloud cannot verify its signature",
                                               mismatches: [Mismatch(field: "kid", expected: kids.joined(separator: ","), actual: kid)],
                                               fix: "re-publish the JWKS after rotating the service-account signing key")
            }
        }
        return IssuerCheck(evidence: evidence, problem: problem)
    }

    static func keyIDs(_ jwks: Data) -> [String] {
        guard let o = (try? JSONSerialization.jsonObject(with: jwks)) as? [String: Any], let keys = o["keys"] as? [[String: Any]] else { return [] }
        return keys.compactMap { $0["kid"] as? String }
    }
}

extension String {
    var trimmingSlashesSuffix: String {
        var s = self
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
