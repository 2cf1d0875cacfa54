import Foundation
import WidashCore
import WidashHTTP

/// An EKS Pod Identity association.
public struct PodIdentityAssociation: Sendable, Hashable {
    public var associationID: String
    public var associationARN: String?
    public var clusterName: String
    public var namespace: String
    public var serviceAccount: String
    /// Present in Describe, not in List.
    public var roleARN: String?
    /// Cross-account: the role EKS chains to from `roleARN`, with `externalID` (Describe only).
    public var targetRoleARN: String?
    public var externalID: String?
    /// True when EKS passes no session tags (then the role's trust needs no `sts:TagSession`).
    public var disableSessionTags: Bool?
}

/// Amazon EKS (rest-json): Pod Identity associations, signed with the operator's credentials.
public struct EKSClient: Sendable {
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

    /// `GET /clusters/{name}/pod-identity-associations?namespace=…&serviceAccount=…`.
    public func listPodIdentityAssociations(cluster: String, namespace: String?, serviceAccount: String?) async throws -> [PodIdentityAssociation] {
        var query: [(String, String)] = []
        if let namespace { query.append(("namespace", namespace)) }
        if let serviceAccount { query.append(("serviceAccount", serviceAccount)) }
        // The largest page the API allows (ListPodIdentityAssociations: maxResults 1–100); every page
        // is read: a cluster with thousands of associations must not lose the ones past a cap.
        query.append(("maxResults", "100"))
        var all: [PodIdentityAssociation] = []
        var nextToken: String?
        var seen: Set<String> = []
        repeat {
            let q = query + (nextToken.map { [("nextToken", $0)] } ?? [])
            let path = "/clusters/\(SigV4Signer.uriEncode(cluster, keepSlash: false))/pod-identity-associations"
            let object = try await get(path + "?" + FormEncoding.encode(q))
            for item in object["associations"] as? [[String: Any]] ?? [] {
                if let a = Self.association(item) { all.append(a) }
            }
            nextToken = object["nextToken"] as? String
            if let token = nextToken, !seen.insert(token).inserted {
                throw CloudError.unexpectedResponse(endpoint: endpoint.url, status: 200,
                                                    detail: "ListPodIdentityAssociations returned the same nextToken twice")
            }
        } while nextToken != nil
        return all
    }

    /// `GET /clusters/{name}/pod-identity-associations/{associationId}`.
    public func describePodIdentityAssociation(cluster: String, associationID: String) async throws -> PodIdentityAssociation {
        let object = try await get("/clusters/\(SigV4Signer.uriEncode(cluster, keepSlash: false))/pod-identity-associations/\(SigV4Signer.uriEncode(associationID, keepSlash: false))")
        guard let item = object["association"] as? [String: Any], let a = Self.association(item) else {
            throw CloudError.unexpectedResponse(endpoint: endpoint.url, status: 200, detail: "DescribePodIdentityAssociation without association")
        }
        return a
    }

    static func association(_ o: [String: Any]) -> PodIdentityAssociation? {
        guard let id = o["associationId"] as? String else { return nil }
        return PodIdentityAssociation(associationID: id, associationARN: o["associationArn"] as? String,
                                      clusterName: o["clusterName"] as? String ?? "", namespace: o["namespace"] as? String ?? "",
                                      serviceAccount: o["serviceAccount"] as? String ?? "", roleARN: o["roleArn"] as? String,
                                      targetRoleARN: o["targetRoleArn"] as? String, externalID: o["externalId"] as? String,
                                      disableSessionTags: o["disableSessionTags"] as? Bool)
    }

    func get(_ pathAndQuery: String) async throws -> [String: Any] {
        let signer = SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: endpoint.signingName)
        let request = signer.sign(HTTPRequest(method: "GET", url: joinURL(endpoint.url, pathAndQuery),
                                              headers: [("Accept", "application/json")], timeouts: timeouts))
        let response = try await send(transport, request)
        if response.status == 200, let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] {
            return object
        }
        if let error = AWSServiceError.parseRestJSON(service: "eks", response: response) { throw CloudError.aws(error) }
        throw CloudError.unexpectedResponse(endpoint: request.url, status: response.status, detail: bodyExcerpt(response.body))
    }
}

/// Amazon EKS Auth: `AssumeRoleForPodIdentity`, what the Pod Identity agent calls for a pod.
public struct EKSAuthClient: Sendable {
    public var transport: any HTTPTransport
    public var endpoint: AWSEndpoint
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, endpoint: AWSEndpoint, timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.endpoint = endpoint
        self.timeouts = timeouts
    }

    /// `POST /clusters/{name}/assume-role-for-pod-identity` with `{"token": …}`, SigV4 (`eks-auth`)
    /// with `signingCredentials` (the agent uses the node role; widash the operator's). Sent once: a
    /// 429/503 throws `CloudError.retryLater` (see `TokenExchangeRetry`).
    public func assumeRoleForPodIdentity(cluster: String, token: String, signingCredentials: AWSCredentials,
                                         date: Date = Date()) async throws -> AWSExchange<AssumedRoleCredentials> {
        let body = (try? JSONSerialization.data(withJSONObject: ["token": token])) ?? Data()
        let signer = SigV4Signer(credentials: signingCredentials, region: endpoint.signingRegion, service: endpoint.signingName)
        let request = signer.sign(HTTPRequest(method: "POST",
                                              url: joinURL(endpoint.url, "/clusters/\(SigV4Signer.uriEncode(cluster, keepSlash: false))/assume-role-for-pod-identity"),
                                              headers: [("Content-Type", "application/json")], body: body, timeouts: timeouts), date: date)
        let response = try await send(transport, request)
        try TokenExchangeRetry.check(response, request: request, exchange: "eks-auth AssumeRoleForPodIdentity") {
            AWSServiceError.parseRestJSON(service: "eks-auth", response: response)?.description
        }
        return try Self.parse(requestLine: RequestLine.of(request), url: request.url, response: response)
    }

    public static func parse(requestLine: String, url: String, response: HTTPResponse) throws -> AWSExchange<AssumedRoleCredentials> {
        if response.status == 200, let o = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
           let c = o["credentials"] as? [String: Any], let id = c["accessKeyId"] as? String, let secret = c["secretAccessKey"] as? String {
            let expiration: Date?
            if let n = c["expiration"] as? NSNumber { expiration = Date(timeIntervalSince1970: n.doubleValue) }
            else { expiration = (c["expiration"] as? String).flatMap(TokenClock.parseTimestamp) }
            let subject = o["subject"] as? [String: Any]
            let user = o["assumedRoleUser"] as? [String: Any]
            let creds = AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: c["sessionToken"] as? String,
                                       expiration: expiration, source: "eks-auth:AssumeRoleForPodIdentity")
            let sub = subject.map { "system:serviceaccount:\($0["namespace"] as? String ?? "?"):\($0["serviceAccount"] as? String ?? "?")" }
            return AWSExchange(requestLine: requestLine, status: 200, result: .success(AssumedRoleCredentials(
                credentials: creds, assumedRoleARN: user?["arn"] as? String, assumedRoleID: user?["assumeRoleId"] as? String,
                subjectFromWebIdentityToken: sub, provider: nil, audience: o["audience"] as? String)))
        }
        if let error = AWSServiceError.parseRestJSON(service: "eks-auth", response: response) {
            return AWSExchange(requestLine: requestLine, status: response.status, result: .failure(error))
        }
        throw CloudError.unexpectedResponse(endpoint: url, status: response.status, detail: bodyExcerpt(response.body))
    }
}
