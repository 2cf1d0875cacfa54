import Foundation
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

/// ARM role assignments and role definitions as a trust audit reads them with the operator's token,
/// in the shapes of the 2022-04-01 spec, derived from the same grants that decide resource access.
final class RoleAssignmentTests: XCTestCase {
    let sub = DemoDirectory.subscriptionID
    var subscriptionPath: String { "/subscriptions/\(sub)" }
    var group: String { "/subscriptions/\(sub)/resourceGroups/\(DemoDirectory.resourceGroup)" }
    let version = "2022-04-01"

    static let reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    static let keyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6"
    static let blobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
    static let serviceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"

    func filter(_ text: String) -> String { "%24filter=" + FormCoding.escape(text) }

    /// (role GUID, scope) of every assignment the listing returns.
    func assignments(_ response: SandboxResponse, file: StaticString = #filePath, line: UInt = #line) throws -> [(role: String, scope: String, principal: String)] {
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self), file: file, line: line)
        let value = try XCTUnwrap(try jsonObject(response)["value"] as? [[String: Any]], file: file, line: line)
        return try value.map { item in
            XCTAssertEqual(item["type"] as? String, "Microsoft.Authorization/roleAssignments", file: file, line: line)
            let properties = try XCTUnwrap(item["properties"] as? [String: Any], file: file, line: line)
            let definition = try XCTUnwrap(properties["roleDefinitionId"] as? String, file: file, line: line)
            let scope = try XCTUnwrap(properties["scope"] as? String, file: file, line: line)
            XCTAssertEqual(item["id"] as? String, "\(scope)/providers/Microsoft.Authorization/roleAssignments/\(item["name"] as? String ?? "")",
                           file: file, line: line)
            XCTAssertEqual(properties["principalType"] as? String, "ServicePrincipal", file: file, line: line)
            XCTAssertNotNil(properties["createdOn"] as? String, file: file, line: line)
            XCTAssertTrue(definition.hasPrefix("\(subscriptionPath)/providers/Microsoft.Authorization/roleDefinitions/"), definition,
                          file: file, line: line)
            return (String(definition.split(separator: "/").last ?? ""), scope, properties["principalId"] as? String ?? "")
        }
    }

    func testEachDemoIdentitysAssignmentsFollowItsGrants() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.operatorToken(resource: "https://management.azure.com")
        let expected: [(String, String, [(String, String)])] = [
            ("shop", "frontend", [(Self.keyVaultSecretsUser, "\(group)/providers/Microsoft.KeyVault/vaults/shop-kv"),
                                  (Self.reader, subscriptionPath)]),
            // Cosmos DB's data-plane role is a Cosmos SQL role assignment, not an ARM one.
            ("shop", "backend", [(Self.blobDataReader, "\(group)/providers/Microsoft.Storage/storageAccounts/shopstorage/blobServices/default/containers/orders"),
                                 (Self.serviceBusDataSender, "\(group)/providers/Microsoft.ServiceBus/namespaces/shop-bus/queues/orders"),
                                 (Self.reader, subscriptionPath)]),
            ("broken", "wrong-subject", [(Self.keyVaultSecretsUser, "\(group)/providers/Microsoft.KeyVault/vaults/shop-kv")]),
            ("broken", "no-role", []),
            ("legacy", "default", []),
            ("kube-system", "node-reporter", [(Self.reader, subscriptionPath)]),
        ]
        for (namespace, account, roles) in expected {
            let identity = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: namespace, serviceAccount: account))
            for query in [filter("principalId eq '\(identity.objectID)'"), filter("assignedTo('\(identity.objectID)')")] {
                let response = await azure.arm("\(subscriptionPath)/providers/Microsoft.Authorization/roleAssignments",
                                               token: token, apiVersion: version, query: query)
                let found = try assignments(response)
                XCTAssertEqual(found.map { "\($0.role) \($0.scope)" }.sorted(), roles.map { "\($0.0) \($0.1)" }.sorted(),
                               "\(namespace)/\(account) \(query)")
                XCTAssertTrue(found.allSatisfy { $0.principal == identity.objectID }, "the principal is the identity's (its tokens' oid)")
                XCTAssertNil(try jsonObject(response)["nextLink"])
            }
        }
    }

    func testFrontendsPrincipalIsItsServicePrincipal() async throws {
        let azure = try await AzureHarness()
        let frontend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "frontend"))
        let graphToken = try await azure.operatorToken(resource: "https://graph.microsoft.com")
        let sp = await azure.send("GET", "graph.microsoft.com", "/v1.0/servicePrincipals(appId='\(frontend.clientID)')",
                                  headers: ["authorization": "Bearer \(graphToken)"])
        let principal = try XCTUnwrap(try jsonObject(sp)["id"] as? String)
        let armToken = try await azure.operatorToken(resource: "https://management.azure.com")
        let listed = try assignments(await azure.arm("\(subscriptionPath)/providers/Microsoft.Authorization/roleAssignments",
                                                     token: armToken, apiVersion: version, query: filter("principalId eq '\(principal)'")))
        XCTAssertEqual(listed.count, 2)
        // And the token the workload gets carries the same oid.
        let workload = try await azure.accessToken("shop", "frontend", resource: "https://vault.azure.net")
        XCTAssertEqual(claims(of: workload)["oid"] as? String, principal)
    }

    func testFiltersAndScopes() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.operatorToken(resource: "https://management.azure.com")
        let path = "\(subscriptionPath)/providers/Microsoft.Authorization/roleAssignments"
        let all = try assignments(await azure.arm(path, token: token, apiVersion: version))
        let atScope = try assignments(await azure.arm(path, token: token, apiVersion: version, query: filter("atScope()")))
        XCTAssertTrue(atScope.allSatisfy { $0.scope == subscriptionPath }, "atScope() keeps assignments at or above the scope")
        XCTAssertGreaterThan(all.count, atScope.count, "the unfiltered listing includes assignments below the subscription")
        XCTAssertTrue(all.contains { $0.principal == DemoDirectory.operatorObjectID && $0.role == Self.reader },
                      "the operator reads as a Reader of the subscription")
        // Unquoted, as the spec's parameter description writes it.
        let backend = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "backend"))
        let unquoted = await azure.arm(path, token: token, apiVersion: version, query: filter("principalId eq \(backend.objectID)"))
        XCTAssertEqual(try assignments(unquoted).count, 3)
        // At the vault: what applies there (the subscription Readers and the Key Vault users).
        let vault = "\(group)/providers/Microsoft.KeyVault/vaults/shop-kv"
        let atVault = try assignments(await azure.arm("\(vault)/providers/Microsoft.Authorization/roleAssignments", token: token, apiVersion: version))
        XCTAssertTrue(atVault.allSatisfy { [Self.reader, Self.keyVaultSecretsUser, "\(RoleDefinition.widashLimitedReader.guid)"].contains($0.role) })
        XCTAssertFalse(atVault.contains { $0.role == Self.blobDataReader })

        let one = try XCTUnwrap(all.first { $0.role == Self.serviceBusDataSender })
        let listingResponse = await azure.arm(path, token: token, apiVersion: version)
        let listing = try XCTUnwrap(try jsonObject(listingResponse)["value"] as? [[String: Any]])
        let id = try XCTUnwrap(listing.first { ($0["properties"] as? [String: Any])?["scope"] as? String == one.scope }?["id"] as? String)
        let got = await azure.arm(id, token: token, apiVersion: version)
        XCTAssertEqual(got.status, 200)
        XCTAssertEqual((try jsonObject(got)["properties"] as? [String: Any])?["principalId"] as? String, backend.objectID)

        let bad = await azure.arm(path, token: token, apiVersion: version, query: filter("roleName eq 'Reader'"))
        XCTAssertEqual(bad.status, 400)
        let wrongVersion = await azure.arm(path, token: token, apiVersion: "2024-11-30")
        XCTAssertEqual(wrongVersion.status, 400)
        XCTAssertEqual((try jsonObject(wrongVersion)["error"] as? [String: Any])?["code"] as? String, "InvalidApiVersionParameter")
    }

    func testRoleDefinitions() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.operatorToken(resource: "https://management.azure.com")
        let list = await azure.arm("\(subscriptionPath)/providers/Microsoft.Authorization/roleDefinitions", token: token, apiVersion: version)
        XCTAssertEqual(list.status, 200)
        let value = try XCTUnwrap(try jsonObject(list)["value"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: value.compactMap { item -> (String, [String: Any])? in
            guard let properties = item["properties"] as? [String: Any], let name = properties["roleName"] as? String else { return nil }
            return (name, item)
        })
        for (name, guid) in [("Reader", Self.reader), ("Key Vault Secrets User", Self.keyVaultSecretsUser),
                             ("Storage Blob Data Reader", Self.blobDataReader), ("Azure Service Bus Data Sender", Self.serviceBusDataSender)] {
            let item = try XCTUnwrap(byName[name], name)
            XCTAssertEqual(item["name"] as? String, guid)
            XCTAssertEqual(item["id"] as? String, "\(subscriptionPath)/providers/Microsoft.Authorization/roleDefinitions/\(guid)")
            XCTAssertEqual(item["type"] as? String, "Microsoft.Authorization/roleDefinitions")
            XCTAssertEqual((item["properties"] as? [String: Any])?["type"] as? String, "BuiltInRole")
        }
        let reader = try XCTUnwrap(byName["Reader"]?["properties"] as? [String: Any])
        XCTAssertEqual((reader["permissions"] as? [[String: Any]])?.first?["actions"] as? [String], ["*/read"])
        let secrets = try XCTUnwrap(byName["Key Vault Secrets User"]?["properties"] as? [String: Any])
        XCTAssertEqual(((secrets["permissions"] as? [[String: Any]])?.first?["dataActions"] as? [String])?.first,
                       "Microsoft.KeyVault/vaults/secrets/getSecret/action")

        // A roleDefinitionId from an assignment resolves, at the subscription and at the tenant root.
        for path in ["\(subscriptionPath)/providers/Microsoft.Authorization/roleDefinitions/\(Self.keyVaultSecretsUser)",
                     "/providers/Microsoft.Authorization/roleDefinitions/\(Self.keyVaultSecretsUser)"] {
            let one = await azure.arm(path, token: token, apiVersion: version)
            XCTAssertEqual(one.status, 200, path)
            XCTAssertEqual(try jsonObject(one)["id"] as? String, path)
            XCTAssertEqual((try jsonObject(one)["properties"] as? [String: Any])?["roleName"] as? String, "Key Vault Secrets User")
        }
        let filtered = await azure.arm("\(subscriptionPath)/providers/Microsoft.Authorization/roleDefinitions", token: token,
                                       apiVersion: version, query: filter("roleName eq 'Reader'"))
        XCTAssertEqual((try jsonObject(filtered)["value"] as? [Any])?.count, 1)
        let missing = await azure.arm("\(subscriptionPath)/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-000000000000",
                                      token: token, apiVersion: version)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual((try jsonObject(missing)["error"] as? [String: Any])?["code"] as? String, "RoleDefinitionDoesNotExist")
    }

    /// ARM authorizes by the same assignments: a Key Vault user without a Reader assignment may not
    /// list role assignments, and the refusal names the action and the scope.
    func testWorkloadWithoutReaderCannotListAssignments() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.accessToken("shop", "checkout", resource: "https://management.azure.com")
        let refused = await azure.arm("\(subscriptionPath)/providers/Microsoft.Authorization/roleAssignments", token: token, apiVersion: version)
        XCTAssertEqual(refused.status, 403)
        let error = try XCTUnwrap(try jsonObject(refused)["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "AuthorizationFailed")
        let identity = try XCTUnwrap(DemoDirectory.azureIdentity(namespace: "shop", serviceAccount: "checkout"))
        XCTAssertEqual(error["message"] as? String,
                       "The client '\(identity.clientID)' with object id '\(identity.objectID)' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '\(subscriptionPath)/providers/Microsoft.Authorization' or the scope is invalid. If access was recently granted, please refresh your credentials.")
    }

    /// The data planes and ARM cannot disagree: every demo identity reads Key Vault exactly when it
    /// holds Key Vault Secrets User on the vault, and ARM exactly when it holds Reader.
    func testRoleAssignmentsAgreeWithResourceAccess() async throws {
        let directory = AzureDirectory.demo
        for identity in DemoDirectory.azureIdentities {
            let roles = Set(directory.roleAssignments(principalID: identity.objectID).map(\.role.guid))
            let readsVault = identity.grants.contains { $0.host == DemoDirectory.keyVaultHost && "/secrets/db-password".hasPrefix($0.pathPrefix) }
            XCTAssertEqual(roles.contains(Self.keyVaultSecretsUser), readsVault, identity.displayName)
            let readsARM = directory.allows(principalID: identity.objectID, action: "Microsoft.ManagedIdentity/userAssignedIdentities/read",
                                            scope: subscriptionPath)
            XCTAssertEqual(roles.contains(Self.reader), readsARM, identity.displayName)
        }
    }
}
