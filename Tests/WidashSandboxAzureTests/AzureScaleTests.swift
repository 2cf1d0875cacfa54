import Foundation
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

/// The scale scenario's Azure side: one user-assigned identity per Azure-federated service account
/// of `ScaleIdentities`, paged by ARM, with the mismatches its rule mixes in, and exchanges that
/// agree with what ARM shows.
final class AzureScaleTests: XCTestCase {
    let sub = DemoDirectory.subscriptionID
    let scale = ScaleIdentities(namespaces: 7, serviceAccounts: 3000)

    func testIdentitiesPageAndMatchTheScenario() async throws {
        let azure = try await AzureHarness(scale: scale)
        let token = try await azure.operatorToken(resource: "https://management.azure.com")
        var next: String? = "https://\(DemoDirectory.armHost)/subscriptions/\(sub)/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2024-11-30"
        var clientIDs: [String] = []
        var pages = 0
        while let link = next, let url = URLComponents(string: link) {
            let response = await azure.send("GET", DemoDirectory.armHost, url.percentEncodedPath, query: url.percentEncodedQuery ?? "",
                                            headers: ["authorization": "Bearer \(token)"])
            XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
            let body = try jsonObject(response)
            let value = try XCTUnwrap(body["value"] as? [[String: Any]])
            XCTAssertLessThanOrEqual(value.count, 100)
            clientIDs += value.compactMap { ($0["properties"] as? [String: Any])?["clientId"] as? String }
            next = body["nextLink"] as? String
            pages += 1
        }
        XCTAssertEqual(pages, 10)
        XCTAssertEqual(clientIDs.count, 1000)
        XCTAssertEqual(Set(clientIDs), Set(scale.identities(.azure).compactMap(\.azureClientID)))
        XCTAssertEqual(clientIDs.first, ScaleIdentities.azureClientID(0))
    }

    func testTrustedAndMismatchedSamples() async throws {
        let azure = try await AzureHarness(scale: scale)
        let token = try await azure.operatorToken(resource: "https://management.azure.com")
        let group = "/subscriptions/\(sub)/resourceGroups/\(DemoDirectory.resourceGroup)"
        // Azure ordinals 0 (trusted), 9 (subject mismatch), 24 (no role assignment), 49 (both).
        for index in [0, 27, 72, 147] {
            let identity = scale.identity(index)
            let name = try XCTUnwrap(identity.azureResourceName)
            let fics = await azure.arm("\(group)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/\(name)/federatedIdentityCredentials",
                                       token: token, apiVersion: "2024-11-30")
            let fic = try XCTUnwrap((try jsonObject(fics)["value"] as? [[String: Any]])?.first?["properties"] as? [String: Any])
            XCTAssertEqual(fic["issuer"] as? String, FakeIssuer.issuer)
            XCTAssertEqual(fic["audiences"] as? [String], [DemoDirectory.tokenExchangeAudience])
            let subject = try XCTUnwrap(fic["subject"] as? String)
            XCTAssertEqual(subject == identity.subject, ScaleIdentities.expectedVerdict(index) != .subjectMismatch, "\(index): \(subject)")

            let filter = "%24filter=" + FormCoding.escape("principalId eq '\(identity.azurePrincipalID ?? "")'")
            let assignments = await azure.arm("/subscriptions/\(sub)/providers/Microsoft.Authorization/roleAssignments", token: token,
                                              apiVersion: "2022-04-01", query: filter)
            let value = try XCTUnwrap(try jsonObject(assignments)["value"] as? [[String: Any]])
            XCTAssertEqual(value.count, identity.hasRoleAssignment ? 1 : 0, "\(index)")
        }
        XCTAssertEqual(ScaleIdentities.expectedVerdict(0), .trusted)
        XCTAssertEqual(ScaleIdentities.expectedVerdict(27), .subjectMismatch)
        XCTAssertEqual(ScaleIdentities.expectedVerdict(72), .noRoleAssignment)
        XCTAssertEqual(ScaleIdentities.expectedVerdict(147), .subjectMismatch)
        XCTAssertFalse(scale.identity(147).hasRoleAssignment)
    }

    /// What ARM shows is what Entra enforces: the trusted identity exchanges, the mismatched one gets
    /// AADSTS700213 naming the subject the FIC does not have.
    func testExchangesAgreeWithTheAudit() async throws {
        let azure = try await AzureHarness(scale: scale)
        let trusted = scale.identity(3)
        let ok = await azure.exchange(clientID: try XCTUnwrap(trusted.azureClientID),
                                      assertion: try await azure.issuer.token(namespace: trusted.namespace, serviceAccount: trusted.serviceAccount))
        XCTAssertEqual(ok.status, 200, String(decoding: ok.body, as: UTF8.self))
        let token = try XCTUnwrap(try jsonObject(ok)["access_token"] as? String)
        XCTAssertEqual(claims(of: token)["oid"] as? String, trusted.azurePrincipalID)

        let mismatched = scale.identity(27)
        let refused = await azure.exchange(clientID: try XCTUnwrap(mismatched.azureClientID),
                                           assertion: try await azure.issuer.token(namespace: mismatched.namespace, serviceAccount: mismatched.serviceAccount))
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(try jsonObject(refused)["error_codes"] as? [Int], [700213])
    }

    func testTenThousandAccountsAreIndexed() throws {
        let big = ScaleIdentities(namespaces: 100, serviceAccounts: 10_000)
        let directory = AzureDirectory.scale(big)
        XCTAssertEqual(directory.identities.count, 3334)
        let last = big.identity(9999)
        XCTAssertEqual(last.provider, .azure)
        XCTAssertEqual(directory.identity(clientID: try XCTUnwrap(last.azureClientID).uppercased())?.serviceAccount, "svc-09999")
        XCTAssertEqual(directory.roleAssignments(principalID: try XCTUnwrap(last.azurePrincipalID)).count, last.hasRoleAssignment ? 1 : 0)
        let expectedAssignments = big.identities(.azure).filter(\.hasRoleAssignment).count + OperatorPrincipal.all.count
        XCTAssertEqual(directory.roleAssignments.count, expectedAssignments)
    }
}
