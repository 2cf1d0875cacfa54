import Foundation
import WidashSandboxKit

/// Amazon EKS Auth (rest-json, SigV4 service `eks-auth`): `AssumeRoleForPodIdentity`, what the
/// EKS Pod Identity agent calls with a pod's projected token (aud `pods.eks.amazonaws.com`).
public struct EKSAuthService: SandboxService {
    static let audience = "pods.eks.amazonaws.com"
    /// Pod Identity credentials last six hours.
    static let credentialLifetime: TimeInterval = 6 * 3600

    let catalog: AWSCatalog
    let store: AWSCredentialStore
    let keys: IssuerKeyVerifier
    let clusterIssuer: String
    let now: @Sendable () -> Date

    /// `eks-auth.<region>.api.aws`.
    public func answers(host: String) -> Bool {
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "eks-auth" && host.hasSuffix(".api.aws")
    }

    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let verifier = SigV4Verifier(store: store, service: "eks-auth", flavor: .json, now: now)
        if case .failure(let error) = await verifier.authenticate(request) { return error.jsonResponse() }
        let path = RestJSON.segments(request.path)
        guard request.method == "POST", path.count == 3, path[0] == "clusters", path[2] == "assume-role-for-pod-identity" else {
            return RestJSON.notFoundRoute(request)
        }
        switch await assume(cluster: path[1], body: RestJSON.body(request)) {
        case .success(let body): return AWSWire.json(200, body)
        case .failure(let error): return error.jsonResponse()
        }
    }

    func assume(cluster: String, body: [String: Any]?) async -> Result<[String: Any], AWSError> {
        guard cluster == catalog.clusterName else {
            return .failure(AWSError(code: "ResourceNotFoundException", message: "Cluster \(cluster) not found.", status: 404))
        }
        guard let token = body?["token"] as? String, !token.isEmpty else {
            return .failure(AWSError(code: "InvalidRequestException", message: "The token field is required.", status: 400))
        }
        let claims: WebIdentityClaims
        switch await verifyToken(token) {
        case .success(let c): claims = c
        case .failure(let error): return .failure(error)
        }
        let (namespace, serviceAccount) = ServiceAccountSubject.parse(claims.subject) ?? ("", "")
        guard let association = catalog.associations.first(where: {
            $0.clusterName == cluster && $0.namespace == namespace && $0.serviceAccount == serviceAccount
        }) else {
            return .failure(AWSError(code: "ResourceNotFoundException",
                                     message: "No Pod Identity Association found for service account \(serviceAccount) in namespace \(namespace) of cluster \(cluster).",
                                     status: 404))
        }
        guard let role = catalog.role(arn: association.roleArn), let policy = try? TrustPolicy(json: role.trustPolicy),
              policy.evaluate(TrustRequest(principal: .service(Self.audience), action: "sts:AssumeRole")).isAllowed,
              policy.evaluate(TrustRequest(principal: .service(Self.audience), action: "sts:TagSession")).isAllowed else {
            return .failure(AWSError(code: "AccessDeniedException",
                                     message: "The role \(association.roleArn) does not trust pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession.",
                                     status: 400))
        }
        let session = String("eks-\(cluster)-\(claims.podName ?? serviceAccount)-\(UUID().uuidString.lowercased())".prefix(64))
        let principal = AWSPrincipal(arn: "arn:aws:sts::\(catalog.account):assumed-role/\(role.name)/\(session)",
                                     userID: "\(role.roleID):\(session)", account: catalog.account)
        let credential = await store.issue(for: principal, expiration: now().addingTimeInterval(Self.credentialLifetime))
        return .success([
            "subject": ["namespace": namespace, "serviceAccount": serviceAccount],
            "audience": Self.audience,
            "podIdentityAssociation": ["associationArn": association.associationArn, "associationId": association.associationID],
            "assumedRoleUser": ["arn": principal.arn, "assumeRoleId": principal.userID],
            "credentials": [
                "accessKeyId": credential.accessKeyID, "secretAccessKey": credential.secretAccessKey,
                "sessionToken": credential.sessionToken ?? "",
                "expiration": RestJSON.epoch(credential.expiration ?? now()),
            ] as [String: Any],
        ])
    }

    /// The cluster's own token: right issuer and audience, valid signature, not expired.
    func verifyToken(_ token: String) async -> Result<WebIdentityClaims, AWSError> {
        func invalid(_ message: String) -> Result<WebIdentityClaims, AWSError> {
            .failure(AWSError(code: "InvalidTokenException", message: message, status: 400))
        }
        guard let claims = WebIdentityClaims.decodeUnverified(token) else { return invalid("The token is not a valid JWT.") }
        guard claims.issuer == clusterIssuer else {
            return invalid("The token's issuer \(claims.issuer) is not the cluster's OIDC issuer \(clusterIssuer).")
        }
        guard claims.audiences.contains(Self.audience) else {
            return invalid("The token's audience \(claims.audiences.joined(separator: ", ")) is not \(Self.audience).")
        }
        if case .failure(let error) = await keys.verifySignature(of: token, issuer: claims.issuer) {
            return invalid("The token could not be verified with the cluster's signing keys: \(error)")
        }
        if let exp = claims.expiresAt, exp <= now() {
            return .failure(AWSError(code: "ExpiredTokenException", message: "The token has expired.", status: 400))
        }
        guard ServiceAccountSubject.parse(claims.subject) != nil else {
            return invalid("The token's subject \(claims.subject) is not a service account.")
        }
        return .success(claims)
    }
}
