import Foundation
import WidashSandboxKit

/// The `scale` scenario: any number of namespaces, service accounts and pods with realistic bodies
/// (about 3 KB of JSON per pod), in a stable order, for performance and paging work. A third of the
/// service accounts are federated to Azure, a third to AWS (IRSA), the rest have no identity.
enum ScaleScenario {
    static func load(into store: ClusterStore, namespaces: Int, serviceAccounts: Int, pods: Int, now: Date) async throws {
        let namespaceCount = max(1, namespaces)
        let accountCount = max(1, serviceAccounts)
        let birth = now.addingTimeInterval(-30 * 86400)
        let nodes = (0..<max(3, pods / 100)).map { index in
            (name: String(format: "aks-scale-%08d-vmss%06d", 13_572_468, index), ip: "10.\(224 + index / 60_000).\(index / 250 % 240).\(index % 250 + 4)")
        }
        var objects: [(ResourceType, any KubeObject)] = []
        objects.reserveCapacity(namespaceCount + accountCount + pods + nodes.count)
        for (index, node) in nodes.enumerated() {
            objects.append((.nodes, DemoScenario.makeNode(name: node.name, ip: node.ip, index: index, created: birth)))
        }
        let namespaceNames = (0..<namespaceCount).map { String(format: "team-%04d", $0) }
        for name in namespaceNames {
            objects.append((.namespaces, Namespace(metadata: ObjectMeta(
                name: name, uid: Deterministic.uid("ns/\(name)"), creationTimestamp: Deterministic.timestamp(birth),
                labels: ["kubernetes.io/metadata.name": name, "widash.dev/scenario": "scale"]))))
        }
        struct Account { var namespace: String; var name: String; var injection: PodIdentityInjection }
        var accounts: [Account] = []
        accounts.reserveCapacity(accountCount)
        for index in 0..<accountCount {
            let namespace = namespaceNames[index % namespaceCount]
            let name = String(format: "svc-%05d", index)
            var annotations: [String: String]?
            let injection: PodIdentityInjection
            switch index % 3 {
            case 0:
                let clientID = Deterministic.uid("scale-client/\(index)")
                annotations = ["azure.workload.identity/client-id": clientID, "azure.workload.identity/tenant-id": DemoDirectory.tenantID]
                injection = .azure(clientID: clientID, tenantID: DemoDirectory.tenantID)
            case 1:
                let role = "arn:aws:iam::\(DemoDirectory.awsAccountID):role/\(name)"
                annotations = ["eks.amazonaws.com/role-arn": role]
                injection = .irsa(roleARN: role, region: DemoDirectory.awsRegion)
            default:
                injection = .none
            }
            accounts.append(Account(namespace: namespace, name: name, injection: injection))
            objects.append((.serviceAccounts, ServiceAccount(metadata: ObjectMeta(
                name: name, namespace: namespace, uid: Deterministic.uid("sa/\(namespace)/\(name)"),
                creationTimestamp: Deterministic.timestamp(birth), labels: ["app.kubernetes.io/name": name],
                annotations: annotations))))
        }
        var blueprints: [PodBlueprint] = []
        blueprints.reserveCapacity(max(0, pods))
        for index in 0..<max(0, pods) {
            let account = accounts[index % accountCount]
            let node = nodes[index % nodes.count]
            let replica = index / accountCount
            let azureLabel: [String: String] = {
                if case .azure = account.injection { return ["azure.workload.identity/use": "true"] }
                return [:]
            }()
            let blueprint = PodBlueprint(
                namespace: account.namespace,
                name: "\(account.name)-\(Deterministic.suffix("rs/\(account.name)", count: 10))-\(Deterministic.suffix("pod/\(index)"))",
                serviceAccount: account.name, app: account.name,
                image: "registry.example.com/\(account.name):1.\(index % 7).\(replica % 10)",
                nodeName: node.name, nodeIP: node.ip,
                podIP: "10.\(128 + index / 65_025 % 64).\(index / 255 % 255).\(index % 255 + 1)",
                labels: azureLabel.merging(["tier": index % 2 == 0 ? "web" : "worker"]) { $1 },
                injection: account.injection,
                created: birth.addingTimeInterval(Double(index % 86_400)))
            blueprints.append(blueprint)
        }
        try await store.load(objects)
        let first = await store.currentResourceVersion + 1
        let entries = try await ClusterStore.renderConcurrently(blueprints, firstResourceVersion: first) { blueprint in
            (.pods, PodFactory.make(blueprint))
        }
        await store.loadRendered(entries)
    }
}
