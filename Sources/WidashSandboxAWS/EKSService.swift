import Foundation
import WidashSandboxKit

/// Amazon EKS (rest-json, SigV4 service `eks`): `ListPodIdentityAssociations` and
/// `DescribePodIdentityAssociation` for the demo cluster.
public struct EKSService: SandboxService {
    let catalog: AWSCatalog
    let store: AWSCredentialStore
    let now: @Sendable () -> Date

    /// `eks.<region>.amazonaws.com`.
    public func answers(host: String) -> Bool {
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "eks" && host.hasSuffix(".amazonaws.com")
    }

    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let verifier = SigV4Verifier(store: store, service: "eks", flavor: .json, now: now)
        let credential: AWSCredential
        switch await verifier.authenticate(request) {
        case .success(let authenticated): credential = authenticated
        case .failure(let error): return error.jsonResponse()
        }
        let path = RestJSON.segments(request.path)
        guard request.method == "GET", path.count == 3 || path.count == 4, path[0] == "clusters", path[2] == "pod-identity-associations" else {
            return RestJSON.notFoundRoute(request)
        }
        let cluster = path[1]
        // The caller's policy first (EKS's AccessDeniedException, rest-json error shape: the
        // `x-amzn-ErrorType` header and a `message`), naming the cluster ARN for the listing and the
        // association ARN for Describe (the resource types the Service Authorization Reference gives them).
        let clusterArn = "arn:aws:eks:\(catalog.region):\(catalog.account):cluster/\(cluster)"
        let (action, resource) = path.count == 3
            ? ("eks:ListPodIdentityAssociations", clusterArn)
            : ("eks:DescribePodIdentityAssociation",
               "arn:aws:eks:\(catalog.region):\(catalog.account):podidentityassociation/\(cluster)/\(path[3])")
        if let denial = catalog.authorization.denial(credential.principal, action, resource: resource) {
            return AWSError(code: "AccessDeniedException", message: denial, status: 403).jsonResponse()
        }
        guard cluster == catalog.clusterName else {
            return AWSError(code: "ResourceNotFoundException", message: "No cluster found for name: \(cluster).", status: 404)
                .jsonResponse(extra: ["clusterName": cluster])
        }
        switch path.count {
        case 3: return list(cluster: cluster, query: request.query)
        case 4: return describe(cluster: cluster, id: path[3])
        default: return RestJSON.notFoundRoute(request)
        }
    }

    func list(cluster: String, query: [String: String]) -> SandboxResponse {
        let maxResults = Int(query["maxResults"] ?? "100") ?? -1
        guard (1...100).contains(maxResults) else {
            return AWSError(code: "InvalidParameterException", message: "maxResults must be between 1 and 100", status: 400)
                .jsonResponse(extra: ["clusterName": cluster])
        }
        let matching = catalog.associations.filter { a in
            a.clusterName == cluster
                && (query["namespace"].map { $0 == a.namespace } ?? true)
                && (query["serviceAccount"].map { $0 == a.serviceAccount } ?? true)
        }
        let start = query["nextToken"].flatMap(Int.init) ?? 0
        guard start >= 0, start <= matching.count else {
            return AWSError(code: "InvalidParameterException", message: "The nextToken is not valid.", status: 400)
                .jsonResponse(extra: ["clusterName": cluster])
        }
        let page = matching[start..<min(matching.count, start + maxResults)]
        var body: [String: Any] = ["associations": page.map { a in
            var summary: [String: Any] = ["clusterName": a.clusterName, "namespace": a.namespace, "serviceAccount": a.serviceAccount,
                                          "associationArn": a.associationArn, "associationId": a.associationID]
            if let owner = a.ownerArn { summary["ownerArn"] = owner }
            return summary
        }]
        if start + maxResults < matching.count { body["nextToken"] = String(start + maxResults) }
        return AWSWire.json(200, body)
    }

    func describe(cluster: String, id: String) -> SandboxResponse {
        guard let a = catalog.associations.first(where: { $0.clusterName == cluster && $0.associationID == id }) else {
            return AWSError(code: "ResourceNotFoundException", message: "No Pod Identity Association found for id: \(id).", status: 404)
                .jsonResponse(extra: ["clusterName": cluster])
        }
        // The PodIdentityAssociation shape of botocore's data/eks/2017-11-01/service-2.json (also the
        // DescribePodIdentityAssociation response syntax of the EKS API reference): optional members
        // only when set (targetRoleArn and externalId with a target role, ownerArn for an add-on's).
        var association: [String: Any] = [
            "clusterName": a.clusterName, "namespace": a.namespace, "serviceAccount": a.serviceAccount,
            "roleArn": a.roleArn, "associationArn": a.associationArn, "associationId": a.associationID,
            "tags": [String: String](), "createdAt": RestJSON.epoch(a.createdAt), "modifiedAt": RestJSON.epoch(a.createdAt),
            "disableSessionTags": a.disableSessionTags,
        ]
        if let target = a.targetRoleArn { association["targetRoleArn"] = target }
        if let external = a.externalId { association["externalId"] = external }
        if let owner = a.ownerArn { association["ownerArn"] = owner }
        return AWSWire.json(200, ["association": association])
    }
}
