import XCTest
@testable import WidashSandboxAWS

final class TrustPolicyTests: XCTestCase {
    let provider = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/ABC"
    let url = "oidc.example.com/id/ABC"

    func policy(_ op: String, sub: String, aud: String = "sts.amazonaws.com") throws -> TrustPolicy {
        try TrustPolicy(json: """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"\(provider)"},
        "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"\(op)":{"\(url):sub":"\(sub)","\(url):aud":"\(aud)"}}}]}
        """)
    }

    func request(sub: String, aud: String = "sts.amazonaws.com", action: String = "sts:AssumeRoleWithWebIdentity",
                 principal: String? = nil) -> TrustRequest {
        TrustRequest(principal: .federated(principal ?? provider), action: action,
                     conditionKeys: ["\(url):sub": [sub], "\(url):aud": [aud]])
    }

    func testStringEqualsAllowsExactSubjectAndAudience() throws {
        let p = try policy("StringEquals", sub: "system:serviceaccount:aws:irsa-ok")
        XCTAssertEqual(p.evaluate(request(sub: "system:serviceaccount:aws:irsa-ok")), .allowed)
    }

    func testStringEqualsDeniesOtherSubjectAndSaysWhy() throws {
        let p = try policy("StringEquals", sub: "system:serviceaccount:aws:irsa-bad-trust-old")
        guard case .denied(let reason) = p.evaluate(request(sub: "system:serviceaccount:aws:irsa-bad-trust")) else {
            return XCTFail("expected a denial")
        }
        XCTAssertTrue(reason.contains("system:serviceaccount:aws:irsa-bad-trust-old"), reason)
        XCTAssertTrue(reason.contains("the request has system:serviceaccount:aws:irsa-bad-trust"), reason)
    }

    func testStringEqualsDeniesWrongAudience() throws {
        let p = try policy("StringEquals", sub: "system:serviceaccount:aws:irsa-ok")
        XCTAssertFalse(p.evaluate(request(sub: "system:serviceaccount:aws:irsa-ok", aud: "other")).isAllowed)
    }

    func testStringLikeWildcards() throws {
        let star = try policy("StringLike", sub: "system:serviceaccount:aws:*")
        XCTAssertTrue(star.evaluate(request(sub: "system:serviceaccount:aws:anything")).isAllowed)
        XCTAssertFalse(star.evaluate(request(sub: "system:serviceaccount:gcp:anything")).isAllowed)
        let question = try policy("StringLike", sub: "system:serviceaccount:aws:irsa-o?")
        XCTAssertTrue(question.evaluate(request(sub: "system:serviceaccount:aws:irsa-ok")).isAllowed)
        XCTAssertFalse(question.evaluate(request(sub: "system:serviceaccount:aws:irsa-okk")).isAllowed)
        // StringEquals does not treat * as a wildcard.
        let literal = try policy("StringEquals", sub: "system:serviceaccount:aws:*")
        XCTAssertFalse(literal.evaluate(request(sub: "system:serviceaccount:aws:anything")).isAllowed)
    }

    func testConditionKeysAreCaseInsensitive() throws {
        let p = try TrustPolicy(json: """
        {"Statement":{"Effect":"Allow","Principal":{"Federated":"\(provider)"},"Action":"sts:AssumeRoleWithWebIdentity",
        "Condition":{"StringEquals":{"\(url.uppercased()):SUB":["x","system:serviceaccount:a:b"]}}}}
        """)
        XCTAssertTrue(p.evaluate(request(sub: "system:serviceaccount:a:b")).isAllowed)
    }

    func testWrongPrincipalOrActionIsDenied() throws {
        let p = try policy("StringEquals", sub: "system:serviceaccount:aws:irsa-ok")
        XCTAssertFalse(p.evaluate(request(sub: "system:serviceaccount:aws:irsa-ok", principal: provider + "X")).isAllowed)
        XCTAssertFalse(p.evaluate(request(sub: "system:serviceaccount:aws:irsa-ok", action: "sts:AssumeRole")).isAllowed)
    }

    func testExplicitDenyWins() throws {
        let p = try TrustPolicy(json: """
        {"Statement":[{"Effect":"Allow","Principal":{"Federated":"\(provider)"},"Action":"sts:*"},
        {"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity",
         "Condition":{"StringNotLike":{"\(url):sub":"system:serviceaccount:prod:*"}}}]}
        """)
        XCTAssertTrue(p.evaluate(request(sub: "system:serviceaccount:prod:api")).isAllowed)
        XCTAssertFalse(p.evaluate(request(sub: "system:serviceaccount:dev:api")).isAllowed)
    }

    func testServicePrincipalForPodIdentity() throws {
        let p = try TrustPolicy(json: """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},
        "Action":["sts:AssumeRole","sts:TagSession"]}]}
        """)
        XCTAssertTrue(p.evaluate(TrustRequest(principal: .service("pods.eks.amazonaws.com"), action: "sts:TagSession")).isAllowed)
        XCTAssertFalse(p.evaluate(TrustRequest(principal: .service("ec2.amazonaws.com"), action: "sts:AssumeRole")).isAllowed)
    }

    func testMalformedPolicyIsRejected() {
        XCTAssertThrowsError(try TrustPolicy(json: "not json"))
        XCTAssertThrowsError(try TrustPolicy(json: #"{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"x"}]}"#))
    }

    func testGlob() {
        XCTAssertTrue(Glob.matches(pattern: "a*b?c", "axxxbyc"))
        XCTAssertTrue(Glob.matches(pattern: "*", ""))
        XCTAssertFalse(Glob.matches(pattern: "a*b", "acbx"))
        XCTAssertTrue(Glob.matches(pattern: "**a", "bba"))
    }
}
