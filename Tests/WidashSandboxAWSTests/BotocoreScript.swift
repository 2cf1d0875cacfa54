/// The Python side of `BotocoreEndToEndTests`: real botocore/boto3 against the sandbox. Inputs come
/// from the environment; it prints one JSON object with what each call returned (never secrets).
enum BotocoreScript {
    static let source = #"""
import json, os, socket, sys
import boto3, botocore
from botocore.config import Config
from botocore.exceptions import ClientError

port = os.environ["SANDBOX_PORT"]
style = os.environ["ENDPOINT_STYLE"]            # "hostname" or "loopback"
loopback = os.environ["SANDBOX_URL"]
operator = dict(aws_access_key_id=os.environ["OPERATOR_KEY"], aws_secret_access_key=os.environ["OPERATOR_SECRET"])
region = "us-east-1"
cfg = Config(retries={"max_attempts": 1, "mode": "standard"})

# Real AWS host names resolve to the sandbox (as CONNECT_TO does for libcurl); TLS still checks
# the real name against the sandbox CA (AWS_CA_BUNDLE).
real_getaddrinfo = socket.getaddrinfo
emulated = {"sts.amazonaws.com", "iam.amazonaws.com", "eks.%s.amazonaws.com" % region, "eks-auth.%s.api.aws" % region}
def routed(host, *args, **kwargs):
    return real_getaddrinfo("127.0.0.1" if host in emulated else host, *args, **kwargs)
socket.getaddrinfo = routed

def endpoint(host):
    return "https://%s:%s" % (host, port) if style == "hostname" else loopback

def client(service, host, **creds):
    return boto3.client(service, region_name=region, endpoint_url=endpoint(host), config=cfg, **(creds or operator))

def error_of(call):
    try:
        call()
        return {"error": None}
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"].get("Message"),
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

out = {"botocore": botocore.__version__}
sts = client("sts", "sts.amazonaws.com")
ok = sts.assume_role_with_web_identity(RoleArn=os.environ["IRSA_OK_ROLE"], RoleSessionName="botocore-e2e",
                                       WebIdentityToken=os.environ["IRSA_OK_TOKEN"])
c = ok["Credentials"]
out["assume"] = {"subject": ok["SubjectFromWebIdentityToken"], "audience": ok["Audience"], "provider": ok["Provider"],
                 "arn": ok["AssumedRoleUser"]["Arn"], "keyPrefix": c["AccessKeyId"][:4],
                 "expiresInFuture": c["Expiration"].timestamp() > __import__("time").time()}
out["badTrust"] = error_of(lambda: sts.assume_role_with_web_identity(
    RoleArn=os.environ["IRSA_BAD_ROLE"], RoleSessionName="botocore-e2e", WebIdentityToken=os.environ["IRSA_BAD_TOKEN"]))

temp = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
caller = client("sts", "sts.amazonaws.com", **temp)
out["callerArn"] = caller.get_caller_identity()["Arn"]

tampered = client("sts", "sts.amazonaws.com", **temp)
def tamper(request, **kwargs):
    auth = request.headers["Authorization"]
    auth = auth.decode() if isinstance(auth, bytes) else auth
    request.headers["Authorization"] = auth[:-1] + ("0" if auth[-1] != "0" else "1")
tampered.meta.events.register("before-send.sts.GetCallerIdentity", tamper)
out["tampered"] = error_of(lambda: tampered.get_caller_identity())

iam = client("iam", "iam.amazonaws.com")
roles = {}
for name in ("irsa-ok", "irsa-bad-trust", "podid-ok"):
    role = iam.get_role(RoleName=name)["Role"]
    roles[name] = {"arn": role["Arn"], "policy": role["AssumeRolePolicyDocument"]}
out["roles"] = roles
arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
out["providers"] = arns
p = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arns[0])
out["provider"] = {"url": p["Url"], "clientIDs": p["ClientIDList"], "thumbprints": len(p["ThumbprintList"])}

eks = client("eks", "eks.%s.amazonaws.com" % region)
assoc = eks.list_pod_identity_associations(clusterName=os.environ["CLUSTER"], namespace="aws")["associations"]
out["associations"] = [(a["namespace"], a["serviceAccount"]) for a in assoc]
out["associationRole"] = eks.describe_pod_identity_association(
    clusterName=os.environ["CLUSTER"], associationId=assoc[0]["associationId"])["association"]["roleArn"]
auth = client("eks-auth", "eks-auth.%s.api.aws" % region)
pod = auth.assume_role_for_pod_identity(clusterName=os.environ["CLUSTER"], token=os.environ["PODID_TOKEN"])
out["podIdentity"] = {"subject": pod["subject"], "audience": pod["audience"], "arn": pod["assumedRoleUser"]["arn"],
                      "keyPrefix": pod["credentials"]["accessKeyId"][:4]}
print(json.dumps(out))
"""#
}
