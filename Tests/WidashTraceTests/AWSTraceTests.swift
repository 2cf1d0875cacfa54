import Foundation
import XCTest
import WidashCore
import WidashHTTP
import WidashCloud
@testable import WidashTrace

final class AWSTraceTests: XCTestCase {
    let role = "arn:aws:iam::111122223333:role/irsa-bad-trust"
    let providerPath = "oidc.sandbox.test/cluster-1"

    func irsaPod(name: String) -> (Pod, ServiceAccount) {
        let env = [EnvVar(name: "AWS_REGION", value: "us-east-1"), EnvVar(name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional"),
                   EnvVar(name: "AWS_ROLE_ARN", value: role), EnvVar(name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")]
        let pod = Pod(metadata: ObjectMeta(name: "\(name)-1", namespace: "aws", uid: "u1"),
                      spec: PodSpec(serviceAccountName: name, containers: [Container(name: "app", env: env, volumeMounts: [
                                        VolumeMount(name: "aws-iam-token", mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount", readOnly: true)])],
                                    volumes: [Volume(name: "aws-iam-token", projected: ProjectedVolumeSource(sources: [
                                        VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "token"))]))]))
        return (pod, ServiceAccount(metadata: ObjectMeta(name: name, namespace: "aws", annotations: ["eks.amazonaws.com/role-arn": role])))
    }

    func transport(assume: HTTPResponse) -> FakeTransport {
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/\#(providerPath)"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"\#(providerPath):sub":"system:serviceaccount:aws:irsa-bad-trust-old","\#(providerPath):aud":"sts.amazonaws.com"}}}]}"#
        let path = providerPath
        return FakeTransport { r in
            if let d = issuerRoute(r) { return d }
            let body = String(decoding: r.body ?? Data(), as: UTF8.self)
            if r.url == "https://iam.amazonaws.com/" {
                if body.contains("Action=ListOpenIDConnectProviders") {
                    return HTTPResponse(status: 200, headers: [:], body: Data("<ListOpenIDConnectProvidersResponse><ListOpenIDConnectProvidersResult><OpenIDConnectProviderList><member><Arn>arn:aws:iam::111122223333:oidc-provider/\(path)</Arn></member></OpenIDConnectProviderList></ListOpenIDConnectProvidersResult></ListOpenIDConnectProvidersResponse>".utf8))
                }
                if body.contains("Action=GetOpenIDConnectProvider") {
                    return HTTPResponse(status: 200, headers: [:], body: Data("<GetOpenIDConnectProviderResponse><GetOpenIDConnectProviderResult><Url>\(path)</Url><ClientIDList><member>sts.amazonaws.com</member></ClientIDList></GetOpenIDConnectProviderResult></GetOpenIDConnectProviderResponse>".utf8))
                }
                if body.contains("Action=GetRole") {
                    return HTTPResponse(status: 200, headers: [:], body: Data("<GetRoleResponse><GetRoleResult><Role><Arn>arn:aws:iam::111122223333:role/irsa-bad-trust</Arn><RoleName>irsa-bad-trust</RoleName><AssumeRolePolicyDocument>\(FormEncoding.escape(policy))</AssumeRolePolicyDocument></Role></GetRoleResult></GetRoleResponse>".utf8))
                }
            }
            if r.url == "https://sts.us-east-1.amazonaws.com/" {
                if body.contains("Action=AssumeRoleWithWebIdentity") { return assume }
                if body.contains("Action=GetCallerIdentity") {
                    return HTTPResponse(status: 200, headers: [:], body: Data("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/irsa-ok/widash</Arn><UserId>AROA:widash</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>".utf8))
                }
            }
            return json(404, "{}")
        }
    }

    let operatorEnv = ["AWS_ACCESS_KEY_ID": "AKIAOPERATOR00001", "AWS_SECRET_ACCESS_KEY": "operator-secret"]

    func testBadTrustFailsAtStep3WithTheSubCondition() async throws {
        let denied = HTTPResponse(status: 403, headers: [:], body: Data("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>r-1</RequestId></ErrorResponse>".utf8))
        let t = transport(assume: denied)
        let (pod, sa) = irsaPod(name: "irsa-bad-trust")
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: t, environment: operatorEnv,
                                                                                 awsConfiguration: AWSConfiguration(environment: operatorEnv, homeDirectory: "/nonexistent")))
        let report = await engine.report(pod: pod, serviceAccount: sa, options: options())
        XCTAssertEqual(report.provider, .awsIRSA)
        XCTAssertEqual(report.steps.map(\.status), [.passed, .passed, .failed, .skipped, .skipped])
        let step3 = report.steps[2]
        XCTAssertEqual(step3.evidence["errorCode"], "AccessDenied")
        let diagnosis = try XCTUnwrap(step3.diagnosis)
        XCTAssertEqual(diagnosis.mismatches, [Mismatch(field: "trust policy StringEquals \(providerPath):sub",
                                                        expected: "system:serviceaccount:aws:irsa-bad-trust-old", actual: "system:serviceaccount:aws:irsa-bad-trust")])
        XCTAssertTrue(diagnosis.fix?.hasPrefix("aws iam update-assume-role-policy --role-name irsa-bad-trust --policy-document '") ?? false)
        XCTAssertTrue(diagnosis.fix?.contains("\"\(providerPath):sub\":\"system:serviceaccount:aws:irsa-bad-trust\"") ?? false, diagnosis.fix ?? "")
        // The web identity exchange is unsigned; IAM reads are signed with the operator's key.
        let assume = try XCTUnwrap(t.requests.first { String(decoding: $0.body ?? Data(), as: UTF8.self).contains("AssumeRoleWithWebIdentity") })
        XCTAssertFalse(assume.headers.contains { $0.name == "Authorization" })
        XCTAssertTrue(t.requests.filter { $0.url.hasPrefix("https://iam.") }.allSatisfy { r in r.headers.contains { $0.name == "Authorization" && $0.value.contains("AKIAOPERATOR00001") } })
    }

    /// STS refuses the issuer's certificate: the diagnosis sets the provider's thumbprints next to
    /// the issuer's served chain (read through the transport) and names the top one to trust.
    func testThumbprintMismatchComparesTheProviderWithTheServedChain() async throws {
        let leafPEM = "-----BEGIN CERTIFICATE-----\nbGVhZg==\n-----END CERTIFICATE-----\n"
        let caPEM = "-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n"
        let leaf = try XCTUnwrap(CertificateFingerprint.sha1(pem: leafPEM))
        let ca = try XCTUnwrap(CertificateFingerprint.sha1(pem: caPEM))
        let refused = HTTPResponse(status: 400, headers: [:], body: Data("<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint</Message></Error></ErrorResponse>".utf8))
        let base = transport(assume: refused)
        let path = providerPath
        let t = FakeTransport { r in
            if r.url == issuer + "/.well-known/openid-configuration", r.capturesCertificateChain {
                var response = try await base.send(r)
                response.certificateChain = [leafPEM, caPEM]
                return response
            }
            if String(decoding: r.body ?? Data(), as: UTF8.self).contains("Action=GetOpenIDConnectProvider") {
                return HTTPResponse(status: 200, headers: [:], body: Data("<GetOpenIDConnectProviderResponse><GetOpenIDConnectProviderResult><Url>\(path)</Url><ClientIDList><member>sts.amazonaws.com</member></ClientIDList><ThumbprintList><member>\(leaf)</member></ThumbprintList></GetOpenIDConnectProviderResult></GetOpenIDConnectProviderResponse>".utf8))
            }
            return try await base.send(r)
        }
        let (pod, sa) = irsaPod(name: "irsa-ok")
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: t, environment: operatorEnv,
                                                                                 awsConfiguration: AWSConfiguration(environment: operatorEnv, homeDirectory: "/nonexistent")))
        let report = await engine.report(pod: pod, serviceAccount: sa, options: options())
        XCTAssertEqual(report.steps[2].status, .failed)
        let diagnosis = try XCTUnwrap(report.steps[2].diagnosis)
        XCTAssertTrue(diagnosis.summary.contains("trusts thumbprint(s) \(leaf)"), diagnosis.summary)
        XCTAssertTrue(diagnosis.summary.contains("\(leaf) (leaf), \(ca) (top)"), diagnosis.summary)
        XCTAssertTrue(diagnosis.summary.contains("is a lower certificate of the chain"), diagnosis.summary)
        XCTAssertEqual(diagnosis.fix, "aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn arn:aws:iam::111122223333:oidc-provider/\(path) --thumbprint-list \(ca)")
        XCTAssertFalse(diagnosis.summary.contains("no OIDC provider"), "not the missing-provider diagnosis")
    }

    func testIRSAAllFivePass() async throws {
        let ok = HTTPResponse(status: 200, headers: [:], body: Data("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIATEMPORARY0001</AccessKeyId><SecretAccessKey>tempsecret</SecretAccessKey><SessionToken>tempsession</SessionToken><Expiration>2027-01-15T09:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/irsa-ok/widash</Arn><AssumedRoleId>AROA:widash</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>".utf8))
        let t = transport(assume: ok)
        let (pod, sa) = irsaPod(name: "irsa-ok")
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: t, environment: [:],
                                                                                 awsConfiguration: AWSConfiguration(environment: [:], homeDirectory: "/nonexistent")))
        let report = await engine.report(pod: pod, serviceAccount: sa, options: options())
        XCTAssertEqual(report.result, .passed, report.steps.map { "\($0.number) \($0.status) \($0.diagnosis?.summary ?? "")" }.joined(separator: "\n"))
        XCTAssertTrue(report.steps[2].evidence["trustPolicy"]?.hasPrefix("not checked") ?? false, "no operator credentials → not checked")
        XCTAssertEqual(report.steps[3].evidence["accessKeyId"], "ASIA…0001")
        XCTAssertEqual(report.steps[4].evidence["arn"], "arn:aws:sts::111122223333:assumed-role/irsa-ok/widash")
        let caller = try XCTUnwrap(t.requests.first { String(decoding: $0.body ?? Data(), as: UTF8.self).contains("GetCallerIdentity") })
        XCTAssertTrue(caller.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == "tempsession" })
        XCTAssertTrue(caller.headers.contains { $0.name == "Authorization" && $0.value.contains("Credential=ASIATEMPORARY0001/") })
    }

    func testPodIdentityWithoutClusterNameFailsAtStep2() async {
        let env = [EnvVar(name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: "http://169.254.170.23/v1/credentials"),
                   EnvVar(name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", value: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token")]
        let pod = Pod(metadata: ObjectMeta(name: "podid-1", namespace: "aws", uid: "u"), spec: PodSpec(
            serviceAccountName: "podid-ok",
            containers: [Container(name: "a", env: env, volumeMounts: [
                VolumeMount(name: "eks-pod-identity-token", mountPath: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount", readOnly: true)])],
            volumes: [Volume(name: "eks-pod-identity-token", projected: ProjectedVolumeSource(sources: [
                VolumeProjection(serviceAccountToken: ServiceAccountTokenProjection(audience: "pods.eks.amazonaws.com", expirationSeconds: 86400,
                                                                                     path: "eks-pod-identity-token"))]))]))
        let engine = TraceEngine(cluster: FakeCluster(), services: TraceServices(transport: FakeTransport { _ in json(500, "{}") }, environment: [:],
                                                                                 awsConfiguration: AWSConfiguration(environment: [:], homeDirectory: "/nonexistent")))
        let report = await engine.report(pod: pod, serviceAccount: ServiceAccount(metadata: ObjectMeta(name: "podid-ok", namespace: "aws")), options: options())
        XCTAssertEqual(report.provider, .awsPodIdentity)
        XCTAssertEqual(report.steps[0].evidence["audience"], "pods.eks.amazonaws.com")
        XCTAssertEqual(report.steps[1].status, .failed)
        XCTAssertTrue(report.steps[1].diagnosis?.fix?.contains("--eks-cluster") ?? false)
    }
}
