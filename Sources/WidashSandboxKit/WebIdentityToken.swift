import Foundation
import Crypto
import JWTKit
import WidashHTTP

/// The claims of a service-account token that the AWS and GCP emulators look at (their STS-like
/// services read the same claims, so the reading lives in the kit they share).
public struct WebIdentityClaims: Sendable, Equatable {
    public var issuer: String
    public var subject: String
    public var audiences: [String]
    public var expiresAt: Date?
    public var notBefore: Date?
    public var issuedAt: Date?
    /// `kubernetes.io.namespace` / `serviceaccount.name` / `pod.name`, when present.
    public var namespace: String?
    public var serviceAccount: String?
    public var podName: String?

    /// Reads the payload without verifying anything (callers verify the signature separately).
    public static func decodeUnverified(_ token: String) -> WebIdentityClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = base64URLDecode(String(parts[1])),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let iss = object["iss"] as? String, let sub = object["sub"] as? String else { return nil }
        let aud: [String]
        if let one = object["aud"] as? String { aud = [one] } else { aud = object["aud"] as? [String] ?? [] }
        func date(_ key: String) -> Date? { (object[key] as? NSNumber).map { Date(timeIntervalSince1970: $0.doubleValue) } }
        let kube = object["kubernetes.io"] as? [String: Any]
        return WebIdentityClaims(
            issuer: iss, subject: sub, audiences: aud, expiresAt: date("exp"), notBefore: date("nbf"), issuedAt: date("iat"),
            namespace: kube?["namespace"] as? String,
            serviceAccount: (kube?["serviceaccount"] as? [String: Any])?["name"] as? String,
            podName: (kube?["pod"] as? [String: Any])?["name"] as? String)
    }

    static func base64URLDecode(_ s: String) -> Data? {
        var b64 = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        return Data(base64Encoded: b64)
    }
}

/// Why a token's signature could not be checked or did not verify.
public enum IssuerKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Discovery or JWKS could not be fetched (transport failure or non-200).
    case unreachable(url: String, detail: String)
    /// Discovery or JWKS is not what the spec says.
    case malformed(url: String, detail: String)
    /// The JWKS has no key for the token, or the signature does not verify.
    case badSignature(detail: String)

    public var description: String {
        switch self {
        case .unreachable(let u, let d): return "could not fetch \(u): \(d)"
        case .malformed(let u, let d): return "\(u) is malformed: \(d)"
        case .badSignature(let d): return "token signature does not verify: \(d)"
        }
    }
}

/// Verifies a token's RS256 signature against its issuer's published keys, fetched over HTTPS
/// (discovery document, then `jwks_uri`) exactly as a cloud's STS does.
public struct IssuerKeyVerifier: Sendable {
    let transport: any HTTPTransport

    public init(transport: any HTTPTransport) { self.transport = transport }

    /// Fetches discovery + JWKS for `issuer` and verifies `token`'s signature.
    public func verifySignature(of token: String, issuer: String) async -> Result<Void, IssuerKeyError> {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let discoveryURL = base + "/.well-known/openid-configuration"
        let discovery: [String: Any]
        switch await fetchJSON(discoveryURL) {
        case .success(let object): discovery = object
        case .failure(let error): return .failure(error)
        }
        guard let jwksURI = discovery["jwks_uri"] as? String else {
            return .failure(.malformed(url: discoveryURL, detail: "no jwks_uri"))
        }
        let jwksText: String
        switch await fetch(jwksURI) {
        case .success(let data): jwksText = String(decoding: data, as: UTF8.self)
        case .failure(let error): return .failure(error)
        }
        do {
            let keys = JWTKeyCollection()
            try await keys.add(jwksJSON: jwksText)
            _ = try await keys.verify(token, as: OpaquePayload.self)
            return .success(())
        } catch {
            return .failure(.badSignature(detail: String(describing: error)))
        }
    }

    /// The SHA-1 thumbprint (lower-case hex) of the top certificate the issuer's HTTPS server
    /// presents, what IAM compares with an OIDC provider's ThumbprintList for an issuer whose
    /// certificate is not from a CA AWS trusts (IAM user guide, "Obtain the thumbprint for an
    /// OpenID Connect identity provider": the last certificate `openssl s_client -showcerts` shows).
    public func servedChainThumbprint(issuer: String) async -> String? {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        guard let response = try? await transport.send(HTTPRequest(url: base + "/.well-known/openid-configuration",
                                                                   maxBodyBytes: 1 << 20, capturesCertificateChain: true)),
              let top = response.certificateChain.last else { return nil }
        return CertificateThumbprint.sha1(pem: top)
    }

    private func fetch(_ url: String) async -> Result<Data, IssuerKeyError> {
        do {
            let response = try await transport.send(HTTPRequest(url: url, headers: [("Accept", "application/json")],
                                                                maxBodyBytes: 1 << 20))
            guard response.status == 200 else {
                return .failure(.unreachable(url: url, detail: "HTTP \(response.status)"))
            }
            return .success(response.body)
        } catch {
            return .failure(.unreachable(url: url, detail: String(describing: error)))
        }
    }

    private func fetchJSON(_ url: String) async -> Result<[String: Any], IssuerKeyError> {
        switch await fetch(url) {
        case .failure(let error): return .failure(error)
        case .success(let data):
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                return .failure(.malformed(url: url, detail: "not a JSON object"))
            }
            return .success(object)
        }
    }
}

/// A payload type that accepts any claims: signature only; claims are checked by the caller so
/// that each failure gets the cloud's own error.
struct OpaquePayload: JWTPayload {
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// `system:serviceaccount:NAMESPACE:NAME`, the subject of every Kubernetes service-account token.
public enum ServiceAccountSubject {
    public static func parse(_ subject: String) -> (namespace: String, name: String)? {
        let parts = subject.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount", !parts[2].isEmpty, !parts[3].isEmpty else {
            return nil
        }
        return (String(parts[2]), String(parts[3]))
    }
}

/// SHA-1 fingerprints of certificates, as IAM writes OIDC provider thumbprints.
public enum CertificateThumbprint {
    /// The fingerprint of the first certificate in `pem`, lower-case hex; nil when there is none.
    public static func sha1(pem: String) -> String? {
        let lines = pem.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let body = lines.drop { !$0.hasPrefix("-----BEGIN") }.dropFirst().prefix { !$0.hasPrefix("-----END") }.joined()
        guard let der = Data(base64Encoded: body), !der.isEmpty else { return nil }
        return Insecure.SHA1.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }
}
