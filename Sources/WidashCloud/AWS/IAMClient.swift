import Crypto
import Foundation
import WidashHTTP

/// An IAM role with its trust policy decoded.
public struct IAMRole: Sendable, Hashable {
    public var arn: String
    public var roleName: String
    /// The trust policy JSON, URL-decoded (IAM returns it percent-encoded).
    public var assumeRolePolicyDocument: String
    public var trustPolicy: TrustPolicy?
}

/// An IAM OpenID Connect provider.
public struct OIDCProvider: Sendable, Hashable {
    public var arn: String
    /// Issuer without `https://`, as IAM stores it.
    public var url: String
    public var clientIDs: [String]
    public var thumbprints: [String]
}

/// SHA-1 fingerprints of certificates, the form of an IAM OIDC provider's thumbprints.
public enum CertificateFingerprint {
    /// The fingerprint of the first certificate in `pem`, lower-case hex; nil when there is none.
    public static func sha1(pem: String) -> String? {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let body = lines.drop { !$0.hasPrefix("-----BEGIN") }.dropFirst().prefix { !$0.hasPrefix("-----END") }.joined()
        guard let der = Data(base64Encoded: body), !der.isEmpty else { return nil }
        return Insecure.SHA1.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }
}

/// AWS IAM (Query protocol, 2010-05-08), signed with the operator's credentials.
public struct IAMClient: Sendable {
    public static let apiVersion = "2010-05-08"
    public var transport: any HTTPTransport
    public var endpoint: AWSEndpoint
    public var credentials: AWSCredentials
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, endpoint: AWSEndpoint, credentials: AWSCredentials, timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.endpoint = endpoint
        self.credentials = credentials
        self.timeouts = timeouts
    }

    /// The role name of `arn:aws:iam::123:role/path/name` (the last path component).
    public static func roleName(fromARN arn: String) -> String? {
        guard let r = arn.range(of: ":role/") else { return nil }
        return arn[r.upperBound...].split(separator: "/").last.map(String.init)
    }

    public func getRole(name: String) async throws -> IAMRole {
        let root = try await call([("Action", "GetRole"), ("RoleName", name), ("Version", Self.apiVersion)])
        guard let role = root.find("GetRoleResult/Role"), let arn = role.text("Arn") else {
            throw CloudError.unexpectedResponse(endpoint: endpoint.url, status: 200, detail: "GetRole response without Role/Arn")
        }
        let encoded = role.text("AssumeRolePolicyDocument") ?? ""
        let document = encoded.removingPercentEncoding ?? encoded
        return IAMRole(arn: arn, roleName: role.text("RoleName") ?? name, assumeRolePolicyDocument: document,
                       trustPolicy: TrustPolicy.parse(document))
    }

    public func listOpenIDConnectProviders() async throws -> [String] {
        let root = try await call([("Action", "ListOpenIDConnectProviders"), ("Version", Self.apiVersion)])
        return root.find("ListOpenIDConnectProvidersResult/OpenIDConnectProviderList")?.children("member").compactMap { $0.text("Arn") } ?? []
    }

    public func getOpenIDConnectProvider(arn: String) async throws -> OIDCProvider {
        let root = try await call([("Action", "GetOpenIDConnectProvider"), ("OpenIDConnectProviderArn", arn), ("Version", Self.apiVersion)])
        guard let r = root.find("GetOpenIDConnectProviderResult") else {
            throw CloudError.unexpectedResponse(endpoint: endpoint.url, status: 200, detail: "GetOpenIDConnectProvider response without a result")
        }
        return OIDCProvider(arn: arn, url: r.text("Url") ?? "",
                            clientIDs: r.find("ClientIDList")?.children("member").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) } ?? [],
                            thumbprints: r.find("ThumbprintList")?.children("member").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) } ?? [])
    }

    /// The IAM OIDC provider for an issuer (`https://` dropped, compared exactly as IAM does), if any.
    public func provider(forIssuer issuer: String) async throws -> OIDCProvider? {
        let wanted = IAMClient.providerPath(issuer: issuer)
        for arn in try await listOpenIDConnectProviders() where arn.hasSuffix(":oidc-provider/\(wanted)") {
            return try await getOpenIDConnectProvider(arn: arn)
        }
        return nil
    }

    /// `https://oidc.eks.us-east-1.amazonaws.com/id/X` → `oidc.eks.us-east-1.amazonaws.com/id/X`.
    public static func providerPath(issuer: String) -> String {
        var s = issuer
        for scheme in ["https://", "http://"] where s.hasPrefix(scheme) { s.removeFirst(scheme.count) }
        return s.trimmingSlashes
    }

    func call(_ fields: [(String, String)]) async throws -> XMLTree {
        let signer = SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: endpoint.signingName)
        let request = signer.sign(HTTPRequest(method: "POST", url: joinURL(endpoint.url, "/"),
                                              headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                                              body: Data(FormEncoding.encode(fields).utf8), timeouts: timeouts))
        let response = try await send(transport, request)
        if response.status == 200, let root = XMLTree.parse(response.body) { return root }
        if let error = AWSServiceError.parseQuery(service: "iam", status: response.status, body: response.body) { throw CloudError.aws(error) }
        throw CloudError.unexpectedResponse(endpoint: request.url, status: response.status, detail: bodyExcerpt(response.body))
    }
}
