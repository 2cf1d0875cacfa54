# Generates the widash-fuzz seed corpora with throwaway keys (discarded after the run).
import base64, json, os, sys, time, subprocess, tempfile
import jwt  # PyJWT
from cryptography.hazmat.primitives.asymmetric import rsa, ec
from cryptography.hazmat.primitives import serialization, hashes
from cryptography import x509
from cryptography.x509.oid import NameOID
import datetime

root = sys.argv[1]
def put(target, name, data):
    d = os.path.join(root, target); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())

rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec_key = ec.generate_private_key(ec.SECP256R1())
now = 1_767_225_600  # 2026-01-01T00:00:00Z, fixed so the corpus is reproducible in shape

# --- jwt
sa_claims = {"aud": ["api://AzureADTokenExchange"], "exp": now + 3600, "iat": now, "nbf": now,
             "iss": "https://oidc.demo.widash.invalid/", "jti": "5f1c3a0e-0000-4000-8000-000000000001",
             "sub": "system:serviceaccount:shop:frontend",
             "kubernetes.io": {"namespace": "shop", "serviceaccount": {"name": "frontend", "uid": "0b6e6a8e-0000-4000-8000-000000000002"},
                               "pod": {"name": "frontend-7d9f8b6c5-x2k4q", "uid": "6c1d2a3b-0000-4000-8000-000000000003"},
                               "node": {"name": "aks-nodepool1-00000000-vmss000000", "uid": "1a2b3c4d-0000-4000-8000-000000000004"},
                               "warnafter": now + 3000}}
sa = jwt.encode(sa_claims, rsa_key, algorithm="RS256", headers={"kid": "demo-key-1"})
put("jwt", "sa-token-azure", sa + "\n")
irsa = jwt.encode(dict(sa_claims, aud=["sts.amazonaws.com"], exp=now + 86400), rsa_key, algorithm="RS256", headers={"kid": "demo-key-1"})
put("jwt", "sa-token-irsa", irsa)
put("jwt", "es256-token", jwt.encode({"iss": "https://issuer.invalid", "sub": "x", "aud": "pods.eks.amazonaws.com", "exp": now}, ec_key, algorithm="ES256"))
unsigned = jwt.encode({"sub": "system:serviceaccount:default:default", "exp": now}, None, algorithm="none")
put("jwt", "alg-none", unsigned)
put("jwt", "not-three-parts", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0")
put("jwt", "log-line-with-secrets",
    "2026-01-01T00:00:00Z POST /token Authorization: Bearer " + sa + "\n"
    "client_assertion=" + irsa + "&scope=https%3A%2F%2Fvault.azure.net%2F.default\n"
    '{"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","SessionToken":"IQoJb3JpZ2luX2VjEXAMPLEexampleSessionTokenValue0123456789"}\n'
    "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEXAMPLEexampleSessionTokenValue0123456789\n")

# --- kubeconfig
def self_signed(cn, key, ca=False):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(datetime.datetime(2026, 1, 1)).not_valid_after(datetime.datetime(2036, 1, 1)))
    if ca: b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
ca_key = ec.generate_private_key(ec.SECP256R1())
client_key = ec.generate_private_key(ec.SECP256R1())
ca_pem = self_signed("widash-fuzz-ca", ca_key, ca=True)
client_pem = self_signed("system:admin", client_key)
client_key_pem = client_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
b64 = lambda b: base64.b64encode(b).decode()
put("kubeconfig", "full", f"""apiVersion: v1
kind: Config
current-context: demo
preferences: {{}}
clusters:
- name: demo
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: {b64(ca_pem)}
    tls-server-name: kubernetes.default.svc
- name: aks
  cluster:
    server: https://aks-demo-dns-00000000.hcp.westeurope.azmk8s.io:443
    insecure-skip-tls-verify: true
    proxy-url: http://proxy.internal:3128
contexts:
- name: demo
  context:
    cluster: demo
    user: admin
    namespace: shop
- name: aks
  context:
    cluster: aks
    user: kubelogin
- name: token
  context:
    cluster: demo
    user: token-user
users:
- name: admin
  user:
    client-certificate-data: {b64(client_pem)}
    client-key-data: {b64(client_key_pem)}
- name: kubelogin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, azurecli, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]
      env:
      - name: AAD_LOGIN_METHOD
        value: azurecli
      installHint: install kubelogin from https://azure.github.io/kubelogin/
      provideClusterInfo: false
      interactiveMode: IfAvailable
- name: token-user
  user:
    token: fuzz-static-token-not-a-secret-0123456789
""")
put("kubeconfig", "minimal", """apiVersion: v1
kind: Config
clusters:
- cluster: {server: "http://localhost:8080"}
  name: local
contexts:
- context: {cluster: local}
  name: local
current-context: local
""")
put("kubeconfig", "relative-files", """apiVersion: v1
clusters:
- name: c
  cluster: {server: "https://10.0.0.1", certificate-authority: ca.crt}
users:
- name: u
  user: {client-certificate: ../certs/u.crt, client-key: ../certs/u.key, tokenFile: /var/run/secrets/token}
- name: basic
  user: {username: admin, password: fuzz-password-not-a-secret}
contexts:
- {name: c, context: {cluster: c, user: u, namespace: kube-system}}
- {name: b, context: {cluster: c, user: basic}}
current-context: c
""")
put("kubeconfig", "anchors", """clusters:
- &c {name: a, cluster: {server: "https://a.invalid:6443"}}
contexts:
- {name: a, context: &ctx {cluster: a, user: eks}}
- {name: b, context: *ctx}
users:
- name: eks
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, args: [eks, get-token, --cluster-name, demo]}
current-context: b
""")
put("kubeconfig", "empty-comments", "# nothing here\n\n")

# --- watch
def pod(name, rv, phase="Running"):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "shop", "uid": "uid-" + name,
            "resourceVersion": rv, "labels": {"app": "frontend", "azure.workload.identity/use": "true"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "frontend-7d9f8b6c5", "uid": "rs-1", "controller": True}],
            "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"serviceAccountName": "frontend", "nodeName": "node-1",
                     "containers": [{"name": "app", "image": "ghcr.io/example/frontend:1.0",
                                     "env": [{"name": "AZURE_CLIENT_ID", "value": "00000000-0000-4000-8000-00000000000a"},
                                             {"name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/tokens/azure-identity-token"}],
                                     "volumeMounts": [{"name": "azure-identity-token", "mountPath": "/var/run/secrets/azure/tokens", "readOnly": True}]}],
                     "volumes": [{"name": "azure-identity-token", "projected": {"sources": [{"serviceAccountToken":
                                 {"audience": "api://AzureADTokenExchange", "expirationSeconds": 3600, "path": "azure-identity-token"}}]}}]},
            "status": {"phase": phase, "podIP": "10.244.0.12", "startTime": "2026-01-01T00:00:01Z",
                       "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0, "image": "ghcr.io/example/frontend:1.0"}]}}
lines = [json.dumps({"type": "ADDED", "object": pod("frontend-a", "1001")}),
         json.dumps({"type": "MODIFIED", "object": pod("frontend-a", "1002", "Succeeded")}),
         json.dumps({"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": "1003",
                     "annotations": {"k8s.io/initial-events-end": "true"}}}}),
         json.dumps({"type": "DELETED", "object": pod("frontend-a", "1004")})]
put("watch", "events", "\n".join(lines) + "\n")
put("watch", "gone-410", json.dumps({"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {},
    "status": "Failure", "message": "too old resource version: 1001 (2000)", "reason": "Expired", "code": 410}}) + "\n")
put("watch", "object-first-crlf", '{"object":{"metadata":{"name":"sa","namespace":"shop","resourceVersion":"7",'
    '"annotations":{"azure.workload.identity/client-id":"00000000-0000-4000-8000-00000000000a"}},"kind":"ServiceAccount"},"type":"ADDED"}\r\n\r\n'
    '{"type":"UNKNOWN","object":{}}\r\n{"type":"ADDED","object":{"metadata":{"name":"cut')
put("watch", "pod-list", json.dumps({"kind": "PodList", "apiVersion": "v1",
    "metadata": {"resourceVersion": "2000", "continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjAwMCwic3RhcnQiOiJmcm9udGVuZC1iXHUwMDAwIn0", "remainingItemCount": 3},
    "items": [pod("frontend-a", "1001"), pod("frontend-b", "1002", "Pending")]}))
put("watch", "escapes", '{"type":"ADDED","object":{"metadata":{"name":"p\\u00e9\\ud83d\\ude00","namespace":"n","labels":{"a":"\\"q\\"\\n"}},'
    '"spec":{"containers":[{"name":"c","env":[{"name":"X","value":1e3}]}]},"status":{"phase":null}}}\n')

# --- sts-xml
put("sts-xml", "assume-role-ok", """<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:shop:frontend</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::111122223333:assumed-role/shop-frontend/botocore-session-1767225600</Arn>
      <AssumedRoleId>AROAEXAMPLEROLEID0001:botocore-session-1767225600</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>FwoGZXIvYXdzEXAMPLEsessionTOKENnotREAL0123456789abcdefABCDEF</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</SecretAccessKey>
      <Expiration>2026-01-01T01:00:00Z</Expiration>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <SourceIdentity/>
    <Provider>arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
""")
put("sts-xml", "invalid-identity-token", """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidIdentityToken</Code>
    <Message>No OpenIDConnect provider found in your account for https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE</Message>
  </Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>
""")
put("sts-xml", "access-denied", """<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>4f0c8a5e-0000-4000-8000-000000000001</RequestId></ErrorResponse>""")
put("sts-xml", "iam-nested-errors", """<Response><Errors><Error><Code>NoSuchEntity</Code><Message><![CDATA[The role with name shop-frontend cannot be found.]]></Message></Error></Errors><RequestID>req-1</RequestID></Response>""")
put("sts-xml", "caller-identity", """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/shop-frontend/s</Arn><UserId>AROAEXAMPLEROLEID0001:s</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>""")
put("sts-xml", "eks-auth-json", json.dumps({"subject": {"namespace": "shop", "serviceAccount": "frontend"}, "audience": "pods.eks.amazonaws.com",
    "podIdentityAssociation": {"associationArn": "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/demo/a-0000", "associationId": "a-0000"},
    "assumedRoleUser": {"arn": "arn:aws:sts::111122223333:assumed-role/shop-frontend/eks-demo-frontend", "assumeRoleId": "AROAEXAMPLEROLEID0001:eks"},
    "credentials": {"sessionToken": "FwoGZXIvYXdzEXAMPLEsessionTOKENnotREAL0123456789", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "accessKeyId": "ASIAIOSFODNN7EXAMPLE", "expiration": 1767229200}}))
# Regressions: bodies that crashed Foundation's XMLParser on Linux (found by fuzzing; XMLTree.parse refuses them).
put("sts-xml", "xmlparser-invalid-utf8-element-name", b"<\xff\x00ss")
put("sts-xml", "xmlparser-processing-instruction-without-data", "<Response><?x?></Response>")
put("sts-xml", "xmlparser-processing-instruction-after-unclosed-declaration", "<?xml ><?x?>")
put("sts-xml", "eks-auth-error", json.dumps({"__type": "com.amazonaws.eksauth#ExpiredTokenException:detail", "message": "The service account token has expired."}))

# --- entra-error
trace = "Trace ID: 0d9a2f8e-0000-4000-8000-000000000001 Correlation ID: 6b1f3c2d-0000-4000-8000-000000000002 Timestamp: 2026-01-01 00:00:00Z"
def entra(codes, desc):
    return json.dumps({"error": "invalid_client" if codes[0] != 700016 else "unauthorized_client",
        "error_description": desc + " " + trace, "error_codes": codes, "timestamp": "2026-01-01 00:00:00Z",
        "trace_id": "0d9a2f8e-0000-4000-8000-000000000001", "correlation_id": "6b1f3c2d-0000-4000-8000-000000000002",
        "error_uri": "https://login.microsoftonline.com/error?code=%d" % codes[0]})
put("entra-error", "aadsts700213", entra([700213], "AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:shop:frontend'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"))
put("entra-error", "aadsts70021", entra([70021], "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://oidc.demo.widash.invalid/'. Assertion Subject: 'system:serviceaccount:shop:frontend'. Assertion Audience: 'api://AzureADTokenExchange'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"))
put("entra-error", "aadsts700024", entra([700024], "AADSTS700024: Client assertion is not within its valid time range. Current time: 2026-01-01T02:00:00.0000000Z, assertion valid from 2026-01-01T00:00:00.0000000Z, expiry time of assertion 2026-01-01T01:00:00.0000000Z. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."))
put("entra-error", "aadsts90061", entra([90061], "AADSTS90061: Request to External OIDC endpoint failed."))
put("entra-error", "no-codes-crlf", json.dumps({"error": "invalid_request", "error_description": "AADSTS900144: The request body must contain the following parameter: 'grant_type'.\r\n" + trace}))
put("entra-error", "token-ok", json.dumps({"token_type": "Bearer", "expires_in": "3599", "ext_expires_in": 3599,
    "access_token": jwt.encode({"aud": "https://vault.azure.net", "iss": "https://sts.windows.net/00000000-0000-4000-8000-00000000000b/", "exp": now + 3600}, rsa_key, algorithm="RS256")}))
put("entra-error", "gcp-sts-error", json.dumps({"error": "invalid_grant", "error_description": "The audience in ID Token [https://oidc.demo.widash.invalid] does not match the expected audience."}))
put("entra-error", "gcp-api-error", json.dumps({"error": {"code": 403, "message": "Permission 'iam.serviceAccounts.getAccessToken' denied", "status": "PERMISSION_DENIED"}}))

# --- websocket-frame: bytes from a server after the 101 (RFC 6455 §5; §5.7 examples). Unmasked, as servers send.
def ws(opcode, payload=b"", fin=True, masked_key=None):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    mask = 0x80 if masked_key else 0
    if n <= 125: head += bytes([mask | n])
    elif n <= 0xFFFF: head += bytes([mask | 126]) + n.to_bytes(2, "big")
    else: head += bytes([mask | 127]) + n.to_bytes(8, "big")
    if masked_key:
        payload = bytes(b ^ masked_key[i % 4] for i, b in enumerate(payload))
        head += masked_key
    return head + payload
put("websocket-frame", "rfc-hello", ws(0x1, b"Hello"))
put("websocket-frame", "rfc-fragmented-hello", ws(0x1, b"Hel", fin=False) + ws(0x0, b"lo"))
put("websocket-frame", "rfc-ping", ws(0x9, b"Hello"))
put("websocket-frame", "binary-256", ws(0x2, bytes(range(256))))
put("websocket-frame", "binary-64k-header", ws(0x2, b"\x01" * 70000)[:64])
# A Kubernetes v5.channel.k8s.io exec: the empty stdout message, output, the status, Close 1000.
put("websocket-frame", "k8s-exec-v5", ws(0x2, b"\x01") + ws(0x2, b"\x01eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    + ws(0x2, b'\x03{"metadata":{},"status":"Success"}') + ws(0x8, (1000).to_bytes(2, "big")))
put("websocket-frame", "interleaved-control", ws(0x2, b"ab", fin=False) + ws(0x9, b"p") + ws(0xA)
    + ws(0x0, b"cd", fin=False) + ws(0x0, b"e") + ws(0x8, (4001).to_bytes(2, "big") + "bye ✓".encode()))
put("websocket-frame", "masked-from-server", ws(0x1, b"Hello", masked_key=bytes([0x37, 0xfa, 0x21, 0x3d])))
put("websocket-frame", "reserved-bits", bytes([0xC1, 0x00]))
put("websocket-frame", "bad-utf8-text", ws(0x1, b"\xc3\x28"))
put("websocket-frame", "close-invalid-code", ws(0x8, (1005).to_bytes(2, "big")))
# Regression (found by fuzzing): a message, then a violation in the same read; the message must not be lost.
put("websocket-frame", "regression-message-then-violation", ws(0x2, b"ab", fin=False) + ws(0x9, b"p") + ws(0xA)
    + ws(0x0, b"cd", fin=False) + ws(0x0, b"e") + ws(0x8, (4001).to_bytes(2, "big") + b"\xff"))
