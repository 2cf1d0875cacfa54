import Foundation
import WidashCore
import WidashHTTP
import WidashCloud
@testable import WidashTrace

let issuer = "https://oidc.sandbox.test/cluster-1"
let tenant = "5f1c1f2e-7a8b-4c3d-9e0f-1a2b3c4d5e6f"
let now = Date(timeIntervalSince1970: 1_800_000_000)

func b64url(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// A JWT-shaped token with real claims and a dummy signature (the trace decodes, never verifies).
func fakeJWT(sub: String, aud: String, iss: String = issuer, kid: String = "key-1", pod: String = "p", exp: Date = now.addingTimeInterval(3600)) -> String {
    let header = #"{"alg":"RS256","kid":"\#(kid)"}"#
    let ns = sub.split(separator: ":").dropFirst(2).first.map(String.init) ?? "default"
    let claims = #"{"aud":["\#(aud)"],"exp":\#(Int(exp.timeIntervalSince1970)),"iat":\#(Int(now.timeIntervalSince1970)),"iss":"\#(iss)","kubernetes.io":{"namespace":"\#(ns)","pod":{"name":"\#(pod)","uid":"uid-1"},"serviceaccount":{"name":"sa","uid":"sa-uid"}},"nbf":\#(Int(now.timeIntervalSince1970)),"sub":"\#(sub)"}"#
    return b64url(Data(header.utf8)) + "." + b64url(Data(claims.utf8)) + "." + "c2lnbmF0dXJl"
}

/// A cluster that mints fake tokens and records the TokenRequests.
final class FakeCluster: TraceCluster, @unchecked Sendable {
    private let lock = NSLock()
    private var _requests: [(String, String, String, Int, BoundPod?)] = []
    var requests: [(String, String, String, Int, BoundPod?)] { lock.withLock { _requests } }
    let kid: String
    let facts: ClusterFacts

    init(kid: String = "key-1", facts: ClusterFacts = ClusterFacts(issuer: issuer)) {
        self.kid = kid
        self.facts = facts
    }

    func requestToken(namespace: String, serviceAccount: String, audience: String, expirationSeconds: Int, boundPod: BoundPod?) async throws -> String {
        lock.withLock { _requests.append((namespace, serviceAccount, audience, expirationSeconds, boundPod)) }
        return fakeJWT(sub: "system:serviceaccount:\(namespace):\(serviceAccount)", aud: audience, kid: kid, pod: boundPod?.name ?? "")
    }

    func issuerDiscovery() async throws -> (OIDCDiscovery, jwks: Data) {
        (OIDCDiscovery(issuer: issuer, jwks_uri: issuer + "/openid/v1/jwks"), Data(#"{"keys":[{"kid":"key-1","kty":"RSA"}]}"#.utf8))
    }

    func clusterFacts(gkeWorkloadPool: String?) async -> ClusterFacts {
        var f = facts
        if let gkeWorkloadPool { f.gkeWorkloadPool = gkeWorkloadPool }
        return f
    }
}

/// A transport answering by a routing closure; records requests; `hang` never answers (until cancelled).
final class FakeTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [HTTPRequest] = []
    let route: @Sendable (HTTPRequest) async throws -> HTTPResponse
    init(_ route: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) { self.route = route }
    var requests: [HTTPRequest] { lock.withLock { sent } }
    private func record(_ r: HTTPRequest) { lock.withLock { sent.append(r) } }
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        record(request)
        return try await route(request)
    }
    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        AsyncThrowingStream { $0.finish(throwing: HTTPError.invalidURL(request.url)) }
    }
}

func json(_ status: Int, _ text: String) -> HTTPResponse {
    HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Data(text.utf8))
}

/// Discovery and JWKS of the fake issuer, as the public issuer URL serves them.
func issuerRoute(_ r: HTTPRequest) -> HTTPResponse? {
    if r.url == issuer + "/.well-known/openid-configuration" {
        return json(200, #"{"issuer":"\#(issuer)","jwks_uri":"\#(issuer)/openid/v1/jwks","response_types_supported":["id_token"]}"#)
    }
    if r.url == issuer + "/openid/v1/jwks" { return json(200, #"{"keys":[{"kid":"key-1","kty":"RSA","n":"x","e":"AQAB"}]}"#) }
    return nil
}

func azurePod(namespace: String = "shop", name: String = "frontend-7d9f", sa: String = "frontend", label: String? = "true",
              env: [EnvVar]? = nil) -> Pod {
    let environment = env ?? [EnvVar(name: "AZURE_CLIENT_ID", value: "client-1"), EnvVar(name: "AZURE_TENANT_ID", value: tenant),
                              EnvVar(name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/azure/tokens/azure-identity-token"),
                              EnvVar(name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/"),
                              EnvVar(name: "KEYVAULT_URL", value: "https://shop-kv.vault.azure.net/secrets/db-password")]
    return Pod(metadata: ObjectMeta(name: name, namespace: namespace, uid: "uid-1", labels: label.map { ["azure.workload.identity/use": $0] },
                                    ownerReferences: [OwnerReference(kind: "ReplicaSet", name: "\(sa)-7d9f")]),
               spec: PodSpec(serviceAccountName: sa, containers: [Container(name: "app", env: environment, volumeMounts: [
                                VolumeMount(name: "azure-identity-token", mountPath: "/var/run/secrets/azure/tokens", readOnly: true)])],
                             volumes: [Volume(name: "azure-identity-token", projected: ProjectedVolumeSource(sources: [
                                VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-identity-token"))]))]),
               status: PodStatus(phase: "Running", startTime: "2027-01-15T08:00:00Z"))
}

func azureSA(namespace: String = "shop", name: String = "frontend", clientID: String? = "client-1") -> ServiceAccount {
    ServiceAccount(metadata: ObjectMeta(name: name, namespace: namespace, annotations: clientID.map { ["azure.workload.identity/client-id": $0] }))
}

func entraError(_ code: Int, _ description: String) -> HTTPResponse {
    json(400, #"{"error":"invalid_client","error_description":"\#(description) Trace ID: 11111111-2222-3333-4444-555555555555 Correlation ID: 66666666-7777-8888-9999-000000000000 Timestamp: 2027-01-15 08:00:00Z","error_codes":[\#(code)],"timestamp":"2027-01-15 08:00:00Z","trace_id":"11111111-2222-3333-4444-555555555555","correlation_id":"66666666-7777-8888-9999-000000000000"}"#)
}

let entraOK = json(200, #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2ln"}"#)

struct FakeOperatorCredential: AzureOperatorCredential {
    func token(resource: String) async throws -> OperatorTokenResult {
        .token(OperatorToken(accessToken: "operator-token", expiresOn: nil, source: "test"))
    }
}

func options(_ configure: (inout TraceOptions) -> Void = { _ in }) -> TraceOptions {
    var o = TraceOptions(stepTimeout: .seconds(5), now: { now })
    configure(&o)
    return o
}
