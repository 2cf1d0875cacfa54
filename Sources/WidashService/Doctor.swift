import Foundation
import WidashCloud
import WidashCore
import WidashHTTP
import WidashKube

/// One cluster-level check of `widash doctor` and `:doctor`.
public struct DoctorResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable { case pass, warn, fail }
    public var name: String
    public var status: Status
    public var detail: String

    public init(name: String, status: Status, detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }
}

extension ClusterSession {
    /// Cluster-level checks: API server, issuer discovery and JWKS (through the API server and
    /// publicly, as the clouds fetch them), webhooks and their failure policy, an AWS IAM OIDC
    /// provider for the issuer (when AWS credentials exist), legacy aad-pod-identity.
    public func doctor() async -> [DoctorResult] {
        var results: [DoctorResult] = []
        do {
            let version = try await kube.serverVersion()
            results.append(.init(name: "API server", status: .pass,
                                 detail: "\(configuration.kube.server) answers (\(version.gitVersion ?? "version unknown"))"))
        } catch {
            results.append(.init(name: "API server", status: .fail, detail: "\(error)"))
            return results  // nothing else can be checked
        }
        let issuer = await issuerChecks(&results)
        // The cluster-scoped reads the inventory makes, read the same way: what is refused is
        // reported as not readable, with the permission, and the rest is still checked.
        let extras = await kube.loadExtras(namespace: nil)
        webhookChecks(extras, &results)
        await podIdentityAgentCheck(extras, &results)
        if let issuer { await awsProviderCheck(issuer: issuer, &results) }
        legacyCheck(extras, &results)
        for read in extras.unreadable where !read.what.contains("webhook") && !read.what.contains("AzureIdentit") {
            results.append(.init(name: read.what, status: .warn, detail: read.summary))
        }
        return results
    }

    private func issuerChecks(_ results: inout [DoctorResult]) async -> String? {
        let discovery: OIDCDiscovery
        do {
            discovery = try await kube.issuerDiscovery()
        } catch {
            results.append(.init(name: "issuer discovery", status: .fail,
                                 detail: "the API server does not serve /.well-known/openid-configuration: \(error)"))
            return nil
        }
        let https = discovery.issuer.lowercased().hasPrefix("https://")
        results.append(.init(name: "issuer", status: https ? .pass : .fail,
                             detail: https ? discovery.issuer
                                 : "\(discovery.issuer) is not HTTPS: Entra, AWS and Google only federate HTTPS issuers"))
        // The clouds fetch discovery and keys from the issuer URL itself, not through the API server.
        let base = discovery.issuer.hasSuffix("/") ? String(discovery.issuer.dropLast()) : discovery.issuer
        results.append(await publicFetch(name: "public discovery", url: base + "/.well-known/openid-configuration"))
        results.append(await publicFetch(name: "public JWKS", url: discovery.jwks_uri, expectKeys: true))
        return discovery.issuer
    }

    private func publicFetch(name: String, url: String, expectKeys: Bool = false) async -> DoctorResult {
        do {
            let response = try await cloudTransport.send(HTTPRequest(url: url, timeouts: HTTPTimeouts(connect: .seconds(5), total: .seconds(15)),
                                                                     maxBodyBytes: 1 << 20))
            guard response.status == 200 else {
                return .init(name: name, status: .fail, detail: "GET \(url) → \(response.status): the clouds cannot fetch it either")
            }
            if expectKeys {
                let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                let keys = (object?["keys"] as? [Any])?.count ?? 0
                guard keys > 0 else { return .init(name: name, status: .fail, detail: "GET \(url) → 200 but no keys") }
                return .init(name: name, status: .pass, detail: "GET \(url) → 200, \(keys) key(s)")
            }
            return .init(name: name, status: .pass, detail: "GET \(url) → 200")
        } catch {
            return .init(name: name, status: .fail, detail: "\(error)")
        }
    }

    private func webhookChecks(_ extras: ClusterExtras, _ results: inout [DoctorResult]) {
        guard let configs = extras.webhooks else {
            let detail = extras.unreadable.first { $0.what.contains("webhook") }?.summary
                ?? "cannot list MutatingWebhookConfigurations: \(extras.failure.map { "\($0)" } ?? "unknown error")"
            results.append(.init(name: "webhooks", status: .warn, detail: detail))
            return
        }
        let summaries = WebhookDetector.summaries(configs)
        for kind in ["azure", "aws"] {
            // The AWS webhook (amazon-eks-pod-identity-webhook) injects both IRSA and EKS Pod Identity.
            let label = kind == "azure" ? "Azure workload identity webhook" : "AWS pod identity webhook (IRSA, EKS Pod Identity)"
            guard let hook = summaries.first(where: { $0.kind == kind }) else {
                results.append(.init(name: label, status: .warn,
                                     detail: "not installed (needed only if \(kind == "azure" ? "Azure Workload Identity" : "IRSA or EKS Pod Identity") is used)"))
                continue
            }
            let policy = hook.failurePolicy ?? "Fail"
            let status: DoctorResult.Status = policy == "Ignore" && kind == "azure" ? .warn : .pass
            let note = policy == "Ignore" ? ": pods created while it is down start without the token" : ""
            results.append(.init(name: label, status: status, detail: "\(hook.name), failurePolicy \(policy)\(note)"))
        }
    }

    /// EKS Pod Identity pods get their credentials from the agent DaemonSet on every node
    /// (`eks-pod-identity-agent` in kube-system, aws/eks-pod-identity-agent); without it their
    /// AWS_CONTAINER_CREDENTIALS_FULL_URI answers nothing.
    private func podIdentityAgentCheck(_ extras: ClusterExtras, _ results: inout [DoctorResult]) async {
        let name = "EKS Pod Identity agent"
        do {
            let agent = try await kube.object(.daemonSets, namespace: "kube-system", name: AWSWebhook.podIdentityAgentDaemonSet,
                                              as: DaemonSet.self)
            let desired = agent.status?.desiredNumberScheduled ?? 0
            let ready = agent.status?.numberReady ?? 0
            results.append(.init(name: name, status: ready == desired && desired > 0 ? .pass : .warn,
                                 detail: "DaemonSet kube-system/\(AWSWebhook.podIdentityAgentDaemonSet): \(ready)/\(desired) ready"))
        } catch let error as KubeAPIError where error.statusCode == 404 {
            // Only a problem when some pod relies on it: the webhook gives init containers the env
            // too (amazon-eks-pod-identity-webhook `handler.go` getPodSpecPatch), so they count.
            let users: [Pod]
            do {
                users = try await kube.pods(namespace: nil).items.filter { pod in
                    (pod.spec.containers + (pod.spec.initContainers ?? [])).contains {
                        $0.env?.contains { $0.name == "AWS_CONTAINER_CREDENTIALS_FULL_URI" } ?? false
                    }
                }
            } catch {
                // The agent is missing; whether anything needs it is not known: say so, not "pass".
                let why: String
                if let refused = error as? KubeAPIError, let permission = refused.missingPermission {
                    why = "listing pods cluster-wide was refused (403): needs RBAC permission \(permission)"
                } else {
                    why = "listing pods cluster-wide failed: \(error)"
                }
                results.append(.init(name: name, status: .warn,
                                     detail: "DaemonSet kube-system/\(AWSWebhook.podIdentityAgentDaemonSet) is not installed, and whether a pod uses "
                                        + "EKS Pod Identity could not be told: \(why)"))
                return
            }
            if users.isEmpty {
                results.append(.init(name: name, status: .pass, detail: "not installed; no pod uses EKS Pod Identity"))
            } else {
                results.append(.init(name: name, status: .fail,
                                     detail: "DaemonSet kube-system/\(AWSWebhook.podIdentityAgentDaemonSet) is missing but \(users.count) pod(s) use EKS Pod Identity "
                                        + "(e.g. \(users[0].metadata.key)): aws eks create-addon --cluster-name <CLUSTER> --addon-name eks-pod-identity-agent"))
            }
        } catch let error as KubeAPIError where error.statusCode == 403 || error.statusCode == 401 {
            results.append(.init(name: name, status: .warn, detail: "not readable: needs RBAC permission \(error.missingPermission?.description ?? "get daemonsets.apps -n kube-system")"))
        } catch {
            results.append(.init(name: name, status: .warn, detail: "not checked: \(error)"))
        }
    }

    private func awsProviderCheck(issuer: String, _ results: inout [DoctorResult]) async {
        let aws = AWSConfiguration(environment: configuration.cloudEnvironment)
        guard case .success(let credentials) = aws.credentials() else {
            results.append(.init(name: "AWS IAM OIDC provider", status: .warn, detail: "not checked: no AWS credentials"))
            return
        }
        let endpoint = AWSEndpoints.resolve(service: "iam", region: aws.region(), environment: configuration.cloudEnvironment)
        let iam = IAMClient(transport: cloudTransport, endpoint: endpoint, credentials: credentials)
        do {
            if let provider = try await iam.provider(forIssuer: issuer) {
                results.append(.init(name: "AWS IAM OIDC provider", status: .pass,
                                     detail: "\(provider.arn), audiences \(provider.clientIDs.joined(separator: ","))"))
            } else {
                results.append(.init(name: "AWS IAM OIDC provider", status: .fail,
                                     detail: "no IAM OIDC provider for \(issuer): aws iam create-open-id-connect-provider --url \(issuer) --client-id-list sts.amazonaws.com"))
            }
        } catch {
            results.append(.init(name: "AWS IAM OIDC provider", status: .warn, detail: "not checked: \(error)"))
        }
    }

    private func legacyCheck(_ extras: ClusterExtras, _ results: inout [DoctorResult]) {
        guard let identities = extras.azureIdentities else {
            let detail = extras.unreadable.first { $0.what.contains("AzureIdentities") }?.summary ?? "cannot list AzureIdentity"
            results.append(.init(name: "aad-pod-identity", status: .warn, detail: detail))
            return
        }
        if identities.isEmpty {
            results.append(.init(name: "aad-pod-identity", status: .pass, detail: "not in use"))
        } else {
            results.append(.init(name: "aad-pod-identity", status: .warn,
                                 detail: "\(identities.count) AzureIdentity object(s) still present: aad-pod-identity is deprecated, migrate to Azure Workload Identity"))
        }
    }
}
