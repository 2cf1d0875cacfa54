import Foundation
import WidashCloud
import WidashCore
import WidashKube

extension ClusterSession {
    /// The EKS cluster whose Pod Identity associations the audit lists: `--eks-cluster` /
    /// WIDASH_EKS_CLUSTER, else the kubeconfig's cluster when `aws eks update-kubeconfig` wrote it (an
    /// EKS ARN as the cluster name, or `aws eks get-token --cluster-name NAME [--region R]`).
    public var eksCluster: EKSClusterRef? {
        let kube = configuration.kube
        if let name = configuration.eksClusterName, !name.isEmpty {
            return EKSClusterRef(arn: name) ?? EKSClusterRef(name: name, region: nil)
        }
        if let ref = EKSClusterRef(arn: kube.clusterName) ?? EKSClusterRef(arn: kube.contextName) { return ref }
        if case .exec(let exec) = kube.auth, let args = exec.args, args.contains("get-token") {
            func value(_ flag: String) -> String? { args.firstIndex(of: flag).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
            if let name = value("--cluster-name") ?? value("--cluster-id") { return EKSClusterRef(name: name, region: value("--region")) }
        }
        return nil
    }

    /// GKE's workload pool: configured (WIDASH_GKE_WORKLOAD_POOL), else from the cluster's issuer.
    public func workloadPool(issuer: String?) -> String? {
        configuration.gcpWorkloadPool ?? issuer.flatMap(GKEWorkloadIdentity.workloadPool(issuer:))
    }

    /// The trust audit of this session, sharing the session's reader with its traces.
    public func trustAudit(issuer: String?) -> TrustAudit {
        TrustAudit(reader: trustReader, eksCluster: eksCluster, workloadPool: workloadPool(issuer: issuer))
    }

    /// The inventory with the cloud side of every binding audited (`widash identities`).
    public func auditedInventory(namespace: String?, now: Date = Date()) async throws -> Inventory {
        let snapshot = try await kube.loadSnapshot(namespace: namespace)
        return await audited(InventoryBuilder.build(snapshot: snapshot, now: now), of: snapshot, namespace: namespace)
    }

    /// `inventory`, built from `snapshot`, with the cloud side of every binding audited (the fleet
    /// lists under a deadline, then audits).
    public func audited(_ inventory: Inventory, of snapshot: ClusterSnapshot, namespace: String?) async -> Inventory {
        var audit = trustAudit(issuer: inventory.issuer)
        // Only a list of every namespace shows every neighbour a fix could break.
        audit.wholeCluster = namespace == nil && !snapshot.unreadable.contains { $0.what == KubeClient.allNamespacesRead }
        let result = await audit.run(inventory)
        return TrustFolding.apply(result, to: inventory, workloadPool: audit.workloadPool)
    }
}
