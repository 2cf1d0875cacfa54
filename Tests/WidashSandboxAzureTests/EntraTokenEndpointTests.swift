import JWTKit
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

final class EntraTokenEndpointTests: XCTestCase {
    func identity(_ ns: String, _ sa: String) throws -> DemoDirectory.AzureIdentitySpec {
        try XCTUnwrap(DemoDirectory.azureIdentity(namespace: ns, serviceAccount: sa))
    }

    /// Asserts Entra's error body shape and returns its description.
    @discardableResult
    func assertEntraError(_ response: SandboxResponse, status: Int, error: String, code: Int,
                          file: StaticString = #filePath, line: UInt = #line) throws -> String {
        XCTAssertEqual(response.status, status, String(decoding: response.body, as: UTF8.self), file: file, line: line)
        let body = try jsonObject(response, file: file, line: line)
        XCTAssertEqual(body["error"] as? String, error, file: file, line: line)
        XCTAssertEqual(body["error_codes"] as? [Int], [code], file: file, line: line)
        XCTAssertEqual(body["error_uri"] as? String, "https://login.microsoftonline.com/error?code=\(code)", file: file, line: line)
        let timestamp = try XCTUnwrap(body["timestamp"] as? String, file: file, line: line)
        XCTAssertNotNil(timestamp.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression), timestamp, file: file, line: line)
        let trace = try XCTUnwrap(body["trace_id"] as? String, file: file, line: line)
        let correlation = try XCTUnwrap(body["correlation_id"] as? String, file: file, line: line)
        let description = try XCTUnwrap(body["error_description"] as? String, file: file, line: line)
        XCTAssertTrue(description.hasPrefix("AADSTS\(code): "), description, file: file, line: line)
        XCTAssertTrue(description.contains("Trace ID: \(trace)"), description, file: file, line: line)
        XCTAssertTrue(description.contains("Correlation ID: \(correlation)"), description, file: file, line: line)
        XCTAssertTrue(description.hasSuffix("Timestamp: \(timestamp)"), description, file: file, line: line)
        return description
    }

    func testFrontendGetsASignedV1AccessTokenForTheResource() async throws {
        let azure = try await AzureHarness()
        let frontend = try identity("shop", "frontend")
        let assertion = try await azure.issuer.token(namespace: "shop", serviceAccount: "frontend")
        let response = await azure.exchange(clientID: frontend.clientID, assertion: assertion)
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        let body = try jsonObject(response)
        XCTAssertEqual(body["token_type"] as? String, "Bearer")
        XCTAssertEqual(body["expires_in"] as? Int, 3599)
        XCTAssertEqual(body["ext_expires_in"] as? Int, 3599)
        let token = try XCTUnwrap(body["access_token"] as? String)

        let issued = claims(of: token)
        XCTAssertEqual(issued["aud"] as? String, "https://vault.azure.net")
        XCTAssertEqual(issued["iss"] as? String, "https://sts.windows.net/\(DemoDirectory.tenantID)/")
        XCTAssertEqual(issued["appid"] as? String, frontend.clientID)
        XCTAssertEqual(issued["oid"] as? String, frontend.objectID)
        XCTAssertEqual(issued["sub"] as? String, frontend.objectID)
        XCTAssertEqual(issued["tid"] as? String, DemoDirectory.tenantID)
        XCTAssertEqual(issued["ver"] as? String, "1.0")
        XCTAssertEqual(issued["idtyp"] as? String, "app")
        XCTAssertNil(issued["xms_mirid"], "applications carry no managed-identity resource id")
        let iat = try XCTUnwrap(issued["iat"] as? Int), exp = try XCTUnwrap(issued["exp"] as? Int)
        XCTAssertEqual(exp - iat, 3599)

        // The token verifies against the JWKS Entra publishes (independently of the issuing code path).
        let keysResponse = await azure.send("GET", "login.microsoftonline.com", "/\(DemoDirectory.tenantID)/discovery/v2.0/keys")
        XCTAssertEqual(keysResponse.status, 200)
        let published = JWTKeyCollection()
        try await published.add(jwksJSON: String(decoding: keysResponse.body, as: UTF8.self))
        let verified = try await published.verify(token, as: EntraAccessTokenClaims.self)
        XCTAssertEqual(verified.appid, frontend.clientID)
    }

    func testUserAssignedIdentityTokenCarriesItsResourceID() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.accessToken("shop", "backend", resource: "https://management.azure.com/")
        let issued = claims(of: token)
        XCTAssertEqual(issued["aud"] as? String, "https://management.azure.com/", "the audience keeps the resource as requested")
        XCTAssertEqual(issued["xms_mirid"] as? String,
                       "/subscriptions/\(DemoDirectory.subscriptionID)/resourcegroups/\(DemoDirectory.resourceGroup)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-shop-backend")
    }

    func testWrongSubjectIsAADSTS700213() async throws {
        let azure = try await AzureHarness()
        let assertion = try await azure.issuer.token(namespace: "broken", serviceAccount: "wrong-subject")
        let response = await azure.exchange(clientID: try identity("broken", "wrong-subject").clientID, assertion: assertion,
                                            headers: ["client-request-id": "0c8a4f8e-1111-2222-3333-444455556666"])
        let description = try assertEntraError(response, status: 401, error: "invalid_client", code: 700213)
        XCTAssertTrue(description.hasPrefix("AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:broken:wrong-subject'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: "),
                      description)
        XCTAssertEqual(try jsonObject(response)["correlation_id"] as? String, "0c8a4f8e-1111-2222-3333-444455556666")
    }

    func testWrongIssuerIsAADSTS700211AndNeedsNoIssuerFetch() async throws {
        let azure = try await AzureHarness()
        let assertion = try await azure.issuer.token(namespace: "broken", serviceAccount: "wrong-issuer")
        let response = await azure.exchange(clientID: try identity("broken", "wrong-issuer").clientID, assertion: assertion)
        let description = try assertEntraError(response, status: 401, error: "invalid_client", code: 700211)
        XCTAssertTrue(description.contains("presented assertion issuer '\(FakeIssuer.issuer)'"), description)
        XCTAssertEqual(azure.issuer.fetchedURLs, [], "Entra does not contact issuers no credential trusts")
    }

    func testWrongAudienceIsAADSTS700212() async throws {
        let azure = try await AzureHarness()
        let assertion = try await azure.issuer.token(namespace: "broken", serviceAccount: "wrong-audience")
        let response = await azure.exchange(clientID: try identity("broken", "wrong-audience").clientID, assertion: assertion)
        let description = try assertEntraError(response, status: 401, error: "invalid_client", code: 700212)
        XCTAssertTrue(description.contains("presented assertion audience 'api://AzureADTokenExchange'"), description)
    }

    func testIdentityWithoutCredentialsIsAADSTS70021() async throws {
        let azure = try await AzureHarness()
        let assertion = try await azure.issuer.token(namespace: "legacy", serviceAccount: "default")
        let response = await azure.exchange(clientID: try identity("legacy", "default").clientID, assertion: assertion)
        let description = try assertEntraError(response, status: 400, error: "invalid_request", code: 70021)
        XCTAssertTrue(description.contains("Assertion Issuer: '\(FakeIssuer.issuer)'. Assertion Subject: 'system:serviceaccount:legacy:default'."), description)
    }

    func testExpiredAssertionIsAADSTS700024ButSkewIsTolerated() async throws {
        let azure = try await AzureHarness()
        let stale = try identity("broken", "stale-token")
        let expired = try await azure.issuer.token(namespace: "broken", serviceAccount: "stale-token",
                                                   issuedAt: Date().addingTimeInterval(-4200), lifetime: 3600)
        let description = try assertEntraError(await azure.exchange(clientID: stale.clientID, assertion: expired),
                                               status: 401, error: "invalid_client", code: 700024)
        XCTAssertNotNil(description.range(of: #"Client assertion is not within its valid time range\. Current time: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z, assertion valid from .*, expiry time of assertion .*\."#,
                                          options: .regularExpression), description)

        let future = try await azure.issuer.token(namespace: "broken", serviceAccount: "stale-token",
                                                  notBefore: Date().addingTimeInterval(900))
        try assertEntraError(await azure.exchange(clientID: stale.clientID, assertion: future), status: 401, error: "invalid_client", code: 700024)

        let justExpired = try await azure.issuer.token(namespace: "broken", serviceAccount: "stale-token",
                                                       issuedAt: Date().addingTimeInterval(-3720), lifetime: 3600)
        let tolerated = await azure.exchange(clientID: stale.clientID, assertion: justExpired)
        XCTAssertEqual(tolerated.status, 200,
                       "two minutes past exp is within Entra's five-minute skew")
    }

    func testUnknownClientIsAADSTS700016() async throws {
        let azure = try await AzureHarness()
        let assertion = try await azure.issuer.token(namespace: "shop", serviceAccount: "frontend")
        let description = try assertEntraError(await azure.exchange(clientID: "99999999-0000-0000-0000-000000000000", assertion: assertion),
                                               status: 400, error: "unauthorized_client", code: 700016)
        XCTAssertTrue(description.contains("Application with identifier '99999999-0000-0000-0000-000000000000' was not found in the directory"), description)
    }

    func testUnreachableIssuerMetadataIsAADSTS90061Or50166() async throws {
        let azure = try await AzureHarness()
        let frontend = try identity("shop", "frontend")
        let assertion = try await azure.issuer.token(namespace: "shop", serviceAccount: "frontend")
        azure.issuer.set(.discoveryDown)
        try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: assertion), status: 400, error: "invalid_request", code: 90061)
        azure.issuer.set(.jwksStatus500)
        try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: assertion), status: 400, error: "invalid_request", code: 50166)
        azure.issuer.set(.jwksGarbage)
        try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: assertion), status: 400, error: "invalid_request", code: 900612)
    }

    func testIssuerKeysAreCachedBriefly() async throws {
        let azure = try await AzureHarness()
        let frontend = try identity("shop", "frontend")
        for _ in 0..<3 {
            let assertion = try await azure.issuer.token(namespace: "shop", serviceAccount: "frontend")
            let response = await azure.exchange(clientID: frontend.clientID, assertion: assertion)
            XCTAssertEqual(response.status, 200)
        }
        XCTAssertEqual(azure.issuer.fetchedURLs.count, 2, "one discovery and one JWKS fetch: \(azure.issuer.fetchedURLs)")
    }

    func testSignatureFailures() async throws {
        let azure = try await AzureHarness()
        let frontend = try identity("shop", "frontend")
        let unknownKid = try await azure.issuer.token(namespace: "shop", serviceAccount: "frontend", keyID: "rotated-away")
        let description = try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: unknownKid),
                                               status: 401, error: "invalid_client", code: 7000272)
        XCTAssertTrue(description.contains("identifier rotated-away used to sign the federated credential could not be found in the metadata of identity provider \(FakeIssuer.issuer)"), description)

        let forger = JWTKeyCollection()
        await forger.add(rsa: try RSAKeyFactory.generate(), digestAlgorithm: .sha256, kid: JWKIdentifier(string: FakeIssuer.keyID))
        let forged = try await azure.issuer.token(namespace: "shop", serviceAccount: "frontend", with: forger)
        try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: forged), status: 401, error: "invalid_client", code: 700027)

        try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: "not-a-jwt"), status: 400, error: "invalid_request", code: 50027)
    }

    func testRequestErrors() async throws {
        let azure = try await AzureHarness()
        let frontend = try identity("shop", "frontend")
        let assertion = try await azure.issuer.token(namespace: "shop", serviceAccount: "frontend")
        try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: assertion, tenant: "11111111-2222-3333-4444-555555555555"),
                             status: 400, error: "invalid_request", code: 90002)
        try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: assertion, scope: "https://vault.azure.net/user.read"),
                             status: 400, error: "invalid_scope", code: 1002012)
        try assertEntraError(await azure.exchange(clientID: frontend.clientID, assertion: assertion, scope: "https://unknown.example/.default"),
                             status: 400, error: "invalid_resource", code: 500011)
        let noGrant = await azure.send("POST", "login.microsoftonline.com", "/\(DemoDirectory.tenantID)/oauth2/v2.0/token",
                                       body: Data("client_id=x".utf8))
        try assertEntraError(noGrant, status: 400, error: "invalid_request", code: 900144)
    }
}
