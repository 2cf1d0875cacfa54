import WidashTestPeers
import XCTest
import WidashSandboxKit
@testable import WidashSandboxAWS

/// SigV4 checked against the AWS SigV4 test suite (aws-c-auth's copy in ../shared/reference) and
/// against tampering.
final class SigV4Tests: XCTestCase {
    struct Vector {
        var name: String
        var method: String
        var path: String
        var rawQuery: String
        var headers: [(name: String, value: String)]
        var body: Data
        var normalize: Bool
        var secret: String
        var expectedCanonical: String
        var expectedSignature: String
    }

    func loadVectors() throws -> [Vector] {
        let dir = try Peers.reference("aws-sigv4/v4")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path), !names.isEmpty else {
            throw Peers.missing("the SigV4 test suite in \(dir.path)", fix: "restore shared/reference/aws-sigv4")
        }
        return try names.sorted().map { name in
            let caseDir = dir.appendingPathComponent(name)
            func read(_ file: String) throws -> String { try String(contentsOf: caseDir.appendingPathComponent(file), encoding: .utf8) }
            let context = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(read("context.json").utf8)) as? [String: Any])
            let credentials = try XCTUnwrap(context["credentials"] as? [String: Any])
            let raw = try read("header-signed-request.txt")
            let (head, body) = raw.range(of: "\n\n").map { (String(raw[..<$0.lowerBound]), String(raw[$0.upperBound...])) } ?? (raw, "")
            var lines = head.components(separatedBy: "\n")
            let requestLine = lines.removeFirst()
            let method = String(requestLine.prefix { $0 != " " })
            let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
            let (path, query) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
            var headers: [(name: String, value: String)] = []
            for line in lines where !line.isEmpty {
                if line.first == " " || line.first == "\t", let last = headers.popLast() {
                    headers.append((last.name, last.value + "\n" + line))   // folded continuation line
                } else if let colon = line.firstIndex(of: ":") {
                    headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
                }
            }
            return Vector(name: name, method: method, path: path, rawQuery: query, headers: headers,
                          body: Data(body.trimmingCharacters(in: .newlines).utf8),
                          normalize: context["normalize"] as? Bool ?? true,
                          secret: try XCTUnwrap(credentials["secret_access_key"] as? String),
                          expectedCanonical: try read("header-canonical-request.txt"),
                          expectedSignature: try read("header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    func testCanonicalRequestsAndSignaturesMatchTheAWSSuite() throws {
        let vectors = try loadVectors()
        XCTAssertGreaterThan(vectors.count, 30)
        for v in vectors {
            let authHeader = try XCTUnwrap(v.headers.first { $0.name.lowercased() == "authorization" }?.value, v.name)
            guard case .success(let auth) = SigV4.Authorization.parse(authHeader) else { return XCTFail("\(v.name): unparsable Authorization") }
            let amzDate = try XCTUnwrap(v.headers.first { $0.name.lowercased() == "x-amz-date" }?.value, v.name)
            let canonical = SigV4.canonicalRequest(method: v.method, path: v.path, rawQuery: v.rawQuery, headers: v.headers,
                                                   signedHeaders: auth.signedHeaders, payloadHash: AWSWire.sha256Hex(v.body),
                                                   normalizePath: v.normalize)
            XCTAssertEqual(canonical, v.expectedCanonical, v.name)
            let toSign = SigV4.stringToSign(amzDate: amzDate, scope: auth.scope, canonicalRequest: canonical)
            XCTAssertEqual(SigV4.signature(secret: v.secret, scope: auth, stringToSign: toSign), v.expectedSignature, v.name)
            XCTAssertEqual(auth.signature, v.expectedSignature, v.name)
        }
    }

    /// The verifier accepts the suite's signed requests (single-valued headers, normalised paths)
    /// when the clock is the suite's, and rejects each with one signature character changed.
    func testVerifierAcceptsSuiteRequestsAndRejectsTamperedOnes() async throws {
        let vectors = try loadVectors().filter { v in
            v.normalize && Set(v.headers.map { $0.name.lowercased() }).count == v.headers.count && !v.headers.contains { $0.value.contains("\n") }
        }
        XCTAssertGreaterThan(vectors.count, 15)
        let store = AWSCredentialStore(account: "111122223333")
        let clock = try XCTUnwrap(SigV4Verifier.parseAmzDate("20150830T123600Z"))
        for v in vectors {
            let token = v.headers.first { $0.name.lowercased() == "x-amz-security-token" }?.value
            await store.register(AWSCredential(accessKeyID: "AKIDEXAMPLE", secretAccessKey: v.secret, sessionToken: token, expiration: nil,
                                               principal: AWSPrincipal(arn: "arn:aws:iam::111122223333:user/example", userID: "AIDAEXAMPLE", account: "111122223333")))
            let verifier = SigV4Verifier(store: store, service: "service", flavor: .query, now: { clock })
            var headers: [String: String] = [:]
            for h in v.headers { headers[h.name.lowercased()] = h.value }
            let request = SandboxRequest(method: v.method, host: "example.amazonaws.com", path: v.path, rawQuery: v.rawQuery,
                                         headers: headers, body: v.body)
            if case .failure(let error) = await verifier.authenticate(request) { XCTFail("\(v.name): \(error.message)") }

            var tampered = request
            let auth = headers["authorization"] ?? ""
            tampered.headers["authorization"] = String(auth.dropLast()) + (auth.last == "0" ? "1" : "0")
            guard case .failure(let error) = await verifier.authenticate(tampered) else { return XCTFail("\(v.name): tampered accepted") }
            XCTAssertEqual(error.code, "SignatureDoesNotMatch", v.name)
            XCTAssertEqual(error.status, 403)
        }
    }

    func testTamperedBodyUnknownKeyWrongServiceAndStaleDateAreRejected() async throws {
        let store = AWSCredentialStore(account: "111122223333")
        let now = Date()
        let verifier = SigV4Verifier(store: store, service: "sts", flavor: .query, now: { now })
        let base = Requests.query(host: "sts.amazonaws.com", [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")])
        let good = Requests.signed(base, accessKeyID: AWSCredentialStore.operatorAccessKeyID,
                                   secret: AWSCredentialStore.operatorSecretAccessKey, service: "sts", at: now)
        if case .failure(let e) = await verifier.authenticate(good) { XCTFail(e.message) }

        var body = good
        body.body = Data("Action=GetCallerIdentity&Version=2011-06-16".utf8)
        let result1 = try await fail(verifier, body)
        XCTAssertEqual(result1.message, AWSError.signatureMismatchMessage)

        let wrongSecret = Requests.signed(base, accessKeyID: AWSCredentialStore.operatorAccessKeyID, secret: "nope", service: "sts", at: now)
        let result2 = try await fail(verifier, wrongSecret)
        XCTAssertEqual(result2.code, "SignatureDoesNotMatch")

        let unknown = Requests.signed(base, accessKeyID: "AKIAUNKNOWN000000000", secret: "x", service: "sts", at: now)
        let result3 = try await fail(verifier, unknown)
        XCTAssertEqual(result3.code, "InvalidClientTokenId")

        let wrongService = Requests.operatorSigned(base, service: "iam")
        let result4 = try await fail(verifier, wrongService)
        XCTAssertEqual(result4.message, "Credential should be scoped to correct service: 'sts'. ")

        let stale = Requests.signed(base, accessKeyID: AWSCredentialStore.operatorAccessKeyID,
                                    secret: AWSCredentialStore.operatorSecretAccessKey, service: "sts", at: now.addingTimeInterval(-3600))
        let result5 = try await fail(verifier, stale)
        XCTAssertTrue(result5.message.hasPrefix("Signature expired:"))

        let result6 = try await fail(verifier, base)
        XCTAssertEqual(result6.code, "MissingAuthenticationToken")
    }

    func testTemporaryCredentialsNeedTheirSessionTokenAndExpire() async throws {
        let store = AWSCredentialStore(account: "111122223333")
        let now = Date()
        let principal = AWSPrincipal(arn: "arn:aws:sts::111122223333:assumed-role/r/s", userID: "AROAX:s", account: "111122223333")
        let credential = await store.issue(for: principal, expiration: now.addingTimeInterval(900))
        XCTAssertTrue(credential.accessKeyID.hasPrefix("ASIA"))
        XCTAssertEqual(credential.accessKeyID.count, 20)
        let base = Requests.query(host: "sts.amazonaws.com", [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")])
        let ok = Requests.signed(base, accessKeyID: credential.accessKeyID, secret: credential.secretAccessKey,
                                 sessionToken: credential.sessionToken, service: "sts", at: now)
        let verifier = SigV4Verifier(store: store, service: "sts", flavor: .query, now: { now })
        let result7 = try await succeed(verifier, ok)
        XCTAssertEqual(result7.principal, principal)

        let noToken = Requests.signed(base, accessKeyID: credential.accessKeyID, secret: credential.secretAccessKey, service: "sts", at: now)
        let result8 = try await fail(verifier, noToken)
        XCTAssertEqual(result8.code, "InvalidClientTokenId")

        let later = SigV4Verifier(store: store, service: "sts", flavor: .json, now: { now.addingTimeInterval(1000) })
        let signedLater = Requests.signed(base, accessKeyID: credential.accessKeyID, secret: credential.secretAccessKey,
                                          sessionToken: credential.sessionToken, service: "sts", at: now.addingTimeInterval(1000))
        let result9 = try await fail(later, signedLater)
        XCTAssertEqual(result9.code, "ExpiredTokenException")
    }

    func testAuthorizationHeaderParsing() {
        guard case .success(let auth) = SigV4.Authorization.parse(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=ABC") else {
            return XCTFail("should parse")
        }
        XCTAssertEqual(auth.scope, "20150830/us-east-1/iam/aws4_request")
        XCTAssertEqual(auth.signedHeaders, ["host", "x-amz-date"])
        XCTAssertEqual(SigV4.Authorization.parse("AWS4-HMAC-SHA256 Credential=a/b/c/d/e"), .failure(.missing(["Signature", "SignedHeaders"])))
        XCTAssertEqual(SigV4.Authorization.parse("Bearer x"), .failure(.unsupportedAlgorithm))
    }

    private func fail(_ v: SigV4Verifier, _ request: SandboxRequest, file: StaticString = #filePath, line: UInt = #line) async throws -> AWSError {
        guard case .failure(let e) = await v.authenticate(request) else { XCTFail("expected a failure", file: file, line: line); throw UnexpectedSuccess() }
        return e
    }

    private func succeed(_ v: SigV4Verifier, _ request: SandboxRequest, file: StaticString = #filePath, line: UInt = #line) async throws -> AWSCredential {
        switch await v.authenticate(request) {
        case .success(let v): return v
        case .failure(let e): XCTFail("\(e.code): \(e.message)", file: file, line: line); throw e
        }
    }
}

struct UnexpectedSuccess: Error {}
