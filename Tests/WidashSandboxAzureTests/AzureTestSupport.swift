import Foundation
import JWTKit
import WidashHTTP
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

/// A stand-in cluster issuer: an RSA key, and a transport that serves the issuer's discovery
/// document and JWKS the way the sandbox's Kubernetes API does, so Entra can be tested without a server.
final class FakeIssuer: HTTPTransport, @unchecked Sendable {
    static let issuer = "https://issuer.test/cluster"
    static let keyID = "cluster-key-1"

    /// How the fake answers; tests switch it to simulate outages.
    enum Mode { case healthy, discoveryDown, jwksStatus500, jwksGarbage }

    let key: JWTKit.Insecure.RSA.PrivateKey
    let signer: JWTKeyCollection
    private let lock = NSLock()
    private var mode: Mode = .healthy
    private var fetches: [String] = []
    private let jwks: Data

    init() async throws {
        key = try RSAKeyFactory.generate()
        let (n, e) = try RSAKeyFactory.publicComponents(of: key)
        jwks = try JSONSerialization.data(withJSONObject: ["keys": [["kty": "RSA", "alg": "RS256", "use": "sig", "kid": Self.keyID, "n": n, "e": e]]])
        signer = JWTKeyCollection()
        await signer.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: Self.keyID))
    }

    func set(_ newMode: Mode) { lock.withLock { mode = newMode } }
    var fetchedURLs: [String] { lock.withLock { fetches } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let mode = lock.withLock { () -> Mode in fetches.append(request.url); return self.mode }
        switch request.url {
        case Self.issuer + "/.well-known/openid-configuration":
            if mode == .discoveryDown { throw HTTPError.connectionRefused(url: request.url, detail: "test: issuer down") }
            let document: [String: Any] = ["issuer": Self.issuer, "jwks_uri": Self.issuer + "/openid/v1/jwks",
                                           "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                                           "id_token_signing_alg_values_supported": ["RS256"]]
            return HTTPResponse(status: 200, headers: ["content-type": "application/json"],
                                body: try JSONSerialization.data(withJSONObject: document))
        case Self.issuer + "/openid/v1/jwks":
            switch mode {
            case .jwksStatus500: return HTTPResponse(status: 500, headers: [:], body: Data("boom".utf8))
            case .jwksGarbage: return HTTPResponse(status: 200, headers: [:], body: Data("{\"keys\": 42}".utf8))
            default: return HTTPResponse(status: 200, headers: ["content-type": "application/jwk-set+json"], body: jwks)
            }
        default:
            return HTTPResponse(status: 404, headers: [:], body: Data())
        }
    }

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        AsyncThrowingStream { $0.finish(throwing: HTTPError.other(url: request.url, code: 0, detail: "not streamed in tests")) }
    }

    /// A service-account token as the cluster would mint it (claims overridable).
    func token(namespace: String, serviceAccount: String, audience: String = DemoDirectory.tokenExchangeAudience,
               issuer: String = FakeIssuer.issuer, issuedAt: Date = Date(), lifetime: TimeInterval = 3600,
               notBefore: Date? = nil, keyID: String = FakeIssuer.keyID, with other: JWTKeyCollection? = nil) async throws -> String {
        let claims = ServiceAccountClaims(
            iss: issuer, sub: "system:serviceaccount:\(namespace):\(serviceAccount)", aud: [audience],
            exp: Int(issuedAt.timeIntervalSince1970 + lifetime), iat: Int(issuedAt.timeIntervalSince1970),
            nbf: Int((notBefore ?? issuedAt).timeIntervalSince1970), jti: UUID().uuidString.lowercased())
        return try await (other ?? signer).sign(claims, kid: JWKIdentifier(string: keyID))
    }
}

struct ServiceAccountClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: [String]
    var exp: Int
    var iat: Int
    var nbf: Int
    var jti: String
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The Azure services with a fake issuer, routed by host as the sandbox server routes them.
struct AzureHarness {
    let issuer: FakeIssuer
    let services: [any SandboxService]

    /// `scale`: serve that scale scenario's directory (as a sandbox started with it does).
    init(now: @escaping @Sendable () -> Date = { Date() }, scale: ScaleIdentities? = nil) async throws {
        issuer = try await FakeIssuer()
        let context = SandboxContext(clusterIssuer: FakeIssuer.issuer, caPEM: Data(), transport: issuer,
                                     baseURL: "https://127.0.0.1:1", now: now, scale: scale)
        services = AzureSandbox.services(context: context)
    }

    /// An access token of a demo operator (client secret, as azure-identity's service-principal
    /// environment credential sends it).
    func operatorToken(clientID: String = DemoDirectory.operatorClientID, secret: String = DemoDirectory.operatorClientSecret,
                       resource: String, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let form = FormCoding.encode([("client_id", clientID), ("client_secret", secret),
                                      ("grant_type", "client_credentials"), ("scope", resource + "/.default")])
        let response = await send("POST", "login.microsoftonline.com", "/\(DemoDirectory.tenantID)/oauth2/v2.0/token",
                                  headers: ["content-type": "application/x-www-form-urlencoded"], body: Data(form.utf8))
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self), file: file, line: line)
        return try XCTUnwrap(try jsonObject(response)["access_token"] as? String, file: file, line: line)
    }

    func limitedOperatorToken(resource: String, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        try await operatorToken(clientID: DemoDirectory.limitedOperatorClientID, secret: DemoDirectory.limitedOperatorClientSecret,
                                resource: resource, file: file, line: line)
    }

    /// GET on ARM with a bearer token; `query` without the api-version.
    func arm(_ path: String, token: String, apiVersion: String, query: String = "") async -> SandboxResponse {
        let full = query.isEmpty ? "api-version=\(apiVersion)" : "api-version=\(apiVersion)&\(query)"
        return await send("GET", DemoDirectory.armHost, path, query: full, headers: ["authorization": "Bearer \(token)"])
    }

    func send(_ method: String, _ host: String, _ path: String, query: String = "", headers: [String: String] = [:],
              body: Data = Data()) async -> SandboxResponse {
        let request = SandboxRequest(method: method, host: host, path: path, rawQuery: query, headers: headers, body: body)
        guard let service = services.first(where: { $0.answers(host: host) }) else {
            return SandboxResponse(status: 599, body: Data("no service for \(host)".utf8))
        }
        return await service.handle(request)
    }

    /// POSTs a client-credentials request with `assertion` to the token endpoint.
    func exchange(clientID: String, assertion: String, scope: String = "https://vault.azure.net/.default",
                  tenant: String = DemoDirectory.tenantID, headers: [String: String] = [:]) async -> SandboxResponse {
        let form = FormCoding.encode([
            ("grant_type", "client_credentials"), ("client_id", clientID),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion), ("scope", scope),
        ])
        return await send("POST", "login.microsoftonline.com", "/\(tenant)/oauth2/v2.0/token",
                          headers: ["content-type": "application/x-www-form-urlencoded"].merging(headers) { $1 },
                          body: Data(form.utf8))
    }

    /// An access token for the demo identity of `namespace/serviceAccount`, through the real exchange.
    func accessToken(_ namespace: String, _ serviceAccount: String, resource: String,
                     file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let identity = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: namespace, serviceAccount: serviceAccount), file: file, line: line)
        let assertion = try await issuer.token(namespace: namespace, serviceAccount: serviceAccount)
        let response = await exchange(clientID: identity.clientID, assertion: assertion, scope: resource + "/.default")
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self), file: file, line: line)
        return try XCTUnwrap(try jsonObject(response)["access_token"] as? String, file: file, line: line)
    }
}

func jsonObject(_ response: SandboxResponse, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    try XCTUnwrap(try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  "body is not a JSON object: \(String(decoding: response.body, as: UTF8.self))", file: file, line: line)
}

func header(_ response: SandboxResponse, _ name: String) -> String? {
    response.headers.last { $0.name.lowercased() == name.lowercased() }?.value
}

/// Decodes a JWT's claims without verifying (tests inspect what was issued).
func claims(of token: String) -> [String: Any] {
    let parts = token.split(separator: ".")
    guard parts.count == 3, let data = Base64URL.decode(parts[1]),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
    return object
}
