import Foundation
import XCTest
import WidashHTTP
import WidashSandbox
import WidashSandboxKit
@testable import WidashSandboxAWS
import WidashSandboxGCP

/// GKE workload identity through the running sandbox over HTTPS with libcurl, the real Google host
/// names routed by CONNECT_TO: TokenRequest → STS token exchange → generateAccessToken.
final class GCPEndToEndTests: XCTestCase {
    func testGKEServiceAccountGetsAnAccessTokenThroughTheServer() async throws {
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true)) { AWSSandbox.services(context: $0) + GCPSandbox.services(context: $0) }
        do {
            try await exchange(server: server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    func exchange(server: SandboxServer) async throws {
        let transport = CurlTransport(options: HTTPClientOptions(tls: TLSOptions(caPEM: Data(server.info.caPEM.utf8)),
                                                                 connectTo: server.info.connectTo), environment: [:])
        let pool = DemoDirectory.gcpWorkloadPool
        let token = try await KubeTokenMinter(server: server).token(namespace: "gcp", serviceAccount: "gke-ok", audience: pool)
        let form = FormCoding.encode([
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("audience", "identitynamespace:\(pool):\(server.info.issuer)"),
            ("scope", "https://www.googleapis.com/auth/cloud-platform"),
            ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
            ("subject_token", token),
        ])
        let sts = try await transport.send(HTTPRequest(method: "POST", url: "https://sts.googleapis.com/v1/token",
                                                       headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                       body: Data(form.utf8)))
        XCTAssertEqual(sts.status, 200, String(decoding: sts.body, as: UTF8.self))
        let federated = try XCTUnwrap((try JSONSerialization.jsonObject(with: sts.body) as? [String: Any])?["access_token"] as? String)

        let url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/\(DemoDirectory.gkeServiceAccount):generateAccessToken"
        let generated = try await transport.send(HTTPRequest(
            method: "POST", url: url, headers: [("Authorization", "Bearer \(federated)"), ("Content-Type", "application/json")],
            body: Data(#"{"scope":["https://www.googleapis.com/auth/cloud-platform"]}"#.utf8)))
        XCTAssertEqual(generated.status, 200, String(decoding: generated.body, as: UTF8.self))
        let body = try XCTUnwrap(try JSONSerialization.jsonObject(with: generated.body) as? [String: Any])
        XCTAssertTrue((body["accessToken"] as? String)?.hasPrefix("ya29.c.") == true)
    }
}
