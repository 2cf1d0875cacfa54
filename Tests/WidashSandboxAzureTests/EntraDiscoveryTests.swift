import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

final class EntraDiscoveryTests: XCTestCase {
    func testV2DiscoveryPointsAtTheHostTheClientUsed() async throws {
        let azure = try await AzureHarness()
        let tenant = DemoDirectory.tenantID
        let response = await azure.send("GET", "login.microsoftonline.com", "/\(tenant)/v2.0/.well-known/openid-configuration",
                                        headers: ["host": "login.microsoftonline.com:8443"])
        XCTAssertEqual(response.status, 200)
        let document = try jsonObject(response)
        XCTAssertEqual(document["token_endpoint"] as? String, "https://login.microsoftonline.com:8443/\(tenant)/oauth2/v2.0/token")
        XCTAssertEqual(document["jwks_uri"] as? String, "https://login.microsoftonline.com:8443/\(tenant)/discovery/v2.0/keys")
        XCTAssertEqual(document["authorization_endpoint"] as? String, "https://login.microsoftonline.com:8443/\(tenant)/oauth2/v2.0/authorize")

        let unknown = await azure.send("GET", "login.microsoftonline.com", "/not-a-tenant/v2.0/.well-known/openid-configuration")
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(try jsonObject(unknown)["error_codes"] as? [Int], [90002])
    }

    func testJWKSPublishesOneRS256Key() async throws {
        let azure = try await AzureHarness()
        let response = await azure.send("GET", "login.microsoftonline.com", "/\(DemoDirectory.tenantID)/discovery/v2.0/keys")
        let keys = try XCTUnwrap(try jsonObject(response)["keys"] as? [[String: Any]])
        XCTAssertEqual(keys.count, 1)
        XCTAssertEqual(keys.first?["kty"] as? String, "RSA")
        XCTAssertEqual(keys.first?["use"] as? String, "sig")
        XCTAssertNotNil(keys.first?["kid"] as? String)
        XCTAssertNil(keys.first?["d"], "never the private exponent")
    }

    func testInstanceDiscoveryAnswersKnownHostsOnly() async throws {
        let azure = try await AzureHarness()
        let known = await azure.send("GET", "login.microsoftonline.com", "/common/discovery/instance",
                                     query: "api-version=1.0&authorization_endpoint=https%3A%2F%2Flogin.microsoftonline.com%2F\(DemoDirectory.tenantID)%2Foauth2%2Fv2.0%2Fauthorize")
        XCTAssertEqual(known.status, 200)
        XCTAssertEqual(try jsonObject(known)["tenant_discovery_endpoint"] as? String,
                       "https://login.microsoftonline.com/\(DemoDirectory.tenantID)/v2.0/.well-known/openid-configuration")
        let unknown = await azure.send("GET", "login.microsoftonline.com", "/common/discovery/instance",
                                       query: "api-version=1.0&authorization_endpoint=https%3A%2F%2Fevil.example%2Ft%2Foauth2%2Fv2.0%2Fauthorize")
        XCTAssertEqual(unknown.status, 400)
        XCTAssertEqual(try jsonObject(unknown)["error"] as? String, "invalid_instance")
    }

    func testEntraPathsForLoopbackRouting() {
        XCTAssertTrue(AzureSandbox.isEntraPath("/\(DemoDirectory.tenantID)/oauth2/v2.0/token"))
        XCTAssertTrue(AzureSandbox.isEntraPath("/\(DemoDirectory.tenantID)/v2.0/.well-known/openid-configuration"))
        XCTAssertTrue(AzureSandbox.isEntraPath("/common/discovery/instance"))
        XCTAssertFalse(AzureSandbox.isEntraPath("/.well-known/openid-configuration"))
        XCTAssertFalse(AzureSandbox.isEntraPath("/openid/v1/jwks"))
        XCTAssertFalse(AzureSandbox.isEntraPath("/api/v1/namespaces"))
    }
}
