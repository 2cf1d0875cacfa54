import Foundation
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAzure

/// Real azure-identity `ClientSecretCredential` (what AZURE_CLIENT_ID / AZURE_TENANT_ID /
/// AZURE_CLIENT_SECRET select) as the judge of the operator's client-secret flow.
extension AzureIdentityEndToEndTests {
    static let secretScript = #"""
import json, socket, sys
tenant, client_id, secret, port = sys.argv[1:5]
real_getaddrinfo = socket.getaddrinfo
def sandbox_getaddrinfo(host, service, *args, **kwargs):
    # MSAL's instance discovery ignores the authority's port: route 443 to the sandbox as well.
    if host == "login.microsoftonline.com":
        host = "127.0.0.1"
        if str(service) in ("443", "https"):
            service = int(port)
    return real_getaddrinfo(host, service, *args, **kwargs)
socket.getaddrinfo = sandbox_getaddrinfo

import jwt
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential

credential = ClientSecretCredential(tenant, client_id, secret, authority="https://login.microsoftonline.com:" + port)
try:
    token = credential.get_token("https://management.azure.com/.default")
except ClientAuthenticationError as error:
    print(json.dumps({"ok": False, "message": error.message}))
    sys.exit(0)
claims = jwt.decode(token.token, options={"verify_signature": False})
print(json.dumps({"ok": True, "appid": claims["appid"], "oid": claims["oid"], "aud": claims["aud"]}))
"""#

    func secretExchange(_ sandbox: Sandbox, python: String, secret: String) throws -> [String: Any] {
        let result = try run(python, ["-c", Self.secretScript, DemoDirectory.tenantID, DemoDirectory.operatorClientID, secret, sandbox.port],
                             environment: ["REQUESTS_CA_BUNDLE": sandbox.caFile, "SSL_CERT_FILE": sandbox.caFile])
        XCTAssertEqual(result.status, 0, result.stderr)
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                             "no JSON from Python: \(result.stdout) \(result.stderr)")
    }

    func testAzureIdentityClientSecretCredentialForTheOperator() async throws {
        let python = try python()
        let sandbox = try await Sandbox.start()
        do {
            let ok = try secretExchange(sandbox, python: python, secret: DemoDirectory.operatorClientSecret)
            XCTAssertEqual(ok["ok"] as? Bool, true, "\(ok)")
            XCTAssertEqual(ok["appid"] as? String, DemoDirectory.operatorClientID)
            XCTAssertEqual(ok["oid"] as? String, DemoDirectory.operatorObjectID)
            XCTAssertEqual(ok["aud"] as? String, "https://management.azure.com")

            let failed = try secretExchange(sandbox, python: python, secret: "wrong-secret")
            XCTAssertEqual(failed["ok"] as? Bool, false, "\(failed)")
            let message = try XCTUnwrap(failed["message"] as? String)
            // MSAL words it "Authentication failed: AADSTS7000215: …" (no "(invalid_client)" prefix).
            XCTAssertTrue(message.contains("AADSTS7000215: Invalid client secret provided."), message)
            XCTAssertTrue(message.contains("for a secret added to app '\(DemoDirectory.operatorClientID)'"), message)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}
