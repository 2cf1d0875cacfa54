import Foundation
import WidashHTTP
import WidashSandbox
import WidashSandboxKit
import XCTest

/// A sandbox started with the scale scenario tells its clouds so (SandboxContext.scale), and what
/// the cluster annotates is what ARM serves: over HTTPS, through the real host names, as widash reads it.
final class ScaleThroughServerTests: XCTestCase {
    func testAnnotatedClientIDsAreTheIdentitiesARMServes() async throws {
        let server = try await SandboxServer.start(SandboxOptions(scenario: .scale(namespaces: 4, serviceAccounts: 60, pods: 0), isStatic: true)) {
            EmulatedClouds.services(context: $0)
        }
        do {
            try await check(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    func check(_ server: SandboxServer) async throws {
        XCTAssertEqual(server.context.scale, ScaleIdentities(namespaces: 4, serviceAccounts: 60))
        let transport = CurlTransport(options: server.cloudHTTPOptions, environment: [:])
        func json(_ response: HTTPResponse) throws -> [String: Any] {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: response.body) as? [String: Any], String(decoding: response.body, as: UTF8.self))
        }

        // The cluster's side: the service accounts' client-id annotations.
        let admin = try XCTUnwrap(server.kubeconfigYAML(user: .admin).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("token:") }
            .map { String($0.dropFirst("token:".count)).trimmingCharacters(in: CharacterSet(charactersIn: " \"'")) })
        let accountsResponse = try await transport.send(HTTPRequest(
            method: "GET", url: "\(server.info.apiServer)/api/v1/serviceaccounts", headers: [("Authorization", "Bearer \(admin)")]))
        let accounts = try json(accountsResponse)
        var annotated: [String: String] = [:]
        for item in try XCTUnwrap(accounts["items"] as? [[String: Any]]) {
            let metadata = try XCTUnwrap(item["metadata"] as? [String: Any])
            if let clientID = (metadata["annotations"] as? [String: String])?["azure.workload.identity/client-id"] {
                annotated[clientID] = "\(metadata["namespace"] as? String ?? "")/\(metadata["name"] as? String ?? "")"
            }
        }
        XCTAssertEqual(annotated.count, 20)

        // The cloud's side, read as the operator.
        let form = FormCoding.encode([("client_id", DemoDirectory.operatorClientID), ("client_secret", DemoDirectory.operatorClientSecret),
                                      ("grant_type", "client_credentials"), ("scope", "https://management.azure.com/.default")])
        let tokenResponse = try await transport.send(HTTPRequest(
            method: "POST", url: "https://login.microsoftonline.com/\(DemoDirectory.tenantID)/oauth2/v2.0/token",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)))
        let token = try XCTUnwrap(try json(tokenResponse)["access_token"] as? String)
        let listingResponse = try await transport.send(HTTPRequest(
            method: "GET",
            url: "https://management.azure.com/subscriptions/\(DemoDirectory.subscriptionID)/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2024-11-30",
            headers: [("Authorization", "Bearer \(token)")]))
        let listing = try json(listingResponse)
        let identities = try XCTUnwrap(listing["value"] as? [[String: Any]])
        var served: [String: String] = [:]
        for identity in identities {
            let clientID = try XCTUnwrap((identity["properties"] as? [String: Any])?["clientId"] as? String)
            served[clientID] = (identity["tags"] as? [String: String])?["widash-demo"]
        }
        XCTAssertEqual(served, annotated, "every annotated client id is an identity of that same service account")
    }
}
