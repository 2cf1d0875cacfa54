import Foundation
import WidashCore
import XCTest
import WidashHTTP
@testable import WidashCloud

/// botocore signs the same requests; its Authorization header must equal widash's.
final class SigV4BotocoreCrossCheckTests: XCTestCase {
    static let script = """
import sys, json, datetime
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
cases = json.load(sys.stdin)
out = []
for c in cases:
    fixed = datetime.datetime(2024, 5, 17, 9, 30, 15)
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: fixed
    req = AWSRequest(method=c["method"], url=c["url"], data=c["body"].encode(), headers=c["headers"])
    auth = botocore.auth.S3SigV4Auth if c["service"] == "s3" else SigV4Auth
    auth(Credentials(c["key"], c["secret"], c.get("token")), c["service"], c["region"]).add_auth(req)
    out.append(req.headers["Authorization"])
print(json.dumps(out))
"""

    func testBotocoreComputesTheSameSignature() throws {
        let date = try XCTUnwrap(TokenClock.parseTimestamp("2024-05-17T09:30:15Z"))
        struct Case: Encodable {
            var method: String; var url: String; var body: String; var headers: [String: String]
            var key: String; var secret: String; var token: String?; var service: String; var region: String
        }
        let cases = [
            Case(method: "POST", url: "https://sts.us-east-1.amazonaws.com/", body: "Action=GetCallerIdentity&Version=2011-06-15",
                 headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                 key: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token: nil, service: "sts", region: "us-east-1"),
            Case(method: "GET", url: "https://eks.eu-west-1.amazonaws.com/clusters/demo/pod-identity-associations?namespace=shop&serviceAccount=front%20end",
                 body: "", headers: ["Accept": "application/json"],
                 key: "ASIAXAMPLEKEY0000001", secret: "secret/with+chars", token: "FwoGZXIvYXdzEXAMPLE//token==", service: "eks", region: "eu-west-1"),
            Case(method: "POST", url: "https://eks-auth.us-west-2.api.aws/clusters/widash-demo/assume-role-for-pod-identity",
                 body: "{\"token\":\"a.b.c\"}", headers: ["Content-Type": "application/json"],
                 key: "AKIDEXAMPLE", secret: "s3cr3t", token: "tok", service: "eks-auth", region: "us-west-2"),
            // S3 (botocore's S3SigV4Auth): x-amz-content-sha256 signed, the path encoded once, not normalised.
            Case(method: "GET", url: "https://logs-bucket.s3.eu-central-1.amazonaws.com/2026/a%20b//c.txt?list-type=2&prefix=x",
                 body: "", headers: [:], key: "ASIAXAMPLEKEY0000001", secret: "secret/with+chars", token: "FwoGZXIvYXdzEXAMPLE//token==",
                 service: "s3", region: "eu-central-1"),
        ]
        let output = try runPython(Self.script, input: try JSONEncoder().encode(cases), requiredModules: ["botocore"])
        let expected = try JSONDecoder().decode([String].self, from: output)
        XCTAssertEqual(expected.count, cases.count)
        for (c, theirs) in zip(cases, expected) {
            let credentials = AWSCredentials(accessKeyID: c.key, secretAccessKey: c.secret, sessionToken: c.token)
            let signer = c.service == "s3" ? SigV4Signer.forResource(try XCTUnwrap(AWSResourceHost(url: c.url)), credentials: credentials)
                : SigV4Signer(credentials: credentials, region: c.region, service: c.service)
            let signed = signer.sign(HTTPRequest(method: c.method, url: c.url, headers: c.headers.map { ($0.key, $0.value) },
                                                 body: Data(c.body.utf8)), date: date)
            let ours = signed.headers.first { $0.name == "Authorization" }?.value
            XCTAssertEqual(ours, theirs, "\(c.method) \(c.url)")
        }
    }

    /// Signing name and region from resource hosts, as botocore's endpoint data names them.
    func testResourceHostsNameTheirServiceAndRegion() {
        let cases: [(String, String, String)] = [
            ("https://bucket.s3.us-west-2.amazonaws.com/key", "s3", "us-west-2"),
            ("https://bucket.s3.amazonaws.com/key", "s3", "us-east-1"),
            ("https://my.dotted.bucket.s3.eu-west-1.amazonaws.com/k", "s3", "eu-west-1"),
            ("https://bucket.s3-ap-southeast-2.amazonaws.com/k", "s3", "ap-southeast-2"),
            ("https://s3.dualstack.us-east-2.amazonaws.com/bucket/k", "s3", "us-east-2"),
            ("https://s3.cn-northwest-1.amazonaws.com.cn/bucket", "s3", "cn-northwest-1"),
            ("https://sts.amazonaws.com/", "sts", "us-east-1"),
            ("https://sts.us-gov-west-1.amazonaws.com/", "sts", "us-gov-west-1"),
            ("https://iam.us-gov.amazonaws.com/", "iam", "us-gov-west-1"),
            ("https://iam.cn-north-1.amazonaws.com.cn/", "iam", "cn-north-1"),
            ("https://iam.amazonaws.com/", "iam", "us-east-1"),
            ("https://dynamodb.eu-central-1.amazonaws.com/", "dynamodb", "eu-central-1"),
        ]
        for (url, service, region) in cases {
            XCTAssertEqual(AWSResourceHost(url: url), AWSResourceHost(service: service, region: region), url)
        }
        XCTAssertNil(AWSResourceHost(url: "https://example.com/x"))
        XCTAssertEqual(AWSEndpoints.resolve(service: "iam", region: "us-gov-east-1", environment: [:]).url, "https://iam.us-gov.amazonaws.com")
        XCTAssertEqual(AWSEndpoints.resolve(service: "iam", region: "us-gov-east-1", environment: [:]).signingRegion, "us-gov-west-1")
        XCTAssertEqual(AWSEndpoints.resolve(service: "sts", region: "cn-north-1", environment: [:]).url, "https://sts.cn-north-1.amazonaws.com.cn")
    }
}
