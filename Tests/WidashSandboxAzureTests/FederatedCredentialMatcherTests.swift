import XCTest
@testable import WidashSandboxAzure

final class FederatedCredentialMatcherTests: XCTestCase {
    let issuer = "https://issuer.test/cluster"
    let subject = "system:serviceaccount:shop:frontend"
    let audience = "api://AzureADTokenExchange"

    var assertion: PresentedAssertion { PresentedAssertion(issuer: issuer, subject: subject, audiences: [audience]) }

    func record(issuer: String? = nil, subject: String? = nil, audience: String? = nil, name: String = "fic") -> FederatedCredentialRecord {
        FederatedCredentialRecord(name: name, issuer: issuer ?? self.issuer, subject: subject ?? self.subject,
                                  audiences: [audience ?? self.audience])
    }

    func testExactMatchNamesTheCredential() {
        let result = FederatedCredentialMatcher.match(assertion, against: [record(subject: "other", name: "a"), record(name: "b")])
        XCTAssertEqual(result, .matched(credentialName: "b"))
    }

    func testTrailingSlashOnIssuerIsAnotherIssuer() {
        XCTAssertEqual(FederatedCredentialMatcher.match(assertion, against: [record(issuer: issuer + "/")]), .issuerMismatch)
    }

    func testSubjectComparisonIsCaseSensitive() {
        XCTAssertEqual(FederatedCredentialMatcher.match(assertion, against: [record(subject: "system:serviceaccount:shop:Frontend")]),
                       .subjectMismatch)
    }

    func testAudienceMismatchWhenIssuerAndSubjectMatch() {
        XCTAssertEqual(FederatedCredentialMatcher.match(assertion, against: [record(audience: "api://AzureADTokenExchangeChina")]),
                       .audienceMismatch)
    }

    func testNoCredentialsOrSeveralDifferencesIsTheGenericNoMatch() {
        XCTAssertEqual(FederatedCredentialMatcher.match(assertion, against: []), .noMatch)
        XCTAssertEqual(FederatedCredentialMatcher.match(assertion, against: [record(issuer: "https://elsewhere", subject: "x")]), .noMatch)
    }

    func testErrorsQuoteThePresentedValues() throws {
        let issuerError = try XCTUnwrap(FederatedCredentialMatcher.error(for: .issuerMismatch, assertion: assertion))
        XCTAssertEqual(issuerError.code, 700211)
        XCTAssertTrue(issuerError.message.contains("presented assertion issuer '\(issuer)'"))
        let generic = try XCTUnwrap(FederatedCredentialMatcher.error(for: .noMatch, assertion: assertion))
        XCTAssertEqual(generic.code, 70021)
        XCTAssertTrue(generic.message.contains("Assertion Subject: '\(subject)'. Assertion Audience: '\(audience)'"))
        XCTAssertNil(FederatedCredentialMatcher.error(for: .matched(credentialName: "x"), assertion: assertion))
    }
}
