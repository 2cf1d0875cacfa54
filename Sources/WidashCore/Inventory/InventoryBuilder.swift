import Foundation

/// Computes the identity inventory from a cluster snapshot: a pure function, tested with hand-built
/// snapshots. The live feed keeps an `InventoryIndex` instead, which this fills in one go.
public enum InventoryBuilder {
    public static func build(snapshot: ClusterSnapshot, now: Date) -> Inventory {
        var index = InventoryIndex(snapshot: snapshot)
        return index.inventory(now: now)
    }

    /// Sorts findings and sets the status: the worst finding, else `ok` with a binding, else `none`.
    static func finish(_ entry: IdentityEntry) -> IdentityEntry {
        var e = entry
        e.findings = sortFindings(e.findings)
        e.pods.sort { $0.name < $1.name }
        e.status = status(findings: e.findings, hasBindings: !e.bindings.isEmpty)
        return e
    }

    /// The worst finding, else `ok` with a binding, else `none`.
    public static func status(findings: [Finding], hasBindings: Bool) -> IdentityStatus {
        switch findings.map(\.severity).max() {
        case .error?: return .error
        case .warning?: return .warning
        case .info?: return .ok
        case nil: return hasBindings ? .ok : .none
        }
    }

    public static func sortFindings(_ findings: [Finding]) -> [Finding] {
        findings.sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            return (a.code, a.subject, a.message) < (b.code, b.subject, b.message)
        }
    }

    // MARK: Cluster

    static func clusterFindings(_ snapshot: ClusterSnapshot, webhooks: [WebhookSummary], identities: [IdentityEntry]) -> [Finding] {
        var findings: [Finding] = snapshot.unreadable.map { read in
            Finding(.notReadable, .warning, subject: "cluster", message: read.summary,
                    fix: read.permission.map { "ask a cluster admin for \($0) (check with kubectl auth can-i \(canI($0)))" }
                        ?? "nothing to do if the feature is not used on this cluster")
        }
        let providers = Set(identities.flatMap { $0.bindings.map(\.provider) })
        // The issuer matters to Azure and IRSA federation; elsewhere it is only worth knowing.
        let federated = providers.contains(.azure) || providers.contains(.awsIRSA)
        let issuerSeverity: Severity = federated ? .error : .info

        if let issuer = snapshot.issuer, !issuer.lowercased().hasPrefix("https://") {
            findings.append(Finding(.issuerNotHTTPS, issuerSeverity, subject: "cluster",
                message: "the service-account issuer is \(issuer), not an HTTPS URL; Entra ID and AWS STS fetch the "
                    + "issuer's discovery document over HTTPS and refuse tokens from this issuer",
                fix: "AKS: az aks update -g <RESOURCE_GROUP> -n <CLUSTER> --enable-oidc-issuer; self-managed: start "
                    + "kube-apiserver with --service-account-issuer=https://<public host> and publish "
                    + "/.well-known/openid-configuration and the JWKS there"))
        }
        if snapshot.issuerDiscoveryReachable == false {
            let issuer = snapshot.issuer ?? "<unknown issuer>"
            findings.append(Finding(.issuerDiscoveryUnreachable, issuerSeverity, subject: "cluster",
                message: "the discovery document \(issuer.trimmedSlash)/.well-known/openid-configuration or its JWKS could "
                    + "not be fetched; Entra ID (AADSTS90061/50166) and STS will not be able to validate tokens either",
                fix: "curl -sSf \(issuer.trimmedSlash)/.well-known/openid-configuration, then curl its jwks_uri; on AKS "
                    + "run az aks update -g <RESOURCE_GROUP> -n <CLUSTER> --enable-oidc-issuer"))
        }
        if providers.contains(.azure), snapshot.webhooksKnown, !webhooks.contains(where: { $0.kind == "azure" }) {
            let annotated = identities.filter { $0.bindings.contains { $0.provider == .azure } }.map(\.key)
            findings.append(Finding(.azureWebhookMissing, .error, subject: "cluster",
                message: "\(annotated.count) service account(s) are annotated for Azure workload identity "
                    + "(\(annotated.prefix(3).joined(separator: ", "))\(annotated.count > 3 ? ", …" : "")) but no Azure "
                    + "workload identity webhook is installed, so no pod gets a token",
                fix: "az aks update -g <RESOURCE_GROUP> -n <CLUSTER> --enable-workload-identity, or helm install "
                    + "workload-identity-webhook azure-workload-identity/workload-identity-webhook -n "
                    + "azure-workload-identity-system --create-namespace --set azureTenantID=<TENANT_ID>"))
        }
        return findings
    }
}

/// `"list pods" cluster-wide` → `list pods -A`; `"create serviceaccounts/token" in namespace "shop"` →
/// `create serviceaccounts/token -n shop`.
private func canI(_ permission: String) -> String {
    let parts = permission.split(separator: "\"", omittingEmptySubsequences: false).map(String.init)
    guard parts.count >= 2 else { return permission }
    let scope = parts.count >= 4 ? " -n \(parts[3])" : permission.hasSuffix("cluster-wide") ? " -A" : ""
    return parts[1] + scope
}

private extension String {
    var trimmedSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
