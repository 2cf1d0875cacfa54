import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

final class ARMAndGraphTests: XCTestCase {
    let arm = DemoDirectory.armHost
    var rgPath: String {
        "/subscriptions/\(DemoDirectory.subscriptionID)/resourceGroups/\(DemoDirectory.resourceGroup)/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
    }

    func armError(_ response: SandboxResponse) throws -> String? {
        (try jsonObject(response)["error"] as? [String: Any])?["code"] as? String
    }

    func testUserAssignedIdentityAndItsCredentials() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.accessToken("shop", "backend", resource: "https://management.azure.com")
        let auth = ["authorization": "Bearer \(token)"]
        for version in ["2023-01-31", "2024-11-30"] {
            let identity = await azure.send("GET", arm, rgPath + "/id-wrong-issuer", query: "api-version=\(version)", headers: auth)
            XCTAssertEqual(identity.status, 200)
            let body = try jsonObject(identity)
            let properties = try XCTUnwrap(body["properties"] as? [String: Any])
            XCTAssertEqual(properties["clientId"] as? String, "d4a6f913-4a5e-4182-9dce-3f4a5b6c7d84")
            XCTAssertEqual(properties["tenantId"] as? String, DemoDirectory.tenantID)
            XCTAssertEqual(body["type"] as? String, "Microsoft.ManagedIdentity/userAssignedIdentities")
            XCTAssertEqual(properties["isolationScope"] as? String, version == "2024-11-30" ? "None" : nil)

            let list = await azure.send("GET", arm, rgPath + "/id-wrong-issuer/federatedIdentityCredentials", query: "api-version=\(version)", headers: auth)
            let credentials = try XCTUnwrap(try jsonObject(list)["value"] as? [[String: Any]])
            let fic = try XCTUnwrap(credentials.first?["properties"] as? [String: Any])
            XCTAssertEqual(fic["issuer"] as? String, FakeIssuer.issuer + "/", "the trailing-slash mistake is visible in ARM")
            XCTAssertEqual(fic["subject"] as? String, "system:serviceaccount:broken:wrong-issuer")
            XCTAssertEqual(fic["audiences"] as? [String], ["api://AzureADTokenExchange"])
        }

        let badVersion = await azure.send("GET", arm, rgPath + "/id-wrong-issuer", query: "api-version=2018-11-30", headers: auth)
        XCTAssertEqual(badVersion.status, 400)
        XCTAssertEqual(try armError(badVersion), "InvalidApiVersionParameter")

        let bySubscription = await azure.send("GET", arm, "/subscriptions/\(DemoDirectory.subscriptionID)/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
                                              query: "api-version=2024-11-30", headers: auth)
        let all = try XCTUnwrap(try jsonObject(bySubscription)["value"] as? [[String: Any]])
        let clientIDs = all.compactMap { ($0["properties"] as? [String: Any])?["clientId"] as? String }
        XCTAssertTrue(clientIDs.contains("b2e4d7f1-2e3c-4f60-9bac-1d2e3f4a5b62"), "find a UAMI by client id: \(clientIDs)")
        XCTAssertFalse(clientIDs.contains("a1f3c6e0-1d2b-4e5f-8a9b-0c1d2e3f4a51"), "applications are not managed identities")

        let missing = await azure.send("GET", arm, rgPath + "/id-nope", query: "api-version=2024-11-30", headers: auth)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(try armError(missing), "ResourceNotFound")
    }

    func testARMAuthenticationAndAuthorization() async throws {
        let azure = try await AzureHarness()
        let unauthenticated = await azure.send("GET", arm, "/subscriptions", query: "api-version=2022-12-01")
        XCTAssertEqual(unauthenticated.status, 401)
        XCTAssertEqual(try armError(unauthenticated), "AuthenticationFailed")

        let vaultToken = try await azure.accessToken("shop", "frontend", resource: "https://vault.azure.net")
        let wrongAudience = await azure.send("GET", arm, "/subscriptions", query: "api-version=2022-12-01", headers: ["authorization": "Bearer \(vaultToken)"])
        XCTAssertEqual(wrongAudience.status, 401)
        XCTAssertEqual(try armError(wrongAudience), "InvalidAuthenticationTokenAudience")

        let granted = try await azure.accessToken("shop", "frontend", resource: "https://management.azure.com")
        let subscriptions = await azure.send("GET", arm, "/subscriptions", query: "api-version=2022-12-01", headers: ["authorization": "Bearer \(granted)"])
        XCTAssertEqual(subscriptions.status, 200)
        let value = try XCTUnwrap(try jsonObject(subscriptions)["value"] as? [[String: Any]])
        XCTAssertEqual(value.compactMap { $0["subscriptionId"] as? String }, [DemoDirectory.subscriptionID])

        let noRole = try await azure.accessToken("broken", "no-role", resource: "https://management.azure.com")
        let empty = await azure.send("GET", arm, "/subscriptions", query: "api-version=2022-12-01", headers: ["authorization": "Bearer \(noRole)"])
        XCTAssertEqual((try jsonObject(empty)["value"] as? [Any])?.count, 0, "ARM lists only subscriptions the caller may see")
        let forbidden = await azure.send("GET", arm, rgPath + "/id-shop-backend", query: "api-version=2024-11-30", headers: ["authorization": "Bearer \(noRole)"])
        XCTAssertEqual(forbidden.status, 403)
        XCTAssertEqual(try armError(forbidden), "AuthorizationFailed")
    }

    func testGraphApplicationCredentials() async throws {
        let azure = try await AzureHarness()
        let frontend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "frontend"))
        let token = try await azure.accessToken("shop", "frontend", resource: "https://graph.microsoft.com")
        let auth = ["authorization": "Bearer \(token)"]
        for path in ["/v1.0/applications(appId='\(frontend.clientID)')/federatedIdentityCredentials",
                     "/v1.0/applications(appId=%27\(frontend.clientID)%27)/federatedIdentityCredentials",
                     "/v1.0/applications/\(frontend.objectID)/federatedIdentityCredentials"] {
            let response = await azure.send("GET", "graph.microsoft.com", path, headers: auth)
            XCTAssertEqual(response.status, 200, path)
            let body = try jsonObject(response)
            XCTAssertEqual(body["@odata.context"] as? String,
                           "https://graph.microsoft.com/v1.0/$metadata#applications('\(frontend.objectID)')/federatedIdentityCredentials")
            let fic = try XCTUnwrap((body["value"] as? [[String: Any]])?.first)
            XCTAssertEqual(fic["name"] as? String, "aks-shop-frontend")
            XCTAssertEqual(fic["issuer"] as? String, FakeIssuer.issuer)
            XCTAssertEqual(fic["subject"] as? String, "system:serviceaccount:shop:frontend")
            XCTAssertEqual(fic["audiences"] as? [String], ["api://AzureADTokenExchange"])
            XCTAssertNotNil(fic["id"] as? String)
        }

        let backend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "backend"))
        let notAnApplication = await azure.send("GET", "graph.microsoft.com", "/v1.0/applications(appId='\(backend.clientID)')/federatedIdentityCredentials", headers: auth)
        XCTAssertEqual(notAnApplication.status, 404)

        let anonymous = await azure.send("GET", "graph.microsoft.com", "/v1.0/applications/\(frontend.objectID)/federatedIdentityCredentials")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual((try jsonObject(anonymous)["error"] as? [String: Any])?["code"] as? String, "InvalidAuthenticationToken")
    }
}
