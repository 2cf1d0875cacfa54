import Foundation
import WidashSandboxKit

/// `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`, validated as kube-apiserver validates it.
extension KubeAPI {
    private struct TokenRequestBody: Decodable {
        struct Spec: Decodable {
            var audiences: [String]?
            var expirationSeconds: Int?
            var boundObjectRef: BoundObjectRef?
        }
        struct BoundObjectRef: Codable {
            var kind: String?
            var apiVersion: String?
            var name: String?
            var uid: String?
        }
        var spec: Spec?
    }

    func tokenRequest(_ request: SandboxRequest, user: KubeUser, namespace: String, name: String) async throws -> SandboxResponse {
        // RBAC runs before the handler: a denied user gets 403 whether or not the SA exists.
        guard user.allows(verb: "create", resource: "serviceaccounts/token", group: "", namespace: namespace) else {
            throw KubeStatus.forbidden(user: user.name, verb: "create", resource: "serviceaccounts/token", group: "",
                                       name: name, namespace: namespace)
        }
        let body: TokenRequestBody
        do {
            var json = request.body
            if request.headers["content-type"]?.hasPrefix(KubeProtobuf.contentType) == true {
                guard let converted = KubeProtobuf.tokenRequestJSON(request.body) else {
                    throw KubeStatus.badRequest("the protobuf body is not an authentication.k8s.io/v1 TokenRequest")
                }
                json = converted
            }
            body = try JSONDecoder().decode(TokenRequestBody.self, from: json)
        } catch let status as KubeStatus {
            throw status
        } catch {
            throw KubeStatus.badRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
        }
        guard let serviceAccount = await store.get(.serviceAccounts, namespace: namespace, name: name) else {
            throw KubeStatus.notFound(.serviceAccounts, name)
        }
        let spec = body.spec
        let expirationSeconds = spec?.expirationSeconds ?? 3600
        var causes: [(field: String, message: String)] = []
        if expirationSeconds < 600 {
            causes.append(("spec.expirationSeconds", "Invalid value: \(expirationSeconds): may not specify a duration less than 10 minutes"))
        }
        if expirationSeconds > 1 << 32 {
            causes.append(("spec.expirationSeconds", "Invalid value: \(expirationSeconds): may not specify a duration larger than 2^32 seconds"))
        }
        let reference = spec?.boundObjectRef
        if let kind = reference?.kind, !["Pod", "Secret", "Node"].contains(kind) {
            causes.append(("spec.boundObjectRef.kind", "Unsupported value: \"\(kind)\": supported values: \"Pod\", \"Secret\", \"Node\""))
        }
        if !causes.isEmpty {
            throw KubeStatus.invalid(kind: "TokenRequest", group: "authentication.k8s.io", name: name, causes: causes)
        }

        var podClaim: ServiceAccountTokenClaims.Reference?
        var nodeClaim: ServiceAccountTokenClaims.Reference?
        if let reference, let kind = reference.kind {
            let refName = reference.name ?? ""
            let recordUID: String
            switch kind {
            case "Pod":
                // From the stored fields, so pods held only as rendered bytes (scale scenario) bind too.
                guard let pod = await store.get(.pods, namespace: namespace, name: refName) else {
                    throw KubeStatus.notFound(.pods, refName)
                }
                guard pod.fields["spec.serviceAccountName"] == name else {
                    throw KubeStatus.badRequest("cannot bind token for serviceaccount \"\(name)\" to pod running with different serviceaccount name.")
                }
                recordUID = pod.object.metadata.uid
                podClaim = .init(name: refName, uid: recordUID)
                if let node = await store.get(.nodes, namespace: nil, name: pod.fields["spec.nodeName"] ?? "") {
                    nodeClaim = .init(name: node.name, uid: node.object.metadata.uid)
                }
            case "Node":
                guard let node = await store.get(.nodes, namespace: nil, name: refName) else { throw KubeStatus.notFound(.nodes, refName) }
                recordUID = node.object.metadata.uid
                nodeClaim = .init(name: refName, uid: recordUID)
            default:
                throw KubeStatus.notFound(qualified: "secrets", group: "", name: refName)
            }
            if let uid = reference.uid, !uid.isEmpty, uid != recordUID {
                throw KubeStatus.conflict(kind: kind, group: "", name: refName,
                                          detail: "the UID in the bound object reference (\(uid)) does not match the UID in record. The object might have been deleted and then recreated")
            }
        }

        // Every TokenRequest mints a new token from now: there is no cache and no per-pod special
        // case (kubernetes/kubernetes pkg/registry/core/serviceaccount/storage/token.go `Create`,
        // claims from `time.Now()` in pkg/serviceaccount/claims.go `Claims`). Pods whose own token
        // file went stale show that through exec of the file (KubeletTokenFiles.swift), not here.
        let minted = try await mintServiceAccountToken(
            namespace: namespace, serviceAccount: name, serviceAccountUID: serviceAccount.object.metadata.uid,
            audiences: spec?.audiences ?? [], expirationSeconds: expirationSeconds,
            issuedAt: Int(now().timeIntervalSince1970), pod: podClaim, node: nodeClaim, jti: UUID().uuidString.lowercased())
        let audiences = minted.audiences
        let token = minted.token
        let expires = minted.statusExpiration

        var responseSpec: [String: Any] = ["audiences": audiences, "expirationSeconds": expirationSeconds]
        if let reference, let kind = reference.kind {
            var ref: [String: Any] = ["kind": kind, "apiVersion": reference.apiVersion ?? "v1", "name": reference.name ?? ""]
            if let uid = reference.uid { ref["uid"] = uid }
            responseSpec["boundObjectRef"] = ref
        }
        return .json(201, [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": name, "namespace": namespace],
            "spec": responseSpec,
            "status": ["token": token,
                       "expirationTimestamp": Deterministic.timestamp(Date(timeIntervalSince1970: TimeInterval(expires)))],
        ])
    }
}

/// A token as kube-apiserver's TokenRequest mints it: the JWT, its audiences, and the
/// `status.expirationTimestamp` (which differs from the JWT's `exp` for extended tokens).
struct MintedServiceAccountToken: Sendable {
    var token: String
    var audiences: [String]
    var statusExpiration: Int
}

extension KubeAPI {
    /// kube-apiserver's default `--service-account-extend-token-expiration=true`: an admission-injected
    /// token (kube-api-access: 3607 s, the API server's audience, bound to a pod) gets `exp` one year
    /// out and `kubernetes.io.warnafter` at the requested expiry, while the status (what the kubelet
    /// refreshes by) keeps the requested one (pkg/registry/core/serviceaccount/storage/token.go:
    /// `if r.extendExpiration && pod != nil && req.Spec.ExpirationSeconds == token.WarnOnlyBoundTokenExpirationSeconds
    /// && r.isKubeAudiences(req.Spec.Audiences) { warnAfter = exp; exp = token.ExpirationExtensionSeconds }`;
    /// pkg/serviceaccount/claims.go `WarnOnlyBoundTokenExpirationSeconds = 60*60 + 7`,
    /// `ExpirationExtensionSeconds = 24 * 365 * 60 * 60`).
    static let warnOnlyBoundTokenExpirationSeconds = 3607
    static let expirationExtensionSeconds = 24 * 365 * 3600

    /// Mints a bound service-account token issued at `issuedAt` (TokenRequest: now; the kubelet's
    /// projected files: when it last refreshed them). Empty `audiences` means the API server's own.
    func mintServiceAccountToken(namespace: String, serviceAccount: String, serviceAccountUID: String, audiences requested: [String],
                                 expirationSeconds: Int, issuedAt: Int, pod: ServiceAccountTokenClaims.Reference?,
                                 node: ServiceAccountTokenClaims.Reference?, jti: String) async throws -> MintedServiceAccountToken {
        let audiences = requested.isEmpty ? [issuer.issuer] : requested
        var expires = issuedAt + expirationSeconds
        var warnAfter: Int?
        if pod != nil, expirationSeconds == Self.warnOnlyBoundTokenExpirationSeconds, audiences.allSatisfy({ $0 == issuer.issuer }) {
            warnAfter = expires
            expires = issuedAt + Self.expirationExtensionSeconds
        }
        let claims = ServiceAccountTokenClaims(
            aud: audiences, exp: expires, iat: issuedAt, iss: issuer.issuer, jti: jti,
            kubernetes: .init(namespace: namespace, serviceaccount: .init(name: serviceAccount, uid: serviceAccountUID),
                              pod: pod, node: node, warnafter: warnAfter),
            nbf: issuedAt, sub: "system:serviceaccount:\(namespace):\(serviceAccount)")
        return MintedServiceAccountToken(token: try await issuer.sign(claims), audiences: audiences,
                                         statusExpiration: issuedAt + expirationSeconds)
    }
}
