import Foundation
import WidashTestPeers
import XCTest
import WidashSandbox
import WidashSandboxKit
@testable import WidashSandboxAWS

/// Real botocore judges the limited operator's refusals: it must parse IAM's query-protocol
/// AccessDenied and EKS's rest-json AccessDeniedException into the error codes SDK users match on,
/// with the message intact. A missing botocore under CI=true fails (Peers).
final class LimitedBotocoreTests: XCTestCase {
    static let script = #"""
import json, os
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

creds = dict(aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"])
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
def client(service):
    return boto3.client(service, region_name="us-east-1", endpoint_url=os.environ["SANDBOX_URL"], config=cfg, **creds)

def error_of(call):
    try:
        call()
        return {"code": None}
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

iam = client("iam")
eks = client("eks")
out = {
    "getRole": error_of(lambda: iam.get_role(RoleName="irsa-ok")),
    "listProviders": error_of(lambda: iam.list_open_id_connect_providers()),
    "listAssociations": error_of(lambda: eks.list_pod_identity_associations(clusterName=os.environ["CLUSTER"])),
    "caller": client("sts").get_caller_identity()["Arn"],
}
print(json.dumps(out))
"""#

    func testBotocoreParsesTheLimitedOperatorsRefusals() async throws {
        let python = try Peers.python(importing: ["boto3", "botocore"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("widash-limited-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SandboxServer.start(SandboxOptions(isStatic: true, outputDirectory: directory.path)) {
            AWSSandbox.services(context: $0)
        }
        let output: PythonRunner.Output
        do {
            var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") && !$0.key.lowercased().hasSuffix("_proxy") }
            env["AWS_CA_BUNDLE"] = try XCTUnwrap(server.info.caFile)
            env["AWS_EC2_METADATA_DISABLED"] = "true"
            env["AWS_CONFIG_FILE"] = "/dev/null"
            env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
            env["SANDBOX_URL"] = server.info.awsEndpoint
            env["KEY"] = AWSCredentialStore.limitedAccessKeyID
            env["SECRET"] = AWSCredentialStore.limitedSecretAccessKey
            env["CLUSTER"] = DemoDirectory.eksClusterName
            output = try await PythonRunner.run(python, script: Self.script, environment: env)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
        XCTAssertEqual(output.status, 0, output.stderr.suffix(3000).description)
        let line = output.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let out = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], output.stdout)
        let user = "arn:aws:iam::111122223333:user/widash-limited"
        XCTAssertEqual(out["caller"] as? String, user)

        let role = try XCTUnwrap(out["getRole"] as? [String: Any])
        XCTAssertEqual(role["code"] as? String, "AccessDenied")
        XCTAssertEqual(role["status"] as? Int, 403)
        XCTAssertEqual(role["message"] as? String,
                       "User: \(user) is not authorized to perform: iam:GetRole on resource: role irsa-ok because no identity-based policy allows the iam:GetRole action")
        XCTAssertEqual((out["listProviders"] as? [String: Any])?["code"] as? String, "AccessDenied")

        let associations = try XCTUnwrap(out["listAssociations"] as? [String: Any])
        XCTAssertEqual(associations["code"] as? String, "AccessDeniedException")
        XCTAssertEqual(associations["status"] as? Int, 403)
        XCTAssertTrue((associations["message"] as? String)?.contains("eks:ListPodIdentityAssociations on resource: arn:aws:eks:us-east-1:111122223333:cluster/widash-demo") == true,
                      "\(associations)")
    }
}
