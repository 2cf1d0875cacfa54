import Foundation
import XCTest
import WidashHTTP
@testable import WidashCloud

final class AzureFederatedCredentialTests: XCTestCase {
    struct FakeCredential: AzureOperatorCredential {
        var available: Bool
        func token(resource: String) async throws -> OperatorTokenResult {
            available ? .token(OperatorToken(accessToken: "operator-\(resource)", expiresOn: nil, source: "test")) : .unavailable(reason: "no creds in test")
        }
    }

    func testGraphListParsesTheReferenceShape() async throws {
        let body = try Data(contentsOf: try requireReference("graph-fic/v1.0-application-list-federatedidentitycredentials.response.json"))
        let transport = ScriptedTransport { _ in HTTPResponse(status: 200, headers: [:], body: body) }
        let creds = try await GraphFederatedCredentialClient(transport: transport).list(appID: "bcd7c908-1c4d-4d48-93ee-ff38349a75c8", token: "t")
        XCTAssertEqual(creds?.first?.name, "testing")
        XCTAssertEqual(creds?.first?.issuer, "https://login.microsoftonline.com/3d1e2be9-a10a-4a0c-8380-7ce190f98ed9/v2.0")
        XCTAssertEqual(creds?.first?.audiences, ["api://AzureADTokenExchange"])
        XCTAssertEqual(transport.requests.first?.url,
                       "https://graph.microsoft.com/v1.0/applications(appId='bcd7c908-1c4d-4d48-93ee-ff38349a75c8')/federatedIdentityCredentials")
        XCTAssertEqual(transport.requests.first?.headers.first { $0.name == "Authorization" }?.value, "Bearer t")
    }

    func testReaderFindsAManagedIdentityThroughTheARMList() async throws {
        let reference = try requireReference("azure-arm-fic/2024-11-30/FederatedIdentityCredentialList.json")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: reference)) as? [String: Any])
        var listBody = try XCTUnwrap(((object["responses"] as? [String: Any])?["200"] as? [String: Any])?["body"] as? [String: Any])
        listBody["nextLink"] = nil
        let ficBody = try JSONSerialization.data(withJSONObject: listBody)
        let identityID = "/subscriptions/sub1/resourcegroups/rg-demo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-backend"
        let transport = ScriptedTransport { r in
            if r.url.contains("graph.microsoft.com") { return json(404, #"{"error":{"code":"Request_ResourceNotFound","message":"not found"}}"#) }
            if r.url.contains("/federatedIdentityCredentials") { return HTTPResponse(status: 200, headers: [:], body: ficBody) }
            if r.url.contains("userAssignedIdentities") {
                return json(200, #"{"value":[{"id":"/subscriptions/sub1/resourcegroups/rg-demo/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other","name":"other","properties":{"clientId":"0000"}},{"id":"\#(identityID)","name":"id-backend","properties":{"clientId":"B2E4","principalId":"p","tenantId":"t"}}]}"#)
            }
            if r.url.contains("/subscriptions?") { return json(200, #"{"value":[{"subscriptionId":"sub1"}]}"#) }
            return json(500, "{}")
        }
        let reader = CloudTrustReader(transport: transport, environment: [:], azureCredential: FakeCredential(available: true))
        guard case .found(let facts) = await reader.azureIdentity(clientID: "b2e4") else { return XCTFail("expected the identity") }
        XCTAssertEqual(facts.holder, .userAssignedIdentity(resourceID: identityID, name: "id-backend", resourceGroup: "rg-demo", subscriptionID: "sub1"))
        XCTAssertEqual(facts.principalID, "p")
        XCTAssertEqual(facts.credentials.first?.subject, "system:serviceaccount:ns:svcaccount")
        XCTAssertTrue(transport.requests.contains { $0.url == "https://management.azure.com\(identityID)/federatedIdentityCredentials?api-version=2024-11-30" })
        XCTAssertFalse(transport.requests.contains { $0.url.contains("graph.microsoft.com") }, "a managed identity needs no Graph lookup")
        guard case .failure(let roles) = facts.roles else { return XCTFail("the role assignment list answered 500") }
        XCTAssertTrue(roles.transient)

        let offline = CloudTrustReader(transport: transport, environment: [:], azureCredential: FakeCredential(available: false))
        guard case .unreadable(let problem) = await offline.azureIdentity(clientID: "b2e4") else { return XCTFail("no credentials → unreadable") }
        XCTAssertTrue(problem.reason.contains("no creds in test"))
    }

    func testEvaluationNamesMismatchesAndHints() {
        let fic = FederatedIdentityCredential(name: "aks", issuer: "https://issuer.test/abc/", subject: "system:serviceaccount:shop:front",
                                              audiences: ["api://AzureADTokenExchange"])
        let e = FederatedCredentialEvaluation.evaluate([fic], issuer: "https://issuer.test/abc", subject: "system:serviceaccount:shop:frontend",
                                                       audiences: ["api://AzureADTokenExchange"])
        XCTAssertNil(e.match)
        XCTAssertEqual(e.mismatches.map(\.field), ["issuer", "subject"])
        XCTAssertEqual(e.mismatches.last?.expected, "system:serviceaccount:shop:front")
        XCTAssertEqual(e.mismatches.last?.actual, "system:serviceaccount:shop:frontend")
        XCTAssertTrue(e.hints.first?.contains("trailing slash") ?? false)
        XCTAssertNotNil(FederatedCredentialEvaluation.evaluate([fic], issuer: fic.issuer, subject: fic.subject, audiences: fic.audiences).match)
    }

    func testFixCommands() {
        let uami = AzureFixCommands.command(holder: .userAssignedIdentity(resourceID: "/x", name: "id-a", resourceGroup: "rg", subscriptionID: "s"),
                                            existingName: "aks-a", name: "n", issuer: "https://i", subject: "system:serviceaccount:a:b", audience: "api://AzureADTokenExchange")
        XCTAssertEqual(uami, "az identity federated-credential update --name 'aks-a' --identity-name 'id-a' --resource-group 'rg' --subscription s --issuer 'https://i' --subject 'system:serviceaccount:a:b' --audiences 'api://AzureADTokenExchange'")
        let app = AzureFixCommands.command(holder: .application(appID: "app1"), existingName: nil, name: "n", issuer: "https://i", subject: "s", audience: "a")
        XCTAssertTrue(app.hasPrefix("az ad app federated-credential create --id app1 --parameters '{\"name\":\"n\""))
    }

    func testAzureCLICredential() async throws {
        struct Runner: CommandRunner {
            var status: Int32
            var stdout: String
            func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> CommandOutput {
                XCTAssertEqual(executable, "az")
                XCTAssertEqual(arguments, ["account", "get-access-token", "--resource", "https://graph.microsoft.com", "-o", "json"])
                return CommandOutput(status: status, stdout: Data(stdout.utf8), stderr: Data("ERROR: Please run 'az login' to setup account.".utf8))
            }
        }
        let ok = AzureCLICredential(runner: Runner(status: 0, stdout: #"{"accessToken":"tok","expiresOn":"2026-11-29 10:00:00.000000","expires_on":1795915830,"subscription":"s","tenant":"t","tokenType":"Bearer"}"#))
        guard case .token(let t) = try await ok.token(resource: "https://graph.microsoft.com") else { return XCTFail("token expected") }
        XCTAssertEqual(t.accessToken, "tok")
        XCTAssertEqual(t.expiresOn, Date(timeIntervalSince1970: 1_795_915_830))
        guard case .unavailable(let reason) = try await AzureCLICredential(runner: Runner(status: 1, stdout: "")).token(resource: "https://graph.microsoft.com") else {
            return XCTFail("not logged in → unavailable")
        }
        XCTAssertTrue(reason.contains("az login"))
        guard case .unavailable = try await AzureCLICredential(runner: Runner(status: 127, stdout: "")).token(resource: "https://graph.microsoft.com") else {
            return XCTFail("not installed → unavailable")
        }
    }

    func testServicePrincipalEnvCredentialPostsClientCredentials() async throws {
        let transport = ScriptedTransport { _ in json(200, #"{"token_type":"Bearer","expires_in":3599,"access_token":"op"}"#) }
        let cred = ServicePrincipalEnvCredential(transport: transport, environment: ["AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "sec"])
        guard case .token(let t) = try await cred.token(resource: "https://management.azure.com/") else { return XCTFail("token expected") }
        XCTAssertEqual(t.accessToken, "op")
        let form = FormEncoding.decode(String(decoding: transport.requests.first?.body ?? Data(), as: UTF8.self))
        XCTAssertEqual(form.map(\.0), ["client_id", "client_secret", "grant_type", "scope"])
        XCTAssertEqual(form.last?.1, "https://management.azure.com/.default")
        guard case .unavailable = try await ServicePrincipalEnvCredential(transport: transport, environment: [:]).token(resource: "r") else {
            return XCTFail("no env → unavailable")
        }
    }
}
