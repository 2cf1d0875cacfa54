import CCurl
import Foundation
@testable import WidashHTTP
import XCTest

/// Pure parts of the transport: proxy resolution, server-name routing, URL redaction, error mapping.
final class TransportPlanningTests: XCTestCase {
    func testProxyResolutionPrefersUpperCaseAndMatchesTheScheme() {
        let environment = ["HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://lower:3128",
                           "http_proxy": "http://plain:8080", "no_proxy": " .svc , 10.0.0.1 ,,"]
        XCTAssertEqual(ProxySettings.resolve(scheme: "https", explicitProxy: nil, environment: environment),
                       ProxySettings(proxy: "http://upper:3128", noProxy: ".svc,10.0.0.1"))
        XCTAssertEqual(ProxySettings.resolve(scheme: "http", explicitProxy: nil, environment: environment).proxy,
                       "http://plain:8080")
        XCTAssertEqual(ProxySettings.resolve(scheme: "https", explicitProxy: "socks5://kube:1080", environment: environment),
                       ProxySettings(proxy: "socks5://kube:1080", noProxy: ""))
        XCTAssertEqual(ProxySettings.resolve(scheme: "https", explicitProxy: nil, environment: [:]),
                       ProxySettings(proxy: "", noProxy: ""))
    }

    func testNoProxyMatching() {
        let settings = ProxySettings(proxy: "http://p:1", noProxy: ".svc,example.com,10.0.0.1")
        XCTAssertFalse(settings.appliesTo(host: "api.svc"))
        XCTAssertFalse(settings.appliesTo(host: "example.com"))
        XCTAssertFalse(settings.appliesTo(host: "login.example.com"))
        XCTAssertFalse(settings.appliesTo(host: "10.0.0.1"))
        XCTAssertTrue(settings.appliesTo(host: "notexample.com"))
        XCTAssertTrue(settings.appliesTo(host: "10.0.0.10"))
        XCTAssertFalse(ProxySettings(proxy: "http://p:1", noProxy: "*").appliesTo(host: "anything"))
        XCTAssertFalse(ProxySettings(proxy: "", noProxy: "").appliesTo(host: "anything"))
    }

    func testRouteWithoutServerNameKeepsTheURL() throws {
        let route = try RequestRoute.make(url: "https://10.0.0.1:6443/api?x=1", serverName: nil, connectTo: ["a:1:b:2"])
        XCTAssertEqual(route.curlURL, "https://10.0.0.1:6443/api?x=1")
        XCTAssertEqual(route.connectTo, ["a:1:b:2"])
        XCTAssertNil(route.hostHeader)
        XCTAssertEqual(route.host, "10.0.0.1")
    }

    func testRouteWithServerNameRewritesTheURLAndConnectsToTheRealHost() throws {
        let route = try RequestRoute.make(url: "https://10.0.0.1:6443/api/v1/pods?watch=1", serverName: "kubernetes",
                                          connectTo: [])
        XCTAssertEqual(route.curlURL, "https://kubernetes:6443/api/v1/pods?watch=1")
        XCTAssertEqual(route.connectTo, ["kubernetes:6443:10.0.0.1:6443"])
        XCTAssertEqual(route.hostHeader, "10.0.0.1:6443")
    }

    func testRouteWithServerNameFollowsAMatchingConnectToEntryAndDefaultPorts() throws {
        let route = try RequestRoute.make(url: "https://api.example.com/x", serverName: "kube.local",
                                          connectTo: ["other:443:1.1.1.1:1", "api.example.com:443:127.0.0.1:8443"])
        XCTAssertEqual(route.curlURL, "https://kube.local/x")
        XCTAssertEqual(route.connectTo.first, "kube.local:443:127.0.0.1:8443")
        XCTAssertEqual(route.hostHeader, "api.example.com")
    }

    func testRouteBracketsIPv6() throws {
        let route = try RequestRoute.make(url: "https://[::1]:6443/", serverName: "kubernetes", connectTo: [])
        XCTAssertEqual(route.connectTo, ["kubernetes:6443:[::1]:6443"])
        XCTAssertEqual(route.hostHeader, "[::1]:6443")
    }

    func testRouteServerNameEqualToHostChangesNothing() throws {
        let route = try RequestRoute.make(url: "https://Kubernetes:6443/", serverName: "kubernetes", connectTo: [])
        XCTAssertEqual(route.curlURL, "https://Kubernetes:6443/")
        XCTAssertNil(route.hostHeader)
    }

    func testConnectToEntryParsing() {
        XCTAssertEqual(ConnectToEntry("::[::1]:8443"), ConnectToEntry(host: "", port: nil, toHost: "::1", toPort: 8443))
        XCTAssertNil(ConnectToEntry("a:b:c:d"))
        XCTAssertNil(ConnectToEntry("a:1:b"))
    }

    func testRedactedURLDropsQueryFragmentAndUserInfo() {
        XCTAssertEqual(redactedURL("https://u:p@acct.blob.core.windows.net/c/b?sv=1&sig=abc#f"),
                       "https://acct.blob.core.windows.net/c/b")
        XCTAssertEqual(redactedURL("https://host/path"), "https://host/path")
        XCTAssertEqual(redactedURL("http://proxy.local:3128"), "http://proxy.local:3128")
    }

    func testDurationConversions() {
        XCTAssertEqual(Duration.milliseconds(1500).milliseconds, 1500)
        XCTAssertEqual(Duration.milliseconds(1500).secondsRoundedUp, 2)
        XCTAssertEqual(Duration.milliseconds(1).secondsRoundedUp, 1)
        XCTAssertEqual(Duration.seconds(-3).milliseconds, 0)
    }

    // MARK: error mapping from libcurl/OpenSSL texts

    private func map(_ code: CURLcode, _ text: String, verify: Int = 0, proxy: Bool = false) -> HTTPError {
        CurlErrorMapping.map(CurlFailure(code: code.rawValue, errorText: text, verifyResult: verify, cancelled: false,
                                         exceededBodyLimit: nil, viaProxy: proxy),
                             url: "https://h/", host: "h")
    }

    func testErrorMappingTable() {
        XCTAssertEqual(map(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: h").kind, "dnsFailure")
        XCTAssertEqual(map(CURLE_COULDNT_CONNECT, "Failed to connect").kind, "connectionRefused")
        XCTAssertEqual(map(CURLE_COULDNT_CONNECT, "Failed to connect", proxy: true).kind, "proxy")
        XCTAssertEqual(map(CURLE_COULDNT_RESOLVE_PROXY, "Could not resolve proxy: p").kind, "proxy")
        XCTAssertEqual(map(CURLE_RECV_ERROR, "CONNECT tunnel failed, response 403", proxy: true).kind, "proxy")
        XCTAssertEqual(map(CURLE_OPERATION_TIMEDOUT, "Operation too slow").kind, "timeout")
        XCTAssertEqual(map(CURLE_TOO_MANY_REDIRECTS, "Maximum (10) redirects followed").kind, "tooManyRedirects")
        XCTAssertEqual(map(CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: unable to get local issuer certificate").kind,
                       "tlsUnknownCA")
        XCTAssertEqual(map(CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: self-signed certificate").kind,
                       "tlsUnknownCA")
        XCTAssertEqual(map(CURLE_PEER_FAILED_VERIFICATION, "whatever", verify: 20).kind, "tlsUnknownCA")
        XCTAssertEqual(map(CURLE_PEER_FAILED_VERIFICATION, "SSL certificate problem: certificate has expired").kind,
                       "tlsCertificateExpired")
        XCTAssertEqual(map(CURLE_PEER_FAILED_VERIFICATION, "x", verify: 9).kind, "tlsCertificateExpired")
        XCTAssertEqual(map(CURLE_PEER_FAILED_VERIFICATION,
                           "SSL: no alternative certificate subject name matches target host name '10.0.0.1'").kind,
                       "tlsHostnameMismatch")
        XCTAssertEqual(map(CURLE_RECV_ERROR, "OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0").kind,
                       "tlsClientCertificateRejected")
        XCTAssertEqual(map(CURLE_SSL_CONNECT_ERROR, "error:0A000418:SSL routines::tlsv1 alert unknown ca").kind,
                       "tlsClientCertificateRejected")
        XCTAssertEqual(map(CURLE_SSL_CONNECT_ERROR, "error:0A000410:SSL routines::sslv3 alert handshake failure").kind, "tls")
        XCTAssertEqual(map(CURLE_SSL_CERTPROBLEM, "unable to set private key file").kind, "tls")
        XCTAssertEqual(map(CURLE_RECV_ERROR, "Connection reset by peer").kind, "other")
        XCTAssertEqual(map(CURLE_URL_MALFORMAT, "URL rejected").kind, "invalidURL")
    }

    func testCancellationAndBodyLimitWinOverTheCurlCode() {
        let cancelled = CurlErrorMapping.map(CurlFailure(code: CURLE_WRITE_ERROR.rawValue, errorText: "", verifyResult: 0,
                                                         cancelled: true, exceededBodyLimit: 10, viaProxy: false),
                                             url: "u", host: "h")
        XCTAssertEqual(cancelled, .cancelled(url: "u"))
        let tooLarge = CurlErrorMapping.map(CurlFailure(code: CURLE_WRITE_ERROR.rawValue, errorText: "", verifyResult: 0,
                                                        cancelled: false, exceededBodyLimit: 10, viaProxy: false),
                                            url: "u", host: "h")
        XCTAssertEqual(tooLarge, .bodyTooLarge(url: "u", limit: 10))
    }

    func testDetailsAreOneLineAndFallBackToCurlsText() {
        XCTAssertEqual(CurlErrorMapping.oneLine(" a\r\nb \n", code: CURLE_OK.rawValue), "a  b")
        XCTAssertEqual(CurlErrorMapping.oneLine("", code: CURLE_COULDNT_CONNECT.rawValue), "Couldn't connect to server")
        XCTAssertLessThanOrEqual(CurlErrorMapping.oneLine(String(repeating: "x", count: 1000), code: 0).count, 301)
    }
}
