import Foundation
import WidashHTTP
import XCTest

/// TLS: trust, verification failures, client certificates, server names and CONNECT_TO.
final class CurlTransportTLSTests: XCTestCase {
    private var servers: [TestServer] = []
    private var temporaryFiles: [URL] = []

    override func tearDown() async throws {
        for server in servers { await server.shutdown() }
        for file in temporaryFiles { try? FileManager.default.removeItem(at: file) }
    }

    /// The names the demo routes to the sandbox, plus loopback.
    private static let serverNames = ["localhost", "login.microsoftonline.com"]

    private func start(_ identity: TestIdentity, clientCA: TestCA? = nil) async throws -> TestServer {
        let server = try await TestServer.start(tls: try TestServer.tlsConfiguration(identity, clientCA: clientCA))
        servers.append(server)
        return server
    }

    private func writeTemporary(_ text: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("widash-http-\(UUID().uuidString).pem")
        try Data(text.utf8).write(to: file)
        temporaryFiles.append(file)
        return file.path
    }

    private func options(_ tls: TLSOptions, connectTo: [String] = []) -> HTTPClientOptions {
        HTTPClientOptions(tls: tls, connectTo: connectTo, timeouts: quickTimeouts)
    }

    func testCAFromMemoryIsTrusted() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames))
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData)))
        let echo = try decodeEcho(try await transport.send(HTTPRequest(url: "https://localhost:\(server.port)/echo")))
        XCTAssertEqual(echo.headers["host"], "localhost:\(server.port)")
        XCTAssertEqual(server.events.serverNames.all.last ?? nil, "localhost")
        let byIP = try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        XCTAssertEqual(byIP.status, 200)
    }

    /// Requests reuse the transport's open connection: one TLS handshake for many sends (the trust
    /// audit sends thousands), concurrent sends open their own, and a request that captures the
    /// certificate chain always gets a handshake of its own.
    func testSendsReuseConnectionsAndChainCapturesHandshake() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames))
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData)))
        for i in 0..<5 {
            let echo = try decodeEcho(try await transport.send(HTTPRequest(url: "https://localhost:\(server.port)/echo?n=\(i)")))
            XCTAssertEqual(echo.uri, "/echo?n=\(i)")
        }
        XCTAssertEqual(server.events.serverNames.all.count, 1, "five sends, one handshake")
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { try await transport.send(HTTPRequest(url: "https://localhost:\(server.port)/echo")).status } }
            for try await status in group { XCTAssertEqual(status, 200) }
        }
        XCTAssertLessThanOrEqual(server.events.serverNames.all.count, 5, "at most one new connection per concurrent send")
        let before = server.events.serverNames.all.count
        let chained = try await transport.send(HTTPRequest(url: "https://localhost:\(server.port)/echo", capturesCertificateChain: true))
        XCTAssertFalse(chained.certificateChain.isEmpty)
        XCTAssertEqual(server.events.serverNames.all.count, before + 1, "the chain comes from a handshake")
    }

    func testCAFromFileIsTrusted() async throws {
        let ca = try TestCA(name: "widash file CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames))
        let transport = makeTransport(options(TLSOptions(caFile: try writeTemporary(ca.certificatePEM))))
        let response = try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        XCTAssertEqual(response.status, 200)
    }

    func testUnknownCAIsReported() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames))
        let url = "https://127.0.0.1:\(server.port)/echo"
        // The system trust store does not know the test CA…
        await assertHTTPError("tlsUnknownCA") { try await makeTransport(options(TLSOptions())).send(HTTPRequest(url: url)) }
        // …and a configured CA replaces the system store rather than adding to it.
        let other = try TestCA(name: "some other CA")
        await assertHTTPError("tlsUnknownCA") {
            try await makeTransport(options(TLSOptions(caPEM: other.certificateData))).send(HTTPRequest(url: url))
        }
    }

    func testWrongHostNameIsReported() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: ["wrong.example"], ipv4: []))
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData)))
        await assertHTTPError("tlsHostnameMismatch") {
            try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        }
        await assertHTTPError("tlsHostnameMismatch") {
            try await transport.send(HTTPRequest(url: "https://localhost:\(server.port)/echo"))
        }
    }

    func testServerNameIsVerifiedAndSentAsSNIWhileHostStaysReal() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: ["kubernetes.internal"], ipv4: []))
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData, serverName: "kubernetes.internal")))
        let echo = try decodeEcho(try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo?watch=1")))
        XCTAssertEqual(echo.uri, "/echo?watch=1")
        XCTAssertEqual(echo.headers["host"], "127.0.0.1:\(server.port)")
        XCTAssertEqual(server.events.serverNames.all.last ?? nil, "kubernetes.internal")
    }

    func testExpiredCertificateIsReported() async throws {
        let ca = try TestCA(name: "widash test CA")
        let expired = try ca.issueServer(dnsNames: Self.serverNames,
                                         notBefore: Date().addingTimeInterval(-86400 * 10),
                                         notAfter: Date().addingTimeInterval(-86400))
        let server = try await start(expired)
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData)))
        await assertHTTPError("tlsCertificateExpired") {
            try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        }
    }

    func testInsecureSkipVerifyAcceptsAnUnknownCAAndWrongHost() async throws {
        let ca = try TestCA(name: "untrusted CA")
        let server = try await start(try ca.issueServer(dnsNames: ["wrong.example"], ipv4: []))
        let transport = makeTransport(options(TLSOptions(insecureSkipVerify: true)))
        let response = try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        XCTAssertEqual(response.status, 200)
    }

    func testClientCertificateFromMemoryIsAccepted() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames), clientCA: ca)
        let client = try ca.issueClient(commonName: "system:admin")
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData,
                                                         clientCertificatePEM: client.certificateData,
                                                         clientKeyPEM: client.keyData)))
        let response = try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        XCTAssertEqual(response.status, 200)
    }

    func testClientCertificateFromFilesIsAccepted() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames), clientCA: ca)
        let client = try ca.issueClient(commonName: "system:admin")
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData,
                                                         clientCertificateFile: try writeTemporary(client.certificatePEM),
                                                         clientKeyFile: try writeTemporary(client.keyPEM))))
        let response = try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        XCTAssertEqual(response.status, 200)
    }

    func testMissingClientCertificateIsRejected() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames), clientCA: ca)
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData)))
        await assertHTTPError("tlsClientCertificateRejected") {
            try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        }
    }

    func testClientCertificateFromAnotherCAIsRejected() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames), clientCA: ca)
        let stranger = try TestCA(name: "stranger CA").issueClient(commonName: "mallory")
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData,
                                                         clientCertificatePEM: stranger.certificateData,
                                                         clientKeyPEM: stranger.keyData)))
        await assertHTTPError("tlsClientCertificateRejected") {
            try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        }
    }

    func testClientKeyNotMatchingTheCertificateIsATLSError() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames), clientCA: ca)
        let first = try ca.issueClient(commonName: "a")
        let second = try ca.issueClient(commonName: "b")
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData,
                                                         clientCertificatePEM: first.certificateData,
                                                         clientKeyPEM: second.keyData)))
        let error = await assertHTTPError("tls") {
            try await transport.send(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        }
        XCTAssertTrue(error?.description.contains("client certificate or key") == true, error?.description ?? "")
    }

    func testConnectToReachesTheLocalServerWithRealHostAndSNI() async throws {
        let ca = try TestCA(name: "sandbox CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames))
        let port = server.port
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData),
                                              connectTo: ["login.microsoftonline.com:\(port):127.0.0.1:\(port)"]))
        let response = try await transport.send(HTTPRequest(
            method: "POST", url: "https://login.microsoftonline.com:\(port)/tenant/oauth2/v2.0/token?x=1",
            body: Data("grant_type=client_credentials".utf8)))
        XCTAssertEqual(response.status, 404)  // the test server has no such route: it did reach it
        let echo = try decodeEcho(try await transport.send(HTTPRequest(url: "https://login.microsoftonline.com:\(port)/echo")))
        XCTAssertEqual(echo.headers["host"], "login.microsoftonline.com:\(port)")
        let names = server.events.serverNames.all
        XCTAssertFalse(names.isEmpty)
        XCTAssertEqual(Set(names), ["login.microsoftonline.com"], "SNI is the real host name")
    }

    func testServerNameCombinesWithConnectTo() async throws {
        let ca = try TestCA(name: "sandbox CA")
        let server = try await start(try ca.issueServer(dnsNames: ["kubernetes.internal"], ipv4: []))
        let port = server.port
        // The kubeconfig names an address that only exists inside the demo; CONNECT_TO sends it to loopback.
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData, serverName: "kubernetes.internal"),
                                              connectTo: ["10.96.0.1:443:127.0.0.1:\(port)"]))
        let echo = try decodeEcho(try await transport.send(HTTPRequest(url: "https://10.96.0.1/echo")))
        XCTAssertEqual(echo.headers["host"], "10.96.0.1")
        XCTAssertEqual(server.events.serverNames.all.last ?? nil, "kubernetes.internal")
    }

    func testStreamingOverTLSReportsAHead() async throws {
        let ca = try TestCA(name: "widash test CA")
        let server = try await start(try ca.issueServer(dnsNames: Self.serverNames))
        let transport = makeTransport(options(TLSOptions(caPEM: ca.certificateData)))
        var text = ""
        var status: Int?
        server.events.streamGate.fire()
        for try await event in transport.stream(HTTPRequest(url: "https://127.0.0.1:\(server.port)/stream")) {
            switch event {
            case .head(let code, _): status = code
            case .body(let chunk): text += String(decoding: chunk, as: UTF8.self)
            }
        }
        XCTAssertEqual(status, 200)
        XCTAssertEqual(text, "line 1\nline 2\nline 3\n")
    }
}
