import Foundation
import WidashCloud
import WidashHTTP
import XCTest

/// Token exchanges are never resent blindly: a 429 or 503 answer is sent exactly once (counted on
/// the wire, through libcurl) and fails with a message that says when the server asked to retry.
final class TokenExchangeRetryTests: XCTestCase {
    private let transport = CurlTransport(options: HTTPClientOptions(), environment: [:])

    func testEntraTokenRequestAnswered429IsSentOnceAndSaysWhenToRetry() async throws {
        let server = try CountingHTTPServer(answering: .init(status: 429, headers: [("Retry-After", "7"), ("Content-Type", "application/json")], body: #"""
            {"error":"temporarily_unavailable","error_description":"AADSTS50196: The server terminated an operation because it encountered a client request loop.","error_codes":[50196]}
            """#))
        defer { server.stop() }
        let client = EntraTokenClient(transport: transport, authorityHost: server.baseURL + "/")
        let error = try await expectRetryLater {
            _ = try await client.exchange(tenantID: "tenant-1", clientID: "client-1", assertion: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
                                          scope: "https://vault.azure.net/.default")
        }
        XCTAssertEqual(server.requests, ["POST /tenant-1/oauth2/v2.0/token"], "sent exactly once")
        XCTAssertEqual(error.description, "the Entra token request (POST \(server.baseURL)/tenant-1/oauth2/v2.0/token) was answered 429 (too many requests) and the server asked to retry after 7 s; widash does not resend a token exchange by itself: run it again after that (server: \(error.serverDetail))")
        XCTAssertTrue(error.description.contains("AADSTS50196"), error.description)
    }

    func testOperatorServicePrincipalTokenAnswered503IsSentOnce() async throws {
        let server = try CountingHTTPServer(answering: .init(status: 503, headers: [], body: ""))
        defer { server.stop() }
        let credential = ServicePrincipalEnvCredential(transport: transport, environment: [
            "AZURE_CLIENT_ID": "client-1", "AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_SECRET": "not-a-real-secret",
            "AZURE_AUTHORITY_HOST": server.baseURL + "/"])
        let error = try await expectRetryLater { _ = try await credential.token(resource: "https://graph.microsoft.com") }
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertTrue(error.description.contains("was answered 503 (service unavailable) and the server asked to retry later"), error.description)
        XCTAssertTrue(error.description.hasSuffix("run it again in a moment"), error.description)
        XCTAssertFalse(error.description.contains("not-a-real-secret"))
    }

    func testSTSAssumeRoleWithWebIdentityAnswered503IsSentOnce() async throws {
        let server = try CountingHTTPServer(answering: .init(status: 503, headers: [("Retry-After", "3"), ("Content-Type", "text/xml")], body: """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>\
            <Message>Service is unable to handle request.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>
            """))
        defer { server.stop() }
        let endpoint = AWSEndpoints.resolve(service: "sts", region: "us-east-1", environment: ["AWS_ENDPOINT_URL": server.baseURL])
        let client = STSClient(transport: transport, endpoint: endpoint)
        let error = try await expectRetryLater {
            _ = try await client.assumeRoleWithWebIdentity(roleARN: "arn:aws:iam::111122223333:role/r", sessionName: "widash",
                                                           webIdentityToken: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
        }
        XCTAssertEqual(server.requests, ["POST /"])
        XCTAssertTrue(error.description.hasPrefix("STS AssumeRoleWithWebIdentity (POST \(server.baseURL)/) was answered 503 (service unavailable) and the server asked to retry after 3 s"),
                      error.description)
        XCTAssertTrue(error.description.contains("ServiceUnavailable"), error.description)
    }

    func testEKSAuthAssumeRoleForPodIdentityAnswered429IsSentOnce() async throws {
        let date = "Wed, 21 Oct 2099 07:28:00 GMT"
        let server = try CountingHTTPServer(answering: .init(status: 429, headers: [("Retry-After", date), ("x-amzn-ErrorType", "ThrottlingException")],
                                                             body: #"{"message":"Rate exceeded"}"#))
        defer { server.stop() }
        let endpoint = AWSEndpoints.resolve(service: "eks-auth", region: "us-east-1", environment: ["AWS_ENDPOINT_URL": server.baseURL])
        let client = EKSAuthClient(transport: transport, endpoint: endpoint)
        let error = try await expectRetryLater {
            _ = try await client.assumeRoleForPodIdentity(cluster: "demo", token: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
                                                          signingCredentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "not-a-real-key"))
        }
        XCTAssertEqual(server.requests, ["POST /clusters/demo/assume-role-for-pod-identity"])
        guard case .retryLater(_, _, let status, let seconds?, _) = error.cloudError else {
            return XCTFail("no Retry-After read from the HTTP date: \(error)")
        }
        XCTAssertEqual(status, 429)
        XCTAssertGreaterThan(seconds, 0, "an HTTP-date Retry-After in the future")
        XCTAssertTrue(error.description.contains("ThrottlingException"), error.description)
    }

    func testGoogleSTSAndGenerateAccessTokenAnswered429Or503AreSentOnce() async throws {
        let sts = try CountingHTTPServer(answering: .init(status: 429, headers: [("Retry-After", "30")], body: #"""
            {"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}
            """#))
        defer { sts.stop() }
        let stsError = try await expectRetryLater {
            _ = try await GCPSTSClient(transport: transport, baseURL: sts.baseURL)
                .exchange(subjectToken: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", audience: "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x")
        }
        XCTAssertEqual(sts.requests, ["POST /v1/token"])
        XCTAssertTrue(stsError.description.contains("asked to retry after 30 s"), stsError.description)
        XCTAssertTrue(stsError.description.contains("RESOURCE_EXHAUSTED"), stsError.description)

        let iam = try CountingHTTPServer(answering: .init(status: 503, headers: [("Retry-After", "2")], body: "upstream busy"))
        defer { iam.stop() }
        let iamError = try await expectRetryLater {
            _ = try await GCPIAMCredentialsClient(transport: transport, baseURL: iam.baseURL)
                .generateAccessToken(serviceAccount: "app@p.iam.gserviceaccount.com", federatedToken: "ya29.not-a-real-token")
        }
        XCTAssertEqual(iam.requests.count, 1)
        XCTAssertTrue(iamError.description.contains("asked to retry after 2 s"), iamError.description)
        XCTAssertTrue(iamError.description.contains("(server: upstream busy)"), iamError.description)
        XCTAssertFalse(iamError.description.contains("ya29.not-a-real-token"))
    }

    func testOtherErrorsKeepTheirOwnMeaningAndAreAlsoSentOnce() async throws {
        let server = try CountingHTTPServer(answering: .init(status: 400, headers: [("Content-Type", "application/json")], body: #"""
            {"error":"invalid_request","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject.","error_codes":[700213]}
            """#))
        defer { server.stop() }
        let exchange = try await EntraTokenClient(transport: transport, authorityHost: server.baseURL + "/")
            .exchange(tenantID: "t", clientID: "c", assertion: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", scope: "https://vault.azure.net/.default")
        XCTAssertEqual(exchange.status, 400)
        guard case .failure(let error) = exchange.result else { return XCTFail("expected Entra's error") }
        XCTAssertEqual(error.code, "AADSTS700213")
        XCTAssertEqual(server.requests.count, 1)
    }

    /// Runs `body`, which must throw `CloudError.retryLater`.
    private func expectRetryLater(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async throws -> RetryLater {
        do {
            try await body()
        } catch let error as CloudError {
            if case .retryLater = error { return RetryLater(cloudError: error) }
            XCTFail("expected .retryLater, got \(error)", file: file, line: line)
            throw error
        }
        XCTFail("expected .retryLater, the call succeeded", file: file, line: line)
        throw CountingHTTPServer.ServerError(description: "no error")
    }

    struct RetryLater: CustomStringConvertible {
        var cloudError: CloudError
        var description: String { cloudError.description }
        var serverDetail: String {
            if case .retryLater(_, _, _, _, let detail) = cloudError { return detail ?? "" }
            return ""
        }
    }
}
