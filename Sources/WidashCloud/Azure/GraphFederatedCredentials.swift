import Foundation
import WidashHTTP

/// Microsoft Graph: the federated identity credentials of an application, by its client (app) id.
public struct GraphFederatedCredentialClient: Sendable {
    public static let resource = "https://graph.microsoft.com"
    public var transport: any HTTPTransport
    /// `https://graph.microsoft.com` unless overridden.
    public var baseURL: String
    public var timeouts: HTTPTimeouts?

    public init(transport: any HTTPTransport, baseURL: String = "https://graph.microsoft.com", timeouts: HTTPTimeouts? = nil) {
        self.transport = transport
        self.baseURL = baseURL
        self.timeouts = timeouts
    }

    /// `GET /v1.0/applications(appId='{id}')/federatedIdentityCredentials`, following `@odata.nextLink`.
    /// Returns nil when no application has this app id (404): it may be a managed identity.
    public func list(appID: String, token: String) async throws -> [FederatedIdentityCredential]? {
        var url: String? = joinURL(baseURL, "/v1.0/applications(appId='\(FormEncoding.escape(appID))')/federatedIdentityCredentials")
        var all: [FederatedIdentityCredential] = []
        var pages = 0
        while let next = url, pages < 10 {
            pages += 1
            let request = HTTPRequest(method: "GET", url: next,
                                      headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")],
                                      timeouts: timeouts)
            let response = try await send(transport, request)
            if response.status == 404 { return nil }
            guard response.status == 200 else { throw AzureAPIError.from(endpoint: next, response) }
            struct Page: Decodable {
                struct Item: Decodable {
                    var id: String?
                    var name: String
                    var issuer: String
                    /// Absent on a flexible credential, which has `claimsMatchingExpression` instead.
                    var subject: String?
                    var audiences: [String]?
                    var description: String?
                    var claimsMatchingExpression: ClaimsMatchingExpression?
                }
                var value: [Item]
                var nextLink: String?
                enum CodingKeys: String, CodingKey { case value, nextLink = "@odata.nextLink" }
            }
            guard let page = try? JSONDecoder().decode(Page.self, from: response.body) else {
                throw CloudError.unexpectedResponse(endpoint: next, status: response.status, detail: bodyExcerpt(response.body))
            }
            all += page.value.map {
                FederatedIdentityCredential(name: $0.name, issuer: $0.issuer, subject: $0.subject ?? "", audiences: $0.audiences ?? [],
                                            id: $0.id, description: $0.description,
                                            claimsMatchingExpression: $0.claimsMatchingExpression?.value)
            }
            url = page.nextLink
        }
        return all
    }
}

/// Reads Graph/ARM error bodies (`{"error":{"code","message"}}`) into `CloudError.http`.
enum AzureAPIError {
    static func from(endpoint: String, _ response: HTTPResponse) -> CloudError {
        struct Wire: Decodable {
            struct E: Decodable { var code: String?; var message: String? }
            var error: E?
        }
        let w = try? JSONDecoder().decode(Wire.self, from: response.body)
        return .http(endpoint: endpoint, status: response.status, code: w?.error?.code, message: w?.error?.message)
    }
}
