import Foundation
import WidashCore
import WidashHTTP

/// Temporary credentials from STS or eks-auth, with who they belong to.
public struct AssumedRoleCredentials: Sendable, Hashable, CustomStringConvertible {
    public var credentials: AWSCredentials
    /// `arn:aws:sts::111122223333:assumed-role/role/session`.
    public var assumedRoleARN: String?
    public var assumedRoleID: String?
    /// STS AssumeRoleWithWebIdentity: the token's `sub`, the provider and the audience STS saw.
    public var subjectFromWebIdentityToken: String?
    public var provider: String?
    public var audience: String?

    public var description: String {
        "\(credentials) as \(assumedRoleARN ?? "?")" + (credentials.expiration.map { ", expires \(TokenClock.timestamp($0))" } ?? "")
    }
}

/// The caller identity (`GetCallerIdentity`).
public struct CallerIdentity: Sendable, Hashable {
    public var account: String
    public var arn: String
    public var userID: String
}

/// One AWS call's outcome for evidence: the request line, status and the result or AWS's error.
public struct AWSExchange<Value: Sendable>: Sendable {
    public var requestLine: String
    public var status: Int
    public var result: Result<Value, AWSServiceError>
}

/// AWS STS (Query protocol, version 2011-06-15).
public struct STSClient: Sendable {
    public static let apiVersion = "2011-06-15"
    public var transport: any HTTPTransport
    public var endpoint: AWSEndpoint
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, endpoint: AWSEndpoint, timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.endpoint = endpoint
        self.timeouts = timeouts
    }

    /// `AssumeRoleWithWebIdentity`: a form POST without a signature (the web identity token is the credential).
    /// Sent once: a 429/503 throws `CloudError.retryLater` (see `TokenExchangeRetry`).
    public func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, webIdentityToken: String,
                                          durationSeconds: Int? = nil) async throws -> AWSExchange<AssumedRoleCredentials> {
        var fields = [("Action", "AssumeRoleWithWebIdentity"), ("Version", Self.apiVersion), ("RoleArn", roleARN),
                      ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken)]
        if let d = durationSeconds { fields.append(("DurationSeconds", String(d))) }
        let request = queryRequest(fields)
        let response = try await send(transport, request)
        try TokenExchangeRetry.check(response, request: request, exchange: "STS AssumeRoleWithWebIdentity") {
            AWSServiceError.parseQuery(service: "sts", status: response.status, body: response.body)?.description
        }
        return try Self.parseAssumeRoleWithWebIdentity(requestLine: RequestLine.of(request), url: request.url, response: response)
    }

    /// `GetCallerIdentity`, signed with `credentials`.
    public func getCallerIdentity(credentials: AWSCredentials, date: Date = Date()) async throws -> AWSExchange<CallerIdentity> {
        let signer = SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: endpoint.signingName)
        let request = signer.sign(queryRequest([("Action", "GetCallerIdentity"), ("Version", Self.apiVersion)]), date: date)
        let response = try await send(transport, request)
        let line = RequestLine.of(request)
        if response.status == 200, let root = XMLTree.parse(response.body),
           let result = root.find("GetCallerIdentityResult"), let arn = result.text("Arn") {
            return AWSExchange(requestLine: line, status: 200,
                               result: .success(CallerIdentity(account: result.text("Account") ?? "", arn: arn, userID: result.text("UserId") ?? "")))
        }
        if let error = AWSServiceError.parseQuery(service: "sts", status: response.status, body: response.body) {
            return AWSExchange(requestLine: line, status: response.status, result: .failure(error))
        }
        throw CloudError.unexpectedResponse(endpoint: request.url, status: response.status, detail: bodyExcerpt(response.body))
    }

    func queryRequest(_ fields: [(String, String)]) -> HTTPRequest {
        HTTPRequest(method: "POST", url: joinURL(endpoint.url, "/"),
                    headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                    body: Data(FormEncoding.encode(fields).utf8), timeouts: timeouts)
    }

    /// Parses an AssumeRoleWithWebIdentity response (success XML or error XML).
    public static func parseAssumeRoleWithWebIdentity(requestLine: String, url: String, response: HTTPResponse) throws -> AWSExchange<AssumedRoleCredentials> {
        if response.status == 200, let root = XMLTree.parse(response.body), let result = root.find("AssumeRoleWithWebIdentityResult"),
           let id = result.text("Credentials/AccessKeyId"), let secret = result.text("Credentials/SecretAccessKey") {
            let creds = AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: result.text("Credentials/SessionToken"),
                                       expiration: result.text("Credentials/Expiration").flatMap(TokenClock.parseTimestamp),
                                       source: "sts:AssumeRoleWithWebIdentity")
            return AWSExchange(requestLine: requestLine, status: 200, result: .success(AssumedRoleCredentials(
                credentials: creds, assumedRoleARN: result.text("AssumedRoleUser/Arn"), assumedRoleID: result.text("AssumedRoleUser/AssumedRoleId"),
                subjectFromWebIdentityToken: result.text("SubjectFromWebIdentityToken"), provider: result.text("Provider"),
                audience: result.text("Audience"))))
        }
        if let error = AWSServiceError.parseQuery(service: "sts", status: response.status, body: response.body) {
            return AWSExchange(requestLine: requestLine, status: response.status, result: .failure(error))
        }
        throw CloudError.unexpectedResponse(endpoint: url, status: response.status, detail: bodyExcerpt(response.body))
    }
}
