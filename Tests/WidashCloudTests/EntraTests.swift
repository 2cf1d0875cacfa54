import Foundation
import XCTest
import WidashHTTP
@testable import WidashCloud

final class EntraTests: XCTestCase {
    static func errorBody(code: Int, error: String = "invalid_client", description: String) -> Data {
        let object: [String: Any] = ["error": error, "error_description": description, "error_codes": [code],
                                     "timestamp": "2025-04-22 01:01:11Z", "trace_id": "93eb6af6-43b5-4b16-ad6e-63cf2a050b00",
                                     "correlation_id": "8f043819-8577-46b9-b330-a72e2e114665",
                                     "error_uri": "https://login.microsoftonline.com/error?code=\(code)"]
        return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }

    func testSuccessIsParsedAndTheTokenIsNotPrinted() throws {
        let token = try XCTUnwrap(EntraAccessToken.parse(Data(#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":"3599","access_token":"eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2lnbmF0dXJlc2VjcmV0"}"#.utf8),
                                                         receivedAt: Date(timeIntervalSince1970: 1000)))
        XCTAssertEqual(token.tokenType, "Bearer")
        XCTAssertEqual(token.expiresIn, 3599)
        XCTAssertEqual(token.extExpiresIn, 3599)
        XCTAssertEqual(token.expiresOn, Date(timeIntervalSince1970: 4599))
        XCTAssertFalse(token.description.contains("c2lnbmF0dXJlc2VjcmV0"))
    }

    func testSubjectMismatchNamesThePresentedSubject() throws {
        let e = try XCTUnwrap(EntraError.parse(status: 400, body: Self.errorBody(code: 700213, description:
            "AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:broken:wrong-subject'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: 8eea681d-a1eb-487d-9be7-d61225177f00 Correlation ID: d0f0de73-8a5d-4de0-99b6-83e71da1f7a4 Timestamp: 2025-10-13 14:54:34Z")))
        XCTAssertEqual(e.code, "AADSTS700213")
        XCTAssertEqual(e.meaning, .subjectMismatch)
        XCTAssertEqual(e.presented.subject, "system:serviceaccount:broken:wrong-subject")
        XCTAssertNil(e.presented.issuer)
        XCTAssertEqual(e.traceID, "93eb6af6-43b5-4b16-ad6e-63cf2a050b00")
        XCTAssertEqual(e.correlationID, "8f043819-8577-46b9-b330-a72e2e114665")
        XCTAssertEqual(e.timestamp, "2025-04-22 01:01:11Z")
        XCTAssertEqual(e.error, "invalid_client")
        XCTAssertFalse(e.shortDescription.contains("Trace ID"))
    }

    func testIssuerAndAudienceMismatches() throws {
        let issuer = try XCTUnwrap(EntraError.parse(status: 400, body: Self.errorBody(code: 700211, description:
            "AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://oidc.example.test/abc'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.")))
        XCTAssertEqual(issuer.meaning, .issuerMismatch)
        XCTAssertEqual(issuer.presented.issuer, "https://oidc.example.test/abc")
        let audience = try XCTUnwrap(EntraError.parse(status: 400, body: Self.errorBody(code: 700212, description:
            "AADSTS700212: No matching federated identity record found for presented assertion audience 'api://AzureADTokenExchange'.")))
        XCTAssertEqual(audience.meaning, .audienceMismatch)
        XCTAssertEqual(audience.presented.audience, "api://AzureADTokenExchange")
    }

    func testNoMatchListsAllThreePresentedValues() throws {
        let e = try XCTUnwrap(EntraError.parse(status: 400, body: Self.errorBody(code: 70021, error: "invalid_request", description:
            "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://kubernetes.default.svc.cluster.local'. Assertion Subject: 'system:serviceaccount:default:workload-identity-sa'. Assertion Audience: 'api://AzureADTokenExchange'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation\r\nTrace ID: 30b6df93-efd2-459c-ae6a-bad0838f6f00\r\nCorrelation ID: dffc6012-a4af-4f00-80ab-3e831069b3cc\r\nTimestamp: 2022-10-27 23:39:22Z")))
        XCTAssertEqual(e.meaning, .noMatchingCredential)
        XCTAssertEqual(e.presented, PresentedAssertion(issuer: "https://kubernetes.default.svc.cluster.local",
                                                       subject: "system:serviceaccount:default:workload-identity-sa",
                                                       audience: "api://AzureADTokenExchange"))
    }

    func testCaseOnlySubjectMismatchNamesTheExpectedSubject() throws {
        let e = try XCTUnwrap(EntraError.parse(status: 401, body: Self.errorBody(code: 7002137, description:
            "AADSTS7002137: No matching federated identity record found for presented assertion subject '/eid1/c/pub/t/x'. Please make sure the federated identity credential Subject is '/eid1/c/pub/t/{tenantId}'. Trace ID: 007fc931-d337-4638-8760-8f5c9c231e00")))
        XCTAssertEqual(e.meaning, .subjectMismatch)
        XCTAssertEqual(e.expectedSubject, "/eid1/c/pub/t/{tenantId}")
    }

    func testExpiredAssertionTimeWindow() throws {
        let e = try XCTUnwrap(EntraError.parse(status: 400, body: Self.errorBody(code: 700024, description:
            "AADSTS700024: Client assertion is not within its valid time range. Current time: 2024-05-28T06:01:42.5853621Z, assertion valid from 2024-05-28T02:19:01.0000000Z, expiry time of assertion 2024-05-28T02:29:01.0000000Z. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .")))
        XCTAssertEqual(e.meaning, .assertionOutsideValidTime)
        XCTAssertEqual(e.timeWindow?.currentTime, "2024-05-28T06:01:42.5853621Z")
        XCTAssertEqual(e.timeWindow?.validFrom, "2024-05-28T02:19:01.0000000Z")
        XCTAssertEqual(e.timeWindow?.expiry, "2024-05-28T02:29:01.0000000Z")
    }

    func testDiscoveryFailureCodes() throws {
        for code in [90061, 50166] {
            let e = try XCTUnwrap(EntraError.parse(status: 400, body: Self.errorBody(code: code, description: "AADSTS\(code): Request to External OIDC endpoint failed.")))
            XCTAssertEqual(e.meaning, .issuerDiscoveryUnreachable)
            XCTAssertTrue(e.meaning?.isTrustFailure ?? false)
        }
        XCTAssertNil(EntraError.parse(status: 500, body: Data("<html>oops</html>".utf8)))
    }

    func testAuthorityFromPodEnvThenOperatorEnv() {
        XCTAssertEqual(EntraAuthority.host(podEnvironment: ["AZURE_AUTHORITY_HOST": "https://login.chinacloudapi.cn/"], environment: [:]),
                       "https://login.chinacloudapi.cn/")
        XCTAssertEqual(EntraAuthority.host(podEnvironment: [:], environment: ["AZURE_AUTHORITY_HOST": "login.microsoftonline.us"]),
                       "https://login.microsoftonline.us")
        XCTAssertEqual(EntraAuthority.host(podEnvironment: [:], environment: [:]), "https://login.microsoftonline.com/")
        XCTAssertEqual(EntraAuthority.tokenURL(host: "https://login.microsoftonline.com/", tenantID: "t1"),
                       "https://login.microsoftonline.com/t1/oauth2/v2.0/token")
    }

    func testExchangeReturnsEntraErrorAndUnreachableIsTyped() async throws {
        let transport = ScriptedTransport { _ in
            HTTPResponse(status: 400, headers: [:], body: EntraTests.errorBody(code: 700213, description: "AADSTS700213: No matching federated identity record found for presented assertion subject 'a'."))
        }
        let client = EntraTokenClient(transport: transport, authorityHost: "https://login.microsoftonline.com/")
        let exchange = try await client.exchange(tenantID: "t", clientID: "c", assertion: "h.c.s", scope: "https://vault.azure.net/.default")
        XCTAssertEqual(exchange.status, 400)
        XCTAssertEqual(exchange.requestLine, "POST https://login.microsoftonline.com/t/oauth2/v2.0/token")
        guard case .failure(let e) = exchange.result else { return XCTFail("expected an Entra error") }
        XCTAssertEqual(e.code, "AADSTS700213")

        let down = EntraTokenClient(transport: ScriptedTransport { r in throw HTTPError.connectionRefused(url: r.url, detail: "refused") })
        do {
            _ = try await down.exchange(tenantID: "t", clientID: "c", assertion: "h.c.s", scope: "s")
            XCTFail("expected unreachable")
        } catch let error as CloudError {
            XCTAssertTrue(error.isUnreachable)
            XCTAssertTrue(error.description.contains("https://login.microsoftonline.com"))
        }
    }

    /// The acceptance check: widash's form fields are exactly those azure-identity's
    /// WorkloadIdentityCredential sends (captured from azure-identity with a recording transport).
    func testFormFieldsMatchAzureIdentityWorkloadIdentityCredential() async throws {
        let script = """
import sys, json, os, tempfile
import requests
from azure.core.pipeline.transport import HttpTransport, RequestsTransportResponse
from azure.identity import WorkloadIdentityCredential
captured = {}
class Recorder(HttpTransport):
    def __enter__(self): return self
    def __exit__(self, *a): pass
    def open(self): pass
    def close(self): pass
    def send(self, request, **kw):
        captured["method"] = request.method
        captured["url"] = request.url
        body = request.data if request.data is not None else request.body
        captured["body"] = body if isinstance(body, dict) else dict(__import__("urllib.parse").parse.parse_qsl(body.decode() if isinstance(body, bytes) else body))
        r = requests.models.Response(); r.status_code = 200
        r._content = json.dumps({"token_type": "Bearer", "expires_in": 3599, "access_token": "x.y.z"}).encode()
        r.headers["Content-Type"] = "application/json"; r.url = request.url
        return RequestsTransportResponse(request, r)
inp = json.load(sys.stdin)
f = tempfile.NamedTemporaryFile("w", delete=False); f.write(inp["assertion"]); f.close()
c = WorkloadIdentityCredential(tenant_id=inp["tenant"], client_id=inp["client"], token_file_path=f.name,
                               authority="https://login.microsoftonline.com", transport=Recorder())
c.get_token(inp["scope"])
os.unlink(f.name)
print(json.dumps({"method": captured["method"], "url": captured["url"], "fields": list(captured["body"].items())}))
"""
        let input: [String: String] = ["tenant": "5f1c1f2e-7a8b-4c3d-9e0f-1a2b3c4d5e6f", "client": "a1f3c6e0-1d2b-4e5f-8a9b-0c1d2e3f4a51",
                                       "assertion": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "scope": "https://vault.azure.net/.default"]
        let output = try runPython(script, input: try JSONEncoder().encode(input), requiredModules: ["azure.identity", "requests"])
        struct Captured: Decodable { var method: String; var url: String; var fields: [[String]] }
        let theirs = try JSONDecoder().decode(Captured.self, from: output)

        let transport = ScriptedTransport { _ in json(200, #"{"token_type":"Bearer","expires_in":3599,"access_token":"x.y.z"}"#) }
        let client = EntraTokenClient(transport: transport, authorityHost: "https://login.microsoftonline.com")
        _ = try await client.acquire(tenantID: input["tenant"] ?? "", clientID: input["client"] ?? "",
                                     assertion: input["assertion"] ?? "", scope: input["scope"] ?? "")
        let sent = try XCTUnwrap(transport.requests.first)
        let ours = FormEncoding.decode(String(decoding: sent.body ?? Data(), as: UTF8.self))
        XCTAssertEqual(sent.method, theirs.method)
        XCTAssertEqual(sent.url, theirs.url)
        XCTAssertEqual(ours.map { [$0.0, $0.1] }, theirs.fields, "same fields, same values, same order")
    }
}
