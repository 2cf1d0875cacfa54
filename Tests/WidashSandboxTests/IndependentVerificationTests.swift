import Foundation
import WidashSandbox
import WidashTestPeers
import XCTest

/// Independent judges: PyJWT verifies the sandbox's tokens against its published JWKS, and the
/// Kubernetes OpenAPI v3 schemas validate the objects it serves.
final class IndependentVerificationTests: XCTestCase {
    var fixture: SandboxFixture?

    override func setUp() async throws {
        fixture = try await SandboxFixture.start()
    }

    override func tearDown() async throws {
        await fixture?.stop()
    }

    private func get(_ path: String, method: String = "GET", body: String? = nil) throws -> String {
        let sandbox = try XCTUnwrap(fixture)
        var arguments = ["-H", "Authorization: Bearer \(sandbox.adminToken)", "-X", method]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try sandbox.curl(arguments + [sandbox.server.info.apiServer + path])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout
    }

    private func tokenRequest(bound: Bool) throws -> String {
        var spec = "\"audiences\":[\"api://AzureADTokenExchange\"],\"expirationSeconds\":3600"
        if bound {
            let pod = try XCTUnwrap(jsonObject(try get("/api/v1/namespaces/shop/pods/frontend")))
            let uid = try XCTUnwrap((pod["metadata"] as? [String: Any])?["uid"] as? String)
            spec += ",\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"frontend\",\"uid\":\"\(uid)\"}"
        }
        return try get("/api/v1/namespaces/shop/serviceaccounts/frontend/token", method: "POST",
                       body: "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\(spec)}}")
    }

    func testTokenVerifiesWithPyJWTAgainstThePublishedJWKS() throws {
        let python = try TestPython.require(module: "jwt")
        let sandbox = try XCTUnwrap(fixture)
        let response = try XCTUnwrap(jsonObject(try tokenRequest(bound: true)))
        let token = try XCTUnwrap((response["status"] as? [String: Any])?["token"] as? String)
        let jwks = try get("/openid/v1/jwks")
        let script = """
        import json, sys, jwt
        jwks = jwt.PyJWKSet.from_json(sys.argv[1])
        token = sys.argv[2]
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in jwks.keys if k.key_id == kid)
        claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="api://AzureADTokenExchange", issuer=sys.argv[3])
        print(json.dumps(claims))
        """
        let result = try TestPython.run(python, script: script, arguments: [jwks, token, sandbox.server.info.issuer])
        XCTAssertEqual(result.status, 0, result.stderr)
        let claims = try XCTUnwrap(jsonObject(result.stdout))
        XCTAssertEqual(claims["sub"] as? String, "system:serviceaccount:shop:frontend")
        let kubernetes = claims["kubernetes.io"] as? [String: Any]
        XCTAssertEqual((kubernetes?["pod"] as? [String: Any])?["name"] as? String, "frontend")

        // A tampered token must not verify (the check can fail).
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = parts[1].replacingOccurrences(of: "A", with: "B")
        let tampered = try TestPython.run(python, script: script, arguments: [jwks, parts.joined(separator: "."), sandbox.server.info.issuer])
        XCTAssertNotEqual(tampered.status, 0)
    }

    /// A TokenRequest always mints a fresh token, for broken/stale-token too: its stale token is the
    /// file its kubelet stopped refreshing (KubectlExecTests), not anything the API server returns.
    func testTokenRequestBoundToTheStaleTokenPodIsFresh() throws {
        let pod = try XCTUnwrap(jsonObject(try get("/api/v1/namespaces/broken/pods/stale-token")))
        let uid = try XCTUnwrap((pod["metadata"] as? [String: Any])?["uid"] as? String)
        let body = "{\"spec\":{\"audiences\":[\"api://AzureADTokenExchange\"],\"expirationSeconds\":3600,\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"stale-token\",\"uid\":\"\(uid)\"}}}"
        let response = try XCTUnwrap(jsonObject(try get("/api/v1/namespaces/broken/serviceaccounts/stale-token/token", method: "POST", body: body)))
        let token = try XCTUnwrap((response["status"] as? [String: Any])?["token"] as? String)
        let claims = try XCTUnwrap(jwtClaims(token))
        let exp = try XCTUnwrap(claims["exp"] as? Int), iat = try XCTUnwrap(claims["iat"] as? Int)
        let now = Int(Date().timeIntervalSince1970)
        XCTAssertGreaterThan(exp, now)
        XCTAssertLessThanOrEqual(abs(iat - now), 60, "issued now")
        XCTAssertEqual(exp - iat, 3600)
    }

    func testObjectsValidateAgainstTheKubernetesOpenAPISchemas() throws {
        let reference = try Peers.reference("k8s-examples/openapi-v3").path
        let core = reference + "/api__v1_openapi.json"
        let python = try TestPython.require(module: "openapi_schema_validator")
        let directory = try XCTUnwrap(fixture).directory
        let samples: [(String, String, String)] = [
            (core, "io.k8s.api.core.v1.ServiceAccount", try get("/api/v1/namespaces/shop/serviceaccounts/frontend")),
            (core, "io.k8s.api.core.v1.Pod", try get("/api/v1/namespaces/shop/pods/frontend")),
            (core, "io.k8s.api.core.v1.Pod", try get("/api/v1/namespaces/aws/pods/irsa-ok")),
            (core, "io.k8s.api.core.v1.PodList", try get("/api/v1/pods?limit=5")),
            (core, "io.k8s.api.core.v1.Namespace", try get("/api/v1/namespaces/shop")),
            (core, "io.k8s.api.core.v1.Node", try get("/api/v1/nodes/aks-nodepool1-31718369-vmss000000")),
            // TokenRequest is a core/v1 subresource: its schema is in the core document.
            (core, "io.k8s.api.authentication.v1.TokenRequest", try tokenRequest(bound: true)),
        ]
        let script = """
        import json, sys
        from openapi_schema_validator import OAS30Validator
        document = json.load(open(sys.argv[1]))
        name = sys.argv[2]
        instance = json.load(open(sys.argv[3]))
        assert name in document["components"]["schemas"], "schema %s missing" % name
        schema = {"$ref": "#/components/schemas/" + name, "components": document["components"]}
        OAS30Validator(schema).validate(instance)
        print("valid", name)
        """
        for (index, sample) in samples.enumerated() {
            let path = (directory as NSString).appendingPathComponent("sample-\(index).json")
            try Data(sample.2.utf8).write(to: URL(fileURLWithPath: path))
            let result = try TestPython.run(python, script: script, arguments: [sample.0, sample.1, path])
            XCTAssertEqual(result.status, 0, "\(sample.1) does not validate: \(result.stderr)\n\(sample.2.prefix(400))")
        }
        // The validator can fail: a Pod whose containers is a string must be rejected.
        let broken = (directory as NSString).appendingPathComponent("broken.json")
        try Data("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"containers\":\"nope\"}}".utf8).write(to: URL(fileURLWithPath: broken))
        let rejected = try TestPython.run(python, script: script, arguments: [core, "io.k8s.api.core.v1.Pod", broken])
        XCTAssertNotEqual(rejected.status, 0)
    }
}
