import Foundation
import WidashSandboxKit
import XCTest
@testable import WidashSandboxAWS

/// DescribePodIdentityAssociation's current members, and the scale scenario's IAM roles.
final class PodIdentityAndScaleCatalogTests: XCTestCase {
    func eks(_ path: String, query: String = "") -> SandboxRequest {
        Requests.operatorSigned(SandboxRequest(method: "GET", host: "eks.us-east-1.amazonaws.com", path: path, rawQuery: query,
                                               headers: ["host": "eks.us-east-1.amazonaws.com"]), service: "eks")
    }

    func testDescribeCarriesTheCurrentMembers() async throws {
        let issuer = try await TestIssuer()
        let context = issuer.context()
        var catalog = AWSCatalog.demo(context: context)
        catalog.associations[1].targetRoleArn = "arn:aws:iam::444455556666:role/cross-account-reader"
        catalog.associations[1].externalId = "3f1c2a9e-widash-demo"
        catalog.associations[1].ownerArn = "arn:aws:eks:us-east-1:111122223333:addon/widash-demo/aws-ebs-csi-driver/abc"
        catalog.associations[1].disableSessionTags = true
        let aws = AWSServices(services: AWSSandbox.services(context: context, catalog: catalog))

        let plain = catalog.associations[0]
        let described = try await aws.handle(eks("/clusters/widash-demo/pod-identity-associations/\(plain.associationID)"))
        XCTAssertEqual(described.status, 200, described.text)
        let association = try XCTUnwrap(try described.jsonObject()["association"] as? [String: Any])
        XCTAssertEqual(association["disableSessionTags"] as? Bool, false)
        XCTAssertEqual(association["roleArn"] as? String, plain.roleArn)
        XCTAssertEqual(association["associationArn"] as? String, plain.associationArn)
        XCTAssertNotNil(association["createdAt"] as? Double)
        XCTAssertNotNil(association["modifiedAt"] as? Double)
        for absent in ["targetRoleArn", "externalId", "ownerArn"] { XCTAssertNil(association[absent], "\(absent) only when set") }

        let crossAccount = catalog.associations[1]
        let fullResponse = try await aws.handle(eks("/clusters/widash-demo/pod-identity-associations/\(crossAccount.associationID)"))
        let full = try XCTUnwrap(try fullResponse.jsonObject()["association"] as? [String: Any])
        XCTAssertEqual(full["targetRoleArn"] as? String, "arn:aws:iam::444455556666:role/cross-account-reader")
        XCTAssertEqual(full["externalId"] as? String, "3f1c2a9e-widash-demo")
        XCTAssertEqual(full["ownerArn"] as? String, crossAccount.ownerArn)
        XCTAssertEqual(full["disableSessionTags"] as? Bool, true)

        let list = try await aws.handle(eks("/clusters/widash-demo/pod-identity-associations"))
        let summaries = try XCTUnwrap(try list.jsonObject()["associations"] as? [[String: Any]])
        XCTAssertEqual(summaries.first { $0["associationId"] as? String == crossAccount.associationID }?["ownerArn"] as? String, crossAccount.ownerArn)
        XCTAssertNil(summaries.first { $0["associationId"] as? String == plain.associationID }?["roleArn"], "summaries carry no role")
    }

    func testScaleCatalogHasOneRolePerIRSAAccount() async throws {
        let issuer = try await TestIssuer()
        let scale = ScaleIdentities(namespaces: 5, serviceAccounts: 10_000)
        let context = SandboxContext(clusterIssuer: TestIssuer.issuer, caPEM: Data(), transport: issuer.transport(),
                                     baseURL: "https://127.0.0.1:1", scale: scale)
        let catalog = AWSCatalog.current(context: context)
        // 3 333 IRSA roles (indices 1, 4, …) and the two shared Pod Identity roles.
        XCTAssertEqual(catalog.roles.count, 3333 + 2)
        XCTAssertEqual(catalog.associations.count, 3333)
        let aws = AWSServices(context: context)
        let providerURL = AWSCatalog.providerURL(issuer: TestIssuer.issuer)
        // IRSA ordinals 0 (trusted) and 9 (the trust policy names another account).
        for index in [1, 28] {
            let identity = scale.identity(index)
            let name = String(try XCTUnwrap(identity.roleARN).split(separator: "/").last ?? "")
            let role = try await aws.handle(Requests.operatorSigned(
                Requests.query(host: "iam.amazonaws.com", [("Version", "2010-05-08"), ("Action", "GetRole"), ("RoleName", name)]), service: "iam"))
            XCTAssertEqual(role.status, 200, role.text)
            XCTAssertEqual(role.xml("Arn"), identity.roleARN)
            let policy = try XCTUnwrap(role.xml("AssumeRolePolicyDocument")?.removingPercentEncoding)
            let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(policy.utf8)) as? [String: Any])
            let statement = try XCTUnwrap((document["Statement"] as? [[String: Any]])?.first)
            XCTAssertEqual((statement["Principal"] as? [String: String])?["Federated"], "arn:aws:iam::111122223333:oidc-provider/\(providerURL)")
            let sub = ((statement["Condition"] as? [String: Any])?["StringEquals"] as? [String: String])?["\(providerURL):sub"]
            XCTAssertEqual(sub == identity.subject, ScaleIdentities.expectedVerdict(index) == .trusted, "\(index): \(sub ?? "-")")

            // STS agrees with the policy the audit reads.
            let token = try await issuer.token(namespace: identity.namespace, serviceAccount: identity.serviceAccount, audience: "sts.amazonaws.com")
            let assumed = try await aws.handle(Requests.query(host: "sts.amazonaws.com", [
                ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", try XCTUnwrap(identity.roleARN)),
                ("RoleSessionName", "scale"), ("WebIdentityToken", token)]))
            XCTAssertEqual(assumed.status, identity.verdict == .trusted ? 200 : 403, assumed.text)
        }
    }

    /// The third of the scale scenario's accounts: one Pod Identity association each (EKS lists and
    /// describes them), on a role that trusts pods.eks.amazonaws.com, or (every tenth) one lacking
    /// sts:TagSession; eks-auth agrees with what the audit reads.
    func testScaleCatalogHasOnePodIdentityAssociationPerPodIdentityAccount() async throws {
        let issuer = try await TestIssuer()
        let scale = ScaleIdentities(namespaces: 5, serviceAccounts: 10_000)
        let context = SandboxContext(clusterIssuer: TestIssuer.issuer, caPEM: Data(), transport: issuer.transport(),
                                     baseURL: "https://127.0.0.1:1", scale: scale)
        let aws = AWSServices(context: context)
        let podIdentity = scale.identities(.podIdentity)
        XCTAssertEqual(podIdentity.count, 3333)
        XCTAssertEqual(podIdentity.filter { $0.verdict == .trustPolicyMismatch }.count, 333)
        XCTAssertTrue(podIdentity.allSatisfy { $0.verdict == .trusted || $0.verdict == .trustPolicyMismatch })

        // Listed by namespace and service account, as the audit does (one page of 100 at most).
        let first = try XCTUnwrap(podIdentity.first)
        XCTAssertEqual(first.index, 2)
        let listed = try await aws.handle(eks("/clusters/widash-demo/pod-identity-associations",
                                              query: "namespace=\(first.namespace)&maxResults=100"))
        XCTAssertEqual(listed.status, 200, listed.text)
        let summaries = try XCTUnwrap(try listed.jsonObject()["associations"] as? [[String: Any]])
        XCTAssertEqual(summaries.first { $0["serviceAccount"] as? String == first.serviceAccount }?["associationId"] as? String, first.associationID)

        for ordinal in [0, 9] {
            let identity = podIdentity[ordinal]
            let id = try XCTUnwrap(identity.associationID)
            let described = try await aws.handle(eks("/clusters/widash-demo/pod-identity-associations/\(id)"))
            XCTAssertEqual(described.status, 200, described.text)
            let association = try XCTUnwrap(try described.jsonObject()["association"] as? [String: Any])
            XCTAssertEqual(association["roleArn"] as? String, identity.roleARN)
            XCTAssertEqual(association["namespace"] as? String, identity.namespace)
            XCTAssertEqual(association["serviceAccount"] as? String, identity.serviceAccount)
            XCTAssertEqual(identity.roleARN, ordinal == 9 ? ScaleIdentities.podIdentityUntaggedRoleARN : ScaleIdentities.podIdentityRoleARN)

            let token = try await issuer.token(namespace: identity.namespace, serviceAccount: identity.serviceAccount,
                                               audience: "pods.eks.amazonaws.com")
            let body = Data(#"{"token":"\#(token)"}"#.utf8)
            let exchanged = try await aws.handle(Requests.operatorSigned(SandboxRequest(
                method: "POST", host: "eks-auth.us-east-1.api.aws", path: "/clusters/widash-demo/assume-role-for-pod-identity",
                headers: ["host": "eks-auth.us-east-1.api.aws", "content-type": "application/json"], body: body), service: "eks-auth"))
            XCTAssertEqual(exchanged.status, identity.verdict == .trusted ? 200 : 400, exchanged.text)
        }
    }
}
