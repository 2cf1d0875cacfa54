import Foundation
import WidashHTTP
import XCTest

/// Proxies from kubeconfig `proxy-url` and from HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
final class CurlTransportProxyTests: XCTestCase {
    private var servers: [TestServer] = []

    override func tearDown() async throws {
        for server in servers { await server.shutdown() }
    }

    /// A plain HTTP server standing in for a forward proxy: it answers absolute-form requests itself,
    /// so the echoed URI proves the request went through it.
    private func startProxy() async throws -> TestServer {
        let server = try await TestServer.start()
        servers.append(server)
        return server
    }

    func testExplicitProxyAtAClosedPortIsAProxyError() async throws {
        let port = try await closedPort()
        let transport = makeTransport(HTTPClientOptions(proxyURL: "http://127.0.0.1:\(port)", timeouts: quickTimeouts))
        await assertHTTPError("proxy") { try await transport.send(HTTPRequest(url: "https://example.com/")) }
        await assertHTTPError("proxy") { try await transport.send(HTTPRequest(url: "http://example.com/")) }
    }

    func testHTTPProxyFromTheEnvironmentIsUsed() async throws {
        let proxy = try await startProxy()
        for name in ["HTTP_PROXY", "http_proxy"] {
            let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts),
                                          environment: [name: "http://127.0.0.1:\(proxy.port)"])
            let echo = try decodeEcho(try await transport.send(HTTPRequest(url: "http://cluster.invalid/echo")))
            XCTAssertEqual(echo.uri, "http://cluster.invalid/echo", "via \(name)")
            XCTAssertEqual(transport.proxy(for: "http://cluster.invalid/echo"), "http://127.0.0.1:\(proxy.port)")
        }
    }

    func testHTTPSProxyFromTheEnvironmentIsUsedForHTTPSOnly() async throws {
        let closed = try await closedPort()
        for name in ["HTTPS_PROXY", "https_proxy"] {
            let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts),
                                          environment: [name: "http://127.0.0.1:\(closed)"])
            await assertHTTPError("proxy") { try await transport.send(HTTPRequest(url: "https://cluster.invalid/")) }
            XCTAssertNil(transport.proxy(for: "http://cluster.invalid/"), "HTTPS_PROXY does not apply to http URLs")
        }
    }

    func testNoProxyBypassesTheEnvironmentProxy() async throws {
        let server = try await startProxy()  // here: the real destination
        let closed = try await closedPort()
        let url = "http://127.0.0.1:\(server.port)/echo"
        for noProxyName in ["NO_PROXY", "no_proxy"] {
            let transport = makeTransport(HTTPClientOptions(timeouts: quickTimeouts),
                                          environment: ["HTTP_PROXY": "http://127.0.0.1:\(closed)",
                                                        noProxyName: "localhost, 127.0.0.1"])
            let echo = try decodeEcho(try await transport.send(HTTPRequest(url: url)))
            XCTAssertEqual(echo.uri, "/echo", "direct request via \(noProxyName)")
        }
        let proxied = makeTransport(HTTPClientOptions(timeouts: quickTimeouts),
                                    environment: ["HTTP_PROXY": "http://127.0.0.1:\(closed)"])
        await assertHTTPError("proxy") { try await proxied.send(HTTPRequest(url: url)) }
    }

    func testExplicitProxyOverridesTheEnvironment() async throws {
        let proxy = try await startProxy()
        let closed = try await closedPort()
        let transport = makeTransport(HTTPClientOptions(proxyURL: "http://127.0.0.1:\(proxy.port)", timeouts: quickTimeouts),
                                      environment: ["HTTP_PROXY": "http://127.0.0.1:\(closed)", "NO_PROXY": "*"])
        let echo = try decodeEcho(try await transport.send(HTTPRequest(url: "http://cluster.invalid/echo")))
        XCTAssertEqual(echo.uri, "http://cluster.invalid/echo")
    }
}
