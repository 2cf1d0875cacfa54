import Foundation
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

/// The demo operator (azure-identity's AZURE_CLIENT_ID / AZURE_CLIENT_SECRET service principal):
/// client-secret tokens, and Graph/ARM reads in the exact shapes widash's readers decode
/// (`GraphFederatedCredentialClient`, `ARMClient` in WidashCloud; mirrored here because this test
/// target does not depend on WidashCloud).
final class OperatorCredentialTests: XCTestCase {
    let arm = DemoDirectory.armHost

    // MARK: - Wire shapes widash decodes (mirrors of WidashCloud's private Decodables)

    struct GraphPage: Decodable {
        struct Item: Decodable {
            var id: String?
            var name: String
            var issuer: String
            var subject: String
            var audiences: [String]?
            var description: String?
        }
        var value: [Item]
        var nextLink: String?
        enum CodingKeys: String, CodingKey { case value, nextLink = "@odata.nextLink" }
    }

    struct ARMPage<Item: Decodable>: Decodable {
        var value: [Item]
        var nextLink: String?
    }

    struct SubscriptionItem: Decodable { var subscriptionId: String }

    struct IdentityItem: Decodable {
        struct P: Decodable { var clientId: String?; var principalId: String?; var tenantId: String? }
        var id: String
        var name: String
        var properties: P?
    }

    struct CredentialItem: Decodable {
        struct P: Decodable { var issuer: String; var subject: String; var audiences: [String]? }
        var id: String?
        var name: String
        var properties: P
    }

    // MARK: - Helpers

    /// POSTs the form `ServicePrincipalEnvCredential` sends (its field order and scope spelling).
    func secretExchange(_ azure: AzureHarness, clientID: String = DemoDirectory.operatorClientID,
                        secret: String = DemoDirectory.operatorClientSecret, scope: String) async -> SandboxResponse {
        let form = FormCoding.encode([("client_id", clientID), ("client_secret", secret),
                                      ("grant_type", "client_credentials"), ("scope", scope)])
        return await azure.send("POST", "login.microsoftonline.com", "/\(DemoDirectory.tenantID)/oauth2/v2.0/token",
                                headers: ["content-type": "application/x-www-form-urlencoded", "accept": "application/json"],
                                body: Data(form.utf8))
    }

    func operatorToken(_ azure: AzureHarness, resource: String, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let response = await secretExchange(azure, scope: resource + "/.default")
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self), file: file, line: line)
        return try XCTUnwrap(try jsonObject(response)["access_token"] as? String, file: file, line: line)
    }

    func entraError(_ response: SandboxResponse) throws -> (error: String?, codes: [Int]?, description: String) {
        let body = try jsonObject(response)
        return (body["error"] as? String, body["error_codes"] as? [Int], body["error_description"] as? String ?? "")
    }

    // MARK: - Token endpoint

    func testOperatorSecretGetsTokensWithTheOperatorsIdentity() async throws {
        let azure = try await AzureHarness()
        for resource in ["https://graph.microsoft.com", "https://management.azure.com"] {
            let response = await secretExchange(azure, scope: resource + "/.default")
            XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
            let body = try jsonObject(response)
            XCTAssertEqual(body["token_type"] as? String, "Bearer")
            XCTAssertEqual(body["expires_in"] as? Int, 3599)
            let issued = claims(of: try XCTUnwrap(body["access_token"] as? String))
            XCTAssertEqual(issued["aud"] as? String, resource)
            XCTAssertEqual(issued["appid"] as? String, DemoDirectory.operatorClientID)
            XCTAssertEqual(issued["oid"] as? String, DemoDirectory.operatorObjectID)
            XCTAssertEqual(issued["tid"] as? String, DemoDirectory.tenantID)
            XCTAssertEqual(issued["appidacr"] as? String, "1", "a client secret, not an assertion")
            XCTAssertNil(issued["xms_mirid"])
        }
    }

    func testWrongOrMisplacedSecretsGetEntrasRealErrors() async throws {
        let azure = try await AzureHarness()
        let wrong = await secretExchange(azure, secret: "not-the-secret", scope: "https://graph.microsoft.com/.default")
        XCTAssertEqual(wrong.status, 401)
        let bad = try entraError(wrong)
        XCTAssertEqual(bad.error, "invalid_client")
        XCTAssertEqual(bad.codes, [7000215])
        XCTAssertTrue(bad.description.hasPrefix(
            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(DemoDirectory.operatorClientID)'.\r\nTrace ID: "),
            bad.description)
        XCTAssertFalse(String(decoding: wrong.body, as: UTF8.self).contains("not-the-secret"), "the secret is not echoed")

        // A workload identity has federated credentials only: no secret can be right.
        let frontend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "frontend"))
        let noKeys = await secretExchange(azure, clientID: frontend.clientID, secret: DemoDirectory.operatorClientSecret,
                                          scope: "https://graph.microsoft.com/.default")
        XCTAssertEqual(noKeys.status, 401)
        let none = try entraError(noKeys)
        XCTAssertEqual(none.codes, [700026])
        XCTAssertTrue(none.description.hasPrefix("AADSTS700026: Client application has no configured keys.\r\n"), none.description)

        let unknown = await secretExchange(azure, clientID: "00000000-1111-2222-3333-444444444444", scope: "https://graph.microsoft.com/.default")
        XCTAssertEqual(try entraError(unknown).codes, [700016])
    }

    // MARK: - Graph and ARM with the operator's token

    func testOperatorReadsShopFrontendsCredentialsFromGraph() async throws {
        let azure = try await AzureHarness()
        let token = try await operatorToken(azure, resource: "https://graph.microsoft.com")
        let frontend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "frontend"))
        let response = await azure.send("GET", "graph.microsoft.com",
                                        "/v1.0/applications(appId='\(frontend.clientID)')/federatedIdentityCredentials",
                                        headers: ["authorization": "Bearer \(token)", "accept": "application/json"])
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let page = try JSONDecoder().decode(GraphPage.self, from: response.body)
        XCTAssertNil(page.nextLink)
        XCTAssertEqual(page.value.map(\.name), ["aks-shop-frontend"])
        XCTAssertEqual(page.value.first?.issuer, FakeIssuer.issuer)
        XCTAssertEqual(page.value.first?.subject, "system:serviceaccount:shop:frontend")
        XCTAssertEqual(page.value.first?.audiences, [DemoDirectory.tokenExchangeAudience])

        // A managed identity's client id is no application: 404, so widash goes on to ARM.
        let uami = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "broken", serviceAccount: "wrong-subject"))
        let notApp = await azure.send("GET", "graph.microsoft.com", "/v1.0/applications(appId='\(uami.clientID)')/federatedIdentityCredentials",
                                      headers: ["authorization": "Bearer \(token)"])
        XCTAssertEqual(notApp.status, 404)
    }

    /// widash's ARM walk for a client id: subscriptions → identities of each → the one with this
    /// client id → its federated credentials by the identity's own `id`.
    func testOperatorFindsWrongSubjectsCredentialsThroughARM() async throws {
        let azure = try await AzureHarness()
        let token = try await operatorToken(azure, resource: "https://management.azure.com")
        let auth = ["authorization": "Bearer \(token)", "accept": "application/json"]

        let subscriptions = await azure.send("GET", arm, "/subscriptions", query: "api-version=2022-12-01", headers: auth)
        XCTAssertEqual(subscriptions.status, 200, String(decoding: subscriptions.body, as: UTF8.self))
        let subs = try JSONDecoder().decode(ARMPage<SubscriptionItem>.self, from: subscriptions.body).value.map(\.subscriptionId)
        XCTAssertEqual(subs, [DemoDirectory.subscriptionID])

        let listing = await azure.send("GET", arm, "/subscriptions/\(DemoDirectory.subscriptionID)/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
                                       query: "api-version=2024-11-30", headers: auth)
        XCTAssertEqual(listing.status, 200, String(decoding: listing.body, as: UTF8.self))
        let identities = try JSONDecoder().decode(ARMPage<IdentityItem>.self, from: listing.body).value
        let expected = DemoDirectory.azureIdentities.filter { $0.kind == .userAssignedIdentity }
        XCTAssertEqual(Set(identities.compactMap { $0.properties?.clientId }), Set(expected.map(\.clientID)))
        XCTAssertEqual(Set(identities.compactMap { $0.properties?.principalId }), Set(expected.map(\.objectID)))

        let wrongSubject = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "broken", serviceAccount: "wrong-subject"))
        let identity = try XCTUnwrap(identities.first { $0.properties?.clientId?.lowercased() == wrongSubject.clientID })
        XCTAssertEqual(identity.name, "id-wrong-subject")
        XCTAssertEqual(identity.properties?.tenantId, DemoDirectory.tenantID)

        let ficResponse = await azure.send("GET", arm, identity.id + "/federatedIdentityCredentials", query: "api-version=2024-11-30", headers: auth)
        XCTAssertEqual(ficResponse.status, 200, String(decoding: ficResponse.body, as: UTF8.self))
        let credentials = try JSONDecoder().decode(ARMPage<CredentialItem>.self, from: ficResponse.body).value
        XCTAssertEqual(credentials.map(\.name), ["aks-wrong-subject"])
        XCTAssertEqual(credentials.first?.properties.subject, "system:serviceaccount:broken:wrongsubject",
                       "the typo the trace must show against the token's subject")
        XCTAssertEqual(credentials.first?.properties.issuer, FakeIssuer.issuer)
        XCTAssertEqual(credentials.first?.properties.audiences, [DemoDirectory.tokenExchangeAudience])

        let otherSubscription = await azure.send("GET", arm, "/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
                                                 query: "api-version=2024-11-30", headers: auth)
        XCTAssertEqual(otherSubscription.status, 404, "the operator reads the demo subscription only")
    }

    func testWorkloadTokenWithoutGrantsIsStillForbiddenOnARM() async throws {
        let azure = try await AzureHarness()
        let noRole = try await azure.accessToken("broken", "no-role", resource: "https://management.azure.com")
        let auth = ["authorization": "Bearer \(noRole)"]
        let listing = await azure.send("GET", arm, "/subscriptions/\(DemoDirectory.subscriptionID)/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
                                       query: "api-version=2024-11-30", headers: auth)
        XCTAssertEqual(listing.status, 403)
        let error = try XCTUnwrap(try jsonObject(listing)["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "AuthorizationFailed")
        let subscriptions = await azure.send("GET", arm, "/subscriptions", query: "api-version=2022-12-01", headers: auth)
        XCTAssertEqual(try JSONDecoder().decode(ARMPage<SubscriptionItem>.self, from: subscriptions.body).value.count, 0)
    }
}
