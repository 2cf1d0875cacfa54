import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

/// Key Vault, Blob, Cosmos DB and Service Bus: 200 with a granted token, 401 without or with a
/// token for another resource, 403 (or Service Bus's 401) without a role.
final class ResourceAuthorizationTests: XCTestCase {
    let vault = DemoDirectory.keyVaultHost

    func testKeyVaultSecret() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.accessToken("shop", "frontend", resource: "https://vault.azure.net")
        let ok = await azure.send("GET", vault, "/secrets/db-password", query: "api-version=7.4", headers: ["authorization": "Bearer \(token)"])
        XCTAssertEqual(ok.status, 200)
        let bundle = try jsonObject(ok)
        XCTAssertEqual(bundle["value"] as? String, "demo-only-not-a-secret")
        XCTAssertTrue((bundle["id"] as? String)?.hasPrefix("https://\(vault)/secrets/db-password/") ?? false)

        let missing = await azure.send("GET", vault, "/secrets/db-password", query: "api-version=7.4")
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(header(missing, "WWW-Authenticate"),
                       "Bearer authorization=\"https://login.microsoftonline.com/\(DemoDirectory.tenantID)\", resource=\"https://vault.azure.net\"")

        let armToken = try await azure.accessToken("shop", "frontend", resource: "https://management.azure.com")
        let wrongAudience = await azure.send("GET", vault, "/secrets/db-password", query: "api-version=7.4", headers: ["authorization": "Bearer \(armToken)"])
        XCTAssertEqual(wrongAudience.status, 401)
        XCTAssertTrue(((try jsonObject(wrongAudience)["error"] as? [String: Any])?["message"] as? String)?.contains("AKV10022: Invalid audience") ?? false)

        let notFound = await azure.send("GET", vault, "/secrets/nope", query: "api-version=7.4", headers: ["authorization": "Bearer \(token)"])
        XCTAssertEqual(notFound.status, 404)
        XCTAssertEqual((try jsonObject(notFound)["error"] as? [String: Any])?["code"] as? String, "SecretNotFound")
    }

    func testKeyVaultWithoutRoleIsForbiddenByRbac() async throws {
        let azure = try await AzureHarness()
        let token = try await azure.accessToken("broken", "no-role", resource: "https://vault.azure.net")
        let response = await azure.send("GET", vault, "/secrets/db-password", query: "api-version=7.4", headers: ["authorization": "Bearer \(token)"])
        XCTAssertEqual(response.status, 403)
        let error = try XCTUnwrap(try jsonObject(response)["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "Forbidden")
        XCTAssertEqual((error["innererror"] as? [String: Any])?["code"] as? String, "ForbiddenByRbac")
        XCTAssertTrue((error["message"] as? String)?.hasPrefix("Caller is not authorized to perform action on resource.") ?? false)
    }

    func testForgedTokenIsRejected() async throws {
        let azure = try await AzureHarness()
        // A token signed by the cluster key, not Entra's, dressed as an Entra token.
        let forged = try await azure.issuer.token(namespace: "shop", serviceAccount: "frontend", audience: "https://vault.azure.net")
        let response = await azure.send("GET", vault, "/secrets/db-password", query: "api-version=7.4", headers: ["authorization": "Bearer \(forged)"])
        XCTAssertEqual(response.status, 401)
    }

    func testBlobListing() async throws {
        let azure = try await AzureHarness()
        let blob = DemoDirectory.blobHost
        let token = try await azure.accessToken("shop", "backend", resource: "https://storage.azure.com")
        let headers = ["authorization": "Bearer \(token)", "x-ms-version": "2023-11-03"]
        let ok = await azure.send("GET", blob, "/orders", query: "restype=container&comp=list", headers: headers)
        XCTAssertEqual(ok.status, 200)
        let xml = String(decoding: ok.body, as: UTF8.self)
        XCTAssertTrue(xml.contains("<EnumerationResults ServiceEndpoint=\"https://\(blob)/\" ContainerName=\"orders\">"), xml)
        XCTAssertTrue(xml.contains("<Name>2024/11/order-1001.json</Name>"), xml)

        let noVersion = await azure.send("GET", blob, "/orders", query: "restype=container&comp=list", headers: ["authorization": "Bearer \(token)"])
        XCTAssertEqual(noVersion.status, 403)
        XCTAssertTrue(String(decoding: noVersion.body, as: UTF8.self).contains("Authentication scheme Bearer is not supported in this version."))

        let anonymous = await azure.send("GET", blob, "/orders", query: "restype=container&comp=list", headers: ["x-ms-version": "2023-11-03"])
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(header(anonymous, "x-ms-error-code"), "NoAuthenticationInformation")

        let frontend = try await azure.accessToken("shop", "frontend", resource: "https://storage.azure.com")
        let denied = await azure.send("GET", blob, "/orders", query: "restype=container&comp=list",
                                      headers: ["authorization": "Bearer \(frontend)", "x-ms-version": "2023-11-03"])
        XCTAssertEqual(denied.status, 403)
        XCTAssertTrue(String(decoding: denied.body, as: UTF8.self).hasPrefix("\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationPermissionMismatch</Code>"))

        let vaultToken = try await azure.accessToken("shop", "backend", resource: "https://vault.azure.net")
        let wrongAudience = await azure.send("GET", blob, "/orders", query: "restype=container&comp=list",
                                             headers: ["authorization": "Bearer \(vaultToken)", "x-ms-version": "2023-11-03"])
        XCTAssertEqual(wrongAudience.status, 401)
        XCTAssertTrue(String(decoding: wrongAudience.body, as: UTF8.self).contains("Audience validation failed. Audience did not match."))
    }

    func testCosmosWithAADAuthorizationHeader() async throws {
        let azure = try await AzureHarness()
        let cosmos = DemoDirectory.cosmosHost
        let token = try await azure.accessToken("shop", "backend", resource: "https://cosmos.azure.com")
        let header = FormCoding.escape("type=aad&ver=1.0&sig=\(token)")
        let ok = await azure.send("GET", cosmos, "/dbs", headers: ["authorization": header, "x-ms-version": "2018-12-31"])
        XCTAssertEqual(ok.status, 200, String(decoding: ok.body, as: UTF8.self))
        XCTAssertEqual((try jsonObject(ok)["Databases"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["orders", "catalog"])

        let frontend = try await azure.accessToken("shop", "frontend", resource: "https://cosmos.azure.com")
        let denied = await azure.send("GET", cosmos, "/dbs", headers: ["authorization": FormCoding.escape("type=aad&ver=1.0&sig=\(frontend)")])
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(WidashSandboxAzureTests.header(denied, "x-ms-substatus"), "5301")
        XCTAssertTrue((try jsonObject(denied)["message"] as? String)?.contains("does not have required RBAC permissions") ?? false)

        let missing = await azure.send("GET", cosmos, "/dbs")
        XCTAssertEqual(missing.status, 401)
    }

    func testServiceBusSend() async throws {
        let azure = try await AzureHarness()
        let bus = DemoDirectory.serviceBusHost
        let token = try await azure.accessToken("shop", "backend", resource: "https://servicebus.azure.net")
        let sent = await azure.send("POST", bus, "/orders/messages", headers: ["authorization": "Bearer \(token)"], body: Data("{}".utf8))
        XCTAssertEqual(sent.status, 201)

        let frontend = try await azure.accessToken("shop", "frontend", resource: "https://servicebus.azure.net")
        let denied = await azure.send("POST", bus, "/orders/messages", headers: ["authorization": "Bearer \(frontend)"])
        XCTAssertEqual(denied.status, 401, "Service Bus answers a missing Send claim with 401")
        XCTAssertTrue(String(decoding: denied.body, as: UTF8.self).contains("'Send' claim(s) are required"))
    }
}
