import Foundation
import WidashHTTP
import WidashSandbox
import WidashSandboxKit
@testable import WidashSandboxAWS
import XCTest

/// STS holds an issuer whose certificate comes from a private CA to the IAM OIDC provider's
/// thumbprints (the top certificate of the chain the issuer serves): the sandbox over HTTPS, its
/// chain read through libcurl as IAM reads it.
final class ThumbprintEndToEndTests: XCTestCase {
    func start(thumbprint: String?) async throws -> SandboxServer {
        try await SandboxServer.start(SandboxOptions(isStatic: true)) { context in
            var catalog = AWSCatalog.demo(context: context)
            if let thumbprint { catalog.providers[0].thumbprints = [thumbprint] }
            return AWSSandbox.services(context: context, catalog: catalog)
        }
    }

    func assume(_ server: SandboxServer) async throws -> (Int, String) {
        let token = try await KubeTokenMinter(server: server).token(namespace: "aws", serviceAccount: "irsa-ok", audience: "sts.amazonaws.com")
        let transport = CurlTransport(options: HTTPClientOptions(tls: TLSOptions(caPEM: Data(server.info.caPEM.utf8)),
                                                                 connectTo: server.info.connectTo), environment: [:])
        let form = FormCoding.encode([("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"),
                                      ("RoleArn", DemoDirectory.irsaOKRoleARN), ("RoleSessionName", "thumbprint-test"), ("WebIdentityToken", token)])
        let response = try await transport.send(HTTPRequest(method: "POST", url: "https://sts.amazonaws.com/",
                                                            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(form.utf8)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    func testTheServedChainEndsWithTheCAWhoseThumbprintTheProviderHolds() async throws {
        let server = try await start(thumbprint: nil)
        addTeardownBlock { await server.stop() }
        let transport = CurlTransport(options: HTTPClientOptions(tls: TLSOptions(caPEM: Data(server.info.caPEM.utf8))), environment: [:])
        let response = try await transport.send(HTTPRequest(url: server.info.issuer + "/.well-known/openid-configuration",
                                                            capturesCertificateChain: true))
        XCTAssertEqual(response.certificateChain.count, 2, "leaf and CA")
        XCTAssertEqual(CertificateThumbprint.sha1(pem: response.certificateChain[1]), CertificateThumbprint.sha1(pem: server.info.caPEM))
        let (status, body) = try await assume(server)
        XCTAssertEqual(status, 200, body)
    }

    func testAProviderWithAnotherThumbprintIsRefused() async throws {
        // The leaf's thumbprint: the usual mistake (a lower certificate of the chain).
        let server = try await start(thumbprint: String(repeating: "ab", count: 20))
        addTeardownBlock { await server.stop() }
        let (status, body) = try await assume(server)
        XCTAssertEqual(status, 400, body)
        XCTAssertTrue(body.contains("<Code>InvalidIdentityToken</Code>"), body)
        XCTAssertTrue(body.contains("OpenIDConnect provider&apos;s HTTPS certificate doesn&apos;t match configured thumbprint")
                      || body.contains("OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"), body)
    }
}
