import Foundation
import XCTest
@testable import WidashCore

/// The one reading of a pod (PodReader) over pods shaped exactly as the upstream webhooks leave
/// them (azure-workload-identity v1.6.0 `webhook.go`, amazon-eks-pod-identity-webhook
/// `handler.go`), one rule per test; the rules' sources are cited in `WebhookRules.swift`.
final class PodReaderTests: XCTestCase {
    // MARK: Pods as the webhooks leave them

    /// What azure-workload-identity v1.6.0 adds to a container: env (only unset ones) and the
    /// reserved projected volume at /var/run/secrets/azure/wi.
    static func azureV16(_ container: Container, clientID: String? = Fx.clientID, podName: String = "front-1",
                         audience: String = "api://AzureADTokenExchange", extraEnv: [EnvVar] = []) -> (Container, Volume) {
        let volume = AzureWebhook.volumePrefix + "2a97516c354b68848cdbd8f54a226a"
        var c = container
        var env = c.env ?? []
        let desired = [("AZURE_CLIENT_ID", clientID ?? ""), ("AZURE_TENANT_ID", Fx.tenantID),
                       ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/wi/token/azure-identity-token"),
                       ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/")]
        for (name, value) in desired where !value.isEmpty && !env.contains(where: { $0.name == name }) {
            env.append(EnvVar(name: name, value: value))
        }
        c.env = env + extraEnv
        c.volumeMounts = (c.volumeMounts ?? []) + [VolumeMount(name: volume, mountPath: "/var/run/secrets/azure/wi", readOnly: true)]
        let projected = Volume(name: volume, projected: ProjectedVolumeSource(sources: [VolumeProjection(serviceAccountToken:
            ServiceAccountTokenProjection(audience: audience, expirationSeconds: 3600, path: "token/azure-identity-token"))]))
        return (c, projected)
    }

    static func pod(_ containers: [Container], volumes: [Volume] = [], ns: String = "shop", sa: String = "front",
                    labels: [String: String] = Fx.useLabel, annotations: [String: String] = [:]) -> Pod {
        Pod(metadata: ObjectMeta(name: "front-1", namespace: ns, uid: "u-1", creationTimestamp: "2026-05-28T18:00:00Z",
                                 labels: labels, annotations: annotations.isEmpty ? nil : annotations,
                                 ownerReferences: [OwnerReference(kind: "ReplicaSet", name: "front-7d9c5b")]),
            spec: PodSpec(serviceAccountName: sa, containers: containers, volumes: volumes))
    }

    func read(_ pod: Pod, _ sa: ServiceAccount?, cluster: ClusterFacts = ClusterFacts()) -> PodReading {
        PodReader.read(pod, serviceAccount: sa, cluster: cluster)
    }

    func codes(_ r: PodReading) -> [String] { r.findings.map(\.code) }

    // MARK: Azure

    func testWebhookV16LayoutIsInjected() {
        let (app, volume) = Self.azureV16(Container(name: "app"))
        let r = read(Self.pod([app], volumes: [volume]), Fx.azureSA())
        XCTAssertEqual(r.provider, .azure)
        XCTAssertTrue(r.injected)
        XCTAssertEqual(r.tokenPath, "/var/run/secrets/azure/wi/token/azure-identity-token")
        XCTAssertEqual(r.tokenVolume, "azure-workload-identity-reserved-2a97516c354b68848cdbd8f54a226a")
        XCTAssertEqual(r.audience, "api://AzureADTokenExchange")
        XCTAssertNil(r.problem)
        XCTAssertEqual(r.findings, [])
    }

    func testAClientIDTheContainerSetsItselfIsNotAnError() {
        // The webhook adds only unset variables with a value: no annotation, the container's own id.
        let own = Container(name: "app", env: [EnvVar(name: "AZURE_CLIENT_ID", value: "99999999-0000-0000-0000-000000000001")])
        let (app, volume) = Self.azureV16(own, clientID: nil)
        let r = read(Self.pod([app], volumes: [volume]), Fx.sa("shop", "front", [AzureWebhook.tenantIDAnnotation: Fx.tenantID]))
        XCTAssertEqual(r.cloudIdentity, "99999999-0000-0000-0000-000000000001")
        XCTAssertEqual(r.cloudIdentitySource, "env AZURE_CLIENT_ID of container app")
        XCTAssertTrue(r.injected)
        XCTAssertNil(r.problem)
        XCTAssertFalse(codes(r).contains(FindingCode.missingClientID.rawValue))
    }

    func testAContainerClientIDThatDiffersFromTheAnnotationIsTheOneUsed() {
        let own = Container(name: "app", env: [EnvVar(name: "AZURE_CLIENT_ID", value: "99999999-0000-0000-0000-000000000001")])
        let (app, volume) = Self.azureV16(own)
        let r = read(Self.pod([app], volumes: [volume]), Fx.azureSA())
        XCTAssertEqual(r.cloudIdentity, "99999999-0000-0000-0000-000000000001")
        XCTAssertEqual(codes(r), [FindingCode.clientIDOverridden.rawValue])
        XCTAssertTrue(r.findings[0].message.contains("instead of the service account's azure.workload.identity/client-id=\(Fx.clientID)"))
    }

    func testAClientSecretShadowsWorkloadIdentityAndNamesItsSource() {
        let secret = EnvVar(name: "AZURE_CLIENT_SECRET", valueFrom: EnvVarSource(secretKeyRef: .init(name: "sp-creds", key: "secret")))
        let (app, volume) = Self.azureV16(Container(name: "app"), extraEnv: [secret])
        let r = read(Self.pod([app], volumes: [volume]), Fx.azureSA())
        XCTAssertEqual(r.provider, .azure)
        let f = try? XCTUnwrap(r.findings.first { $0.code == FindingCode.staticCredentialsShadowFederation.rawValue })
        XCTAssertEqual(f?.severity, .warning)
        XCTAssertTrue(f?.message.contains("sets AZURE_CLIENT_SECRET (from secret sp-creds key secret)") ?? false, f?.message ?? "")
        XCTAssertTrue(f?.message.contains("EnvironmentCredential first") ?? false)
        XCTAssertFalse(r.environment.keys.contains("AZURE_CLIENT_SECRET"))
    }

    func testPodAnnotationTokenExpirationWinsOverTheServiceAccounts() {
        // Not injected yet (no env): the lifetime is what the webhook would give it.
        let sa = Fx.azureSA(extra: [AzureWebhook.tokenExpirationAnnotation: "3600"])
        let r = read(Self.pod([Container(name: "app")], annotations: [AzureWebhook.tokenExpirationAnnotation: "7200"]), sa)
        XCTAssertEqual(r.ttlSeconds, 7200)
        let bad = read(Self.pod([Container(name: "app")], annotations: [AzureWebhook.tokenExpirationAnnotation: "600"]), sa)
        XCTAssertEqual(bad.findings.first { $0.code == FindingCode.azureTokenExpirationOutOfRange.rawValue }?.subject, "shop/front-1")
        XCTAssertTrue(bad.problem?.summary.contains("rejects the pod") ?? false, bad.problem?.summary ?? "")
    }

    func testSkippedContainersAreNotJudged() throws {
        // webhook.go getSkipContainers: the pod's `azure.workload.identity/skip-containers`, split on
        // ";", each name trimmed. The skipped sidecar has no env and no mount, the app has both.
        let (app, volume) = Self.azureV16(Container(name: "app"))
        func pod(_ annotations: [String: String]) -> Pod {
            Self.pod([Container(name: "istio-proxy"), app], volumes: [volume], annotations: annotations)
        }
        let skipped = read(pod([AzureWebhook.skipContainersAnnotation: "other; istio-proxy "]), Fx.azureSA())
        XCTAssertTrue(skipped.injected, "a skipped container is not expected to carry the env")
        XCTAssertEqual(skipped.findings, [])
        XCTAssertNil(skipped.problem)

        // The same pod without the annotation: the webhook would have mutated the sidecar too, so
        // its lacking the env is named.
        let unskipped = read(pod([:]), Fx.azureSA())
        XCTAssertFalse(unskipped.injected)
        XCTAssertEqual(codes(unskipped), [FindingCode.notInjected.rawValue])
        let f = try XCTUnwrap(unskipped.findings.first)
        XCTAssertTrue(f.message.contains("container istio-proxy lacks AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST"),
                      f.message)
        XCTAssertFalse(f.message.contains("container app lacks"), f.message)
        XCTAssertTrue(f.fix.contains("azure.workload.identity/skip-containers: \"istio-proxy\""), f.fix)
        XCTAssertEqual(unskipped.missingEnv, ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"])
        XCTAssertNotNil(unskipped.problem)

        // The service account's annotation is not read (only the pod's), and "," is not a separator.
        let onSA = read(pod([:]), Fx.azureSA(extra: [AzureWebhook.skipContainersAnnotation: "istio-proxy"]))
        XCTAssertFalse(onSA.injected)
        XCTAssertFalse(read(pod([AzureWebhook.skipContainersAnnotation: "other,istio-proxy"]), Fx.azureSA()).injected)
    }

    func testAzureInitContainersAreMutatedUnlessSkipped() {
        // Handle() runs mutateContainers over spec.initContainers as well.
        let (app, volume) = Self.azureV16(Container(name: "app"))
        var pod = Self.pod([app], volumes: [volume])
        pod.spec.initContainers = [Container(name: "migrate")]
        let r = read(pod, Fx.azureSA())
        XCTAssertFalse(r.injected)
        XCTAssertTrue(r.findings.first?.message.contains("container migrate lacks") ?? false, "\(r.findings)")
        pod.metadata.annotations = [AzureWebhook.skipContainersAnnotation: "migrate"]
        XCTAssertTrue(read(pod, Fx.azureSA()).injected)
    }

    func testWithoutAClientIDAnnotationOnlyTheContainerThatSetsItHasAZURE_CLIENT_ID() {
        // addEnvironmentVariables adds a variable only when its value is not empty: with no client-id
        // annotation, a sidecar gets the tenant, token file and authority host but no AZURE_CLIENT_ID.
        let own = Container(name: "app", env: [EnvVar(name: "AZURE_CLIENT_ID", value: "99999999-0000-0000-0000-000000000001")])
        let (app, volume) = Self.azureV16(own, clientID: nil)
        let (sidecar, _) = Self.azureV16(Container(name: "sidecar"), clientID: nil)
        let r = read(Self.pod([app, sidecar], volumes: [volume]), Fx.sa("shop", "front", [AzureWebhook.tenantIDAnnotation: Fx.tenantID]))
        XCTAssertTrue(r.injected, "\(r.findings)")
        XCTAssertEqual(r.findings, [])
    }

    func testIdentityBindingPodsUseTheirOwnAudience() {
        let proxy = [EnvVar(name: "AZURE_KUBERNETES_TOKEN_PROXY", value: "https://kubernetes.default.svc"),
                     EnvVar(name: "AZURE_KUBERNETES_SNI_NAME", value: "2183187515ff64fc2fff014fd0e749f92578a466dc345b"),
                     EnvVar(name: "AZURE_KUBERNETES_CA_FILE", value: "/var/run/secrets/azure/wi/ca-cert/ca.crt")]
        let (app, volume) = Self.azureV16(Container(name: "app"), audience: "api://AKSIdentityBinding", extraEnv: proxy)
        let r = read(Self.pod([app], volumes: [volume], annotations: [AzureWebhook.identityBindingAnnotation: "true"]), Fx.azureSA())
        XCTAssertTrue(r.identityBinding)
        XCTAssertEqual(r.audience, "api://AKSIdentityBinding")
        XCTAssertTrue(r.injected)
        XCTAssertNil(r.problem)
        XCTAssertTrue(r.envNames.contains("AZURE_KUBERNETES_TOKEN_PROXY"))
    }

    func testNotInjectedInKubeSystemOnAKSBlamesTheAdmissionsEnforcer() {
        let cluster = ClusterFacts(issuer: "https://westeurope.oic.prod-aks.azure.com/\(Fx.tenantID)/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/",
                                   webhooks: [WebhookSummary(kind: "azure", name: "azure-wi-webhook-mutating-webhook-configuration", failurePolicy: "Fail")],
                                   webhooksKnown: true)
        XCTAssertTrue(cluster.isAKS)
        let r = read(Self.pod([Container(name: "app")], ns: "kube-system"), Fx.azureSA("kube-system"), cluster: cluster)
        let f = r.findings.first { $0.code == FindingCode.notInjected.rawValue }
        XCTAssertTrue(f?.message.contains("AKS's admissions enforcer") ?? false, f?.message ?? "")
        XCTAssertFalse(f?.fix.contains("rollout restart") ?? true, "restarting changes nothing there: \(f?.fix ?? "")")
    }

    func testAKSManagedNamespaceLabelMeansAKSEvenWithAnotherIssuer() {
        // AKS labels the namespaces it manages kubernetes.azure.com/managedby: aks.
        let cluster = ClusterFacts(issuer: "https://issuer.example", webhooks: [WebhookSummary(kind: "azure", name: "azure-wi", failurePolicy: "Fail")],
                                   webhooksKnown: true, namespaceLabels: ["kube-system": ["kubernetes.azure.com/managedby": "aks"]])
        let r = read(Self.pod([Container(name: "app")], ns: "kube-system"), Fx.azureSA("kube-system"), cluster: cluster)
        XCTAssertTrue(r.findings.first?.message.contains("AKS's admissions enforcer") ?? false, "\(r.findings)")
    }

    func testAnAzurePodInKubeSystemOffAKSGetsTheUsualCause() {
        // A self-managed cluster: nothing keeps the webhook out of kube-system.
        let cluster = ClusterFacts(issuer: "https://oidc.example.com/cluster-1",
                                   webhooks: [WebhookSummary(kind: "azure", name: "azure-wi-webhook-mutating-webhook-configuration", failurePolicy: "Fail")],
                                   webhooksKnown: true, namespaceLabels: ["kube-system": ["kubernetes.io/metadata.name": "kube-system"]])
        XCTAssertFalse(cluster.isAKS)
        let r = read(Self.pod([Container(name: "app")], ns: "kube-system"), Fx.azureSA("kube-system"), cluster: cluster)
        let f = r.findings.first { $0.code == FindingCode.notInjected.rawValue }
        XCTAssertFalse(f?.message.contains("admissions enforcer") ?? true, f?.message ?? "")
        XCTAssertTrue(f?.message.hasSuffix("the webhook azure-wi-webhook-mutating-webhook-configuration is installed; "
                                           + "the pod was probably created before the service account was annotated") ?? false, f?.message ?? "")
        XCTAssertEqual(f?.fix, "kubectl -n kube-system rollout restart deployment/front")
    }

    func testAnIRSAPodInKubeSystemOnEKSGetsTheUsualCause() {
        // The AKS exclusion is AKS's: on EKS an IRSA pod in kube-system is mutated like any other.
        let cluster = ClusterFacts(issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
                                   webhooks: [WebhookSummary(kind: "aws", name: "pod-identity-webhook", failurePolicy: "Ignore")],
                                   webhooksKnown: true)
        let pod = Self.pod([Container(name: "app")], ns: "kube-system", labels: [:])
        let r = read(pod, Fx.sa("kube-system", "front", [AWSWebhook.roleARNAnnotation: Fx.roleARN]), cluster: cluster)
        XCTAssertEqual(r.provider, .awsIRSA)
        let f = r.findings.first { $0.code == FindingCode.notInjected.rawValue }
        XCTAssertFalse(f?.message.contains("admissions enforcer") ?? true, f?.message ?? "")
        XCTAssertFalse(f?.message.contains("AKS") ?? true, f?.message ?? "")
        XCTAssertTrue(f?.message.contains("has no injected AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE: the webhook pod-identity-webhook is installed "
                                          + "with failurePolicy Ignore") ?? false, f?.message ?? "")
        XCTAssertEqual(f?.fix, "kubectl -n kube-system rollout restart deployment/front")
        XCTAssertEqual(r.problem?.fix, "kubectl -n kube-system rollout restart deployment/front")
    }

    // MARK: AWS

    static func irsaEnv(role: String = Fx.roleARN) -> [EnvVar] {
        [EnvVar(name: "AWS_ROLE_ARN", value: role),
         EnvVar(name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token")]
    }
    static let irsaMount = VolumeMount(name: "aws-iam-token", mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount", readOnly: true)
    static let irsaVolume = Volume(name: "aws-iam-token", projected: ProjectedVolumeSource(sources: [VolumeProjection(serviceAccountToken:
        ServiceAccountTokenProjection(audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "token"))]))
    static let podIdentityEnv = [EnvVar(name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", value: AWSWebhook.podIdentityAgentURI),
                                 EnvVar(name: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                        value: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token")]
    static let podIdentityMount = VolumeMount(name: "eks-pod-identity-token", mountPath: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount", readOnly: true)
    static let podIdentityVolume = Volume(name: "eks-pod-identity-token", projected: ProjectedVolumeSource(sources: [VolumeProjection(serviceAccountToken:
        ServiceAccountTokenProjection(audience: "pods.eks.amazonaws.com", expirationSeconds: 83_121, path: "eks-pod-identity-token"))]))
    static var roleSA: ServiceAccount { Fx.sa("shop", "front", [AWSWebhook.roleARNAnnotation: Fx.roleARN]) }

    func testPodIdentityTakesPrecedenceOverTheServiceAccountsRole() {
        // handler.go: with an association the webhook injects only the container-credentials env.
        let pod = Self.pod([Container(name: "app", env: Self.podIdentityEnv, volumeMounts: [Self.podIdentityMount])],
                           volumes: [Self.podIdentityVolume], labels: [:])
        let r = read(pod, Self.roleSA)
        XCTAssertEqual(r.provider, .awsPodIdentity)
        XCTAssertTrue(r.injected)
        XCTAssertNil(r.problem, "a Pod Identity pod is healthy; step 1 must not fail for it")
        XCTAssertEqual(r.findings.map(\.code), [FindingCode.podIdentityPrecedence.rawValue])
        XCTAssertEqual(r.findings.first?.severity, .info)
        XCTAssertEqual(r.audience, "pods.eks.amazonaws.com")
    }

    func testWithBothEnvSetsTheSDKUsesWebIdentity() {
        let pod = Self.pod([Container(name: "app", env: Self.irsaEnv() + Self.podIdentityEnv, volumeMounts: [Self.irsaMount, Self.podIdentityMount])],
                           volumes: [Self.irsaVolume, Self.podIdentityVolume], labels: [:])
        let r = read(pod, Self.roleSA)
        XCTAssertEqual(r.provider, .awsIRSA)
        XCTAssertTrue(r.injected)
        XCTAssertEqual(r.findings.map(\.code), [FindingCode.unusedCredentialEnv.rawValue])
        XCTAssertTrue(r.findings[0].message.contains("the Pod Identity env is dead weight"), r.findings[0].message)
    }

    func testStaticKeysShadowTheRole() {
        let keys = [EnvVar(name: "AWS_ACCESS_KEY_ID", value: "AKIAEXAMPLE000000000"),
                    EnvVar(name: "AWS_SECRET_ACCESS_KEY", valueFrom: EnvVarSource(secretKeyRef: .init(name: "aws", key: "secret")))]
        let pod = Self.pod([Container(name: "app", env: Self.irsaEnv() + keys, volumeMounts: [Self.irsaMount])], volumes: [Self.irsaVolume], labels: [:])
        let r = read(pod, Self.roleSA)
        XCTAssertEqual(r.findings.map(\.code), [FindingCode.staticCredentialsShadowFederation.rawValue])
        XCTAssertTrue(r.findings[0].message.contains("sets AWS_ACCESS_KEY_ID (from a literal value)"), r.findings[0].message)
        XCTAssertFalse(r.environment.keys.contains("AWS_SECRET_ACCESS_KEY"))
        XCTAssertFalse(r.environment.keys.contains("AWS_ACCESS_KEY_ID"))
    }

    func testAWSTokenExpirationPrecedenceAndMinimum() {
        // Pod > service account > 86400; not an integer: the next one; below 600: raised to 600.
        func ttl(pod: String?, sa: String?) -> Int {
            let pod = Self.pod([Container(name: "app")], labels: [:], annotations: pod.map { [AWSWebhook.tokenExpirationAnnotation: $0] } ?? [:])
            var annotations = [AWSWebhook.roleARNAnnotation: Fx.roleARN]
            if let sa { annotations[AWSWebhook.tokenExpirationAnnotation] = sa }
            return read(pod, Fx.sa("shop", "front", annotations)).ttlSeconds
        }
        XCTAssertEqual(ttl(pod: "3600", sa: "7200"), 3600)
        XCTAssertEqual(ttl(pod: "1h", sa: "7200"), 7200)
        XCTAssertEqual(ttl(pod: "300", sa: nil), 600)
        XCTAssertEqual(ttl(pod: nil, sa: nil), 86_400)
        XCTAssertEqual(ttl(pod: nil, sa: "200000"), 200_000, "no upper limit")
    }

    func testAWSSkipContainersIsCommaSeparatedAndNotTrimmed() throws {
        // handler.go getContainersToSkip: the pod's eks.amazonaws.com/skip-containers, one record of
        // encoding/csv (no TrimLeadingSpace). The sidecar has no env, the app has IRSA's.
        let app = Container(name: "app", env: Self.irsaEnv(), volumeMounts: [Self.irsaMount])
        func pod(_ skip: String?) -> Pod {
            Self.pod([Container(name: "sidecar"), app], volumes: [Self.irsaVolume], labels: [:],
                     annotations: skip.map { [AWSWebhook.skipContainersAnnotation: $0] } ?? [:])
        }
        let skipped = read(pod("sidecar,other"), Self.roleSA)
        XCTAssertTrue(skipped.injected)
        XCTAssertEqual(skipped.findings, [])
        XCTAssertTrue(read(pod(#""sidecar",other"#), Self.roleSA).injected, "a quoted CSV field")

        // Not skipped: the webhook would have mutated the sidecar, which lacks the env.
        let unskipped = read(pod(nil), Self.roleSA)
        XCTAssertFalse(unskipped.injected)
        XCTAssertEqual(codes(unskipped), [FindingCode.notInjected.rawValue])
        let message = try XCTUnwrap(unskipped.findings.first).message
        XCTAssertTrue(message.contains("container sidecar lacks AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE"), message)
        // " sidecar" (with a space) names no container, ";" is not a separator, and a record that
        // does not parse (a bare quote) skips nothing.
        for value in ["other, sidecar", "other;sidecar", #"other,side"car"#] {
            let r = read(pod(value), Self.roleSA)
            XCTAssertFalse(r.injected, value)
            XCTAssertTrue(r.findings.first?.message.contains("container sidecar lacks") ?? false, "\(value): \(r.findings)")
        }
    }

    func testAWSSkipsInitContainersAndJudgesPodIdentityPerContainer() {
        let app = Container(name: "app", env: Self.podIdentityEnv, volumeMounts: [Self.podIdentityMount])
        var pod = Self.pod([app], volumes: [Self.podIdentityVolume], labels: [:])
        pod.spec.initContainers = [Container(name: "wait-for-db")]
        let r = read(pod, Fx.sa("shop", "front"))
        XCTAssertEqual(r.provider, .awsPodIdentity)
        XCTAssertFalse(r.injected)
        XCTAssertTrue(r.findings.first { $0.code == FindingCode.notInjected.rawValue }?.message
            .contains("container wait-for-db lacks AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") ?? false, "\(r.findings)")
        pod.metadata.annotations = [AWSWebhook.skipContainersAnnotation: "wait-for-db"]
        let skipped = read(pod, Fx.sa("shop", "front"))
        XCTAssertTrue(skipped.injected)
        XCTAssertEqual(skipped.findings, [])
        XCTAssertNil(skipped.problem)
    }

    func testAWSSkipContainersCSVRecord() {
        XCTAssertEqual(AWSWebhook.firstCSVRecord("a,b"), ["a", "b"])
        XCTAssertEqual(AWSWebhook.firstCSVRecord("a, b"), ["a", " b"])
        XCTAssertEqual(AWSWebhook.firstCSVRecord(#""a,b",c"#), ["a,b", "c"])
        XCTAssertEqual(AWSWebhook.firstCSVRecord(#""a""b""#), [#"a"b"#])
        XCTAssertEqual(AWSWebhook.firstCSVRecord("\na,b\nc"), ["a", "b"], "empty lines skipped, the first record only")
        XCTAssertEqual(AWSWebhook.firstCSVRecord("a,"), ["a", ""])
        XCTAssertNil(AWSWebhook.firstCSVRecord(""))
        XCTAssertNil(AWSWebhook.firstCSVRecord(#"a"b"#), "bare quote")
        XCTAssertNil(AWSWebhook.firstCSVRecord(#""ab"#), "unterminated quote")
        XCTAssertNil(AWSWebhook.firstCSVRecord(#""a"b"#), "text after a closing quote")
    }

    // MARK: GKE

    func testGKEPodsAreNeverNotInjected() {
        let sa = Fx.sa("shop", "front", [GKEWorkloadIdentity.serviceAccountAnnotation: "reader@other-project.iam.gserviceaccount.com"])
        let cluster = ClusterFacts(snapshot: ClusterSnapshot(issuer: "https://container.googleapis.com/v1/projects/clusters-prod/locations/europe-west1/clusters/c1"))
        let r = read(Self.pod([Container(name: "app")], labels: [:]), sa, cluster: cluster)
        XCTAssertEqual(r.provider, .gcp)
        XCTAssertTrue(r.injected)
        XCTAssertEqual(r.audience, "clusters-prod.svc.id.goog", "the cluster project's pool, not the Google service account's project")
        XCTAssertEqual(r.findings, [])
        XCTAssertNil(r.problem)
        XCTAssertEqual(GKEWorkloadIdentity.member(pool: "clusters-prod.svc.id.goog", namespace: "shop", serviceAccount: "front"),
                       "serviceAccount:clusters-prod.svc.id.goog[shop/front]")
    }

    // MARK: Decoding

    func testValueFromIsDecodedByBothDecoders() throws {
        let json = #"{"name":"AWS_ACCESS_KEY_ID","valueFrom":{"secretKeyRef":{"name":"aws","key":"id","optional":false}}}"#
        let decoded = try JSONDecoder().decode(EnvVar.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.origin, "secret aws key id")
    }

    /// The byte search that replaced Foundation's on the hot path answers as the old one did.
    func testSecretNamesAreFoundInAnyCase() {
        for name in ["AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", "dbPassword", "AWS_SESSION_TOKEN", "x_ca_data",
                     "Credential_Data", "ACCESS_KEY"] {
            XCTAssertTrue(IdentityEnv.isSecretName(name), name)
        }
        for name in ["AZURE_CLIENT_ID", "AWS_ROLE_ARN", "", "SECRE", "PASS_WORD", "ACCESS-KEY"] {
            XCTAssertFalse(IdentityEnv.isSecretName(name), name)
        }
    }

    func testNonEmptyTrimsOnlyWhenNeeded() {
        XCTAssertNil(nonEmpty(nil))
        XCTAssertNil(nonEmpty(""))
        XCTAssertNil(nonEmpty(" \t "))
        XCTAssertEqual(nonEmpty("abc"), "abc")
        XCTAssertEqual(nonEmpty("  arn:aws:iam::1:role/x "), "arn:aws:iam::1:role/x")
        XCTAssertEqual(nonEmpty("\u{00A0}id\u{2003}"), "id")
    }
}
