import Foundation
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

/// The limited operator (`widash-limited-operator`) authenticates like the operator but may only list
/// subscriptions and read user-assigned identities: federated credentials, role assignments and Graph
/// reads are refused with ARM's and Graph's real 403s, naming what is missing.
final class LimitedOperatorAzureTests: XCTestCase {
    let sub = DemoDirectory.subscriptionID

    func error(_ response: SandboxResponse) throws -> [String: Any] {
        try XCTUnwrap(try jsonObject(response)["error"] as? [String: Any], String(decoding: response.body, as: UTF8.self))
    }

    func testLimitedOperatorAuthenticatesWithItsSecret() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.limitedOperatorToken(resource: "https://management.azure.com")
        let issued = claims(of: token)
        XCTAssertEqual(issued["appid"] as? String, DemoDirectory.limitedOperatorClientID)
        XCTAssertEqual(issued["oid"] as? String, DemoDirectory.limitedOperatorObjectID)
        XCTAssertEqual(issued["appidacr"] as? String, "1")

        let form = FormCoding.encode([("client_id", DemoDirectory.limitedOperatorClientID), ("client_secret", DemoDirectory.operatorClientSecret),
                                      ("grant_type", "client_credentials"), ("scope", "https://management.azure.com/.default")])
        let wrong = await azure.send("POST", "login.microsoftonline.com", "/\(DemoDirectory.tenantID)/oauth2/v2.0/token",
                                     headers: ["content-type": "application/x-www-form-urlencoded"], body: Data(form.utf8))
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(try jsonObject(wrong)["error_codes"] as? [Int], [7000215], "the full operator's secret is not the limited one's")
    }

    func testLimitedOperatorReadsIdentitiesButNotTheirCredentialsNorRoleAssignments() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.limitedOperatorToken(resource: "https://management.azure.com")
        let subscriptions = await azure.arm("/subscriptions", token: token, apiVersion: "2022-12-01")
        XCTAssertEqual((try jsonObject(subscriptions)["value"] as? [[String: Any]])?.compactMap { $0["subscriptionId"] as? String }, [sub])

        let identities = await azure.arm("/subscriptions/\(sub)/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
                                         token: token, apiVersion: "2024-11-30")
        XCTAssertEqual(identities.status, 200, String(decoding: identities.body, as: UTF8.self))
        let listed = try XCTUnwrap(try jsonObject(identities)["value"] as? [[String: Any]])
        XCTAssertEqual(listed.count, DemoDirectory.azureIdentities.filter { $0.kind == .userAssignedIdentity }.count)

        let identityID = "/subscriptions/\(sub)/resourcegroups/\(DemoDirectory.resourceGroup)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shop-backend"
        let credentials = await azure.arm(identityID + "/federatedIdentityCredentials", token: token, apiVersion: "2024-11-30")
        XCTAssertEqual(credentials.status, 403)
        let ficError = try error(credentials)
        XCTAssertEqual(ficError["code"] as? String, "AuthorizationFailed")
        XCTAssertEqual(ficError["message"] as? String,
                       "The client '\(DemoDirectory.limitedOperatorClientID)' with object id '\(DemoDirectory.limitedOperatorObjectID)' does not have authorization to perform action 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read' over scope '\(identityID)' or the scope is invalid. If access was recently granted, please refresh your credentials.")

        let assignments = await azure.arm("/subscriptions/\(sub)/providers/Microsoft.Authorization/roleAssignments", token: token,
                                          apiVersion: "2022-04-01")
        XCTAssertEqual(assignments.status, 403)
        let raError = try error(assignments)
        XCTAssertEqual(raError["code"] as? String, "AuthorizationFailed")
        let message = try XCTUnwrap(raError["message"] as? String)
        XCTAssertTrue(message.contains("perform action 'Microsoft.Authorization/roleAssignments/read' over scope '/subscriptions/\(sub)/providers/Microsoft.Authorization'"), message)
        XCTAssertNotNil(header(assignments, "x-ms-request-id"))

        // Refused before the lookup: a missing identity's credentials are refused the same way.
        let missing = await azure.arm(identityID + "-nope/federatedIdentityCredentials", token: token, apiVersion: "2024-11-30")
        XCTAssertEqual(missing.status, 403)
    }

    func testFullOperatorStillReadsEverything() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.operatorToken(resource: "https://management.azure.com")
        let identityID = "/subscriptions/\(sub)/resourcegroups/\(DemoDirectory.resourceGroup)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shop-backend"
        let credentials = await azure.arm(identityID + "/federatedIdentityCredentials", token: token, apiVersion: "2024-11-30")
        XCTAssertEqual(credentials.status, 200)
        let assignments = await azure.arm("/subscriptions/\(sub)/providers/Microsoft.Authorization/roleAssignments", token: token,
                                          apiVersion: "2022-04-01")
        XCTAssertEqual(assignments.status, 200)
    }

    func testLimitedOperatorGraphReadsAreRefused() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.limitedOperatorToken(resource: "https://graph.microsoft.com")
        let frontend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "frontend"))
        for path in ["/v1.0/applications(appId='\(frontend.clientID)')/federatedIdentityCredentials",
                     "/v1.0/servicePrincipals(appId='\(frontend.clientID)')",
                     "/v1.0/servicePrincipals(appId='00000000-1111-2222-3333-444444444444')"] {
            let response = await azure.send("GET", "graph.microsoft.com", path, headers: ["authorization": "Bearer \(token)"])
            XCTAssertEqual(response.status, 403, path)
            let body = try error(response)
            XCTAssertEqual(body["code"] as? String, "Authorization_RequestDenied")
            XCTAssertEqual(body["message"] as? String, "Insufficient privileges to complete the operation.")
            XCTAssertNotNil((body["innerError"] as? [String: Any])?["request-id"])
        }
    }

    func testServicePrincipalsByAppID() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.operatorToken(resource: "https://graph.microsoft.com")
        let auth = ["authorization": "Bearer \(token)"]
        let frontend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "frontend"))
        let response = await azure.send("GET", "graph.microsoft.com", "/v1.0/servicePrincipals(appId='\(frontend.clientID)')", headers: auth)
        XCTAssertEqual(response.status, 200)
        let sp = try jsonObject(response)
        XCTAssertEqual(sp["@odata.context"] as? String, "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity")
        XCTAssertEqual(sp["id"] as? String, frontend.objectID)
        XCTAssertEqual(sp["appId"] as? String, frontend.clientID)
        XCTAssertEqual(sp["displayName"] as? String, "shop-frontend")
        XCTAssertEqual(sp["servicePrincipalType"] as? String, "Application")
        XCTAssertEqual(sp["accountEnabled"] as? Bool, true)

        let encoded = await azure.send("GET", "graph.microsoft.com", "/v1.0/servicePrincipals(appId=%27\(frontend.clientID)%27)", headers: auth)
        XCTAssertEqual(try jsonObject(encoded)["id"] as? String, frontend.objectID)

        // A user-assigned identity's service principal is a managed identity's.
        let backend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "backend"))
        let managed = try jsonObject(await azure.send("GET", "graph.microsoft.com", "/v1.0/servicePrincipals(appId='\(backend.clientID)')", headers: auth))
        XCTAssertEqual(managed["servicePrincipalType"] as? String, "ManagedIdentity")
        XCTAssertEqual(managed["id"] as? String, backend.objectID)

        let unknown = await azure.send("GET", "graph.microsoft.com", "/v1.0/servicePrincipals(appId='00000000-1111-2222-3333-444444444444')", headers: auth)
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(try error(unknown)["code"] as? String, "Request_ResourceNotFound")
    }
}
