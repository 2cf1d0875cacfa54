import Foundation
import WidashSandboxKit

/// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, what `kubectl get`
/// asks for) of nodes, with the columns and cells of kube-apiserver's printer
/// (kubernetes/kubernetes pkg/printers/internalversion/printers.go `nodeColumnDefinitions`,
/// `printNode`), so `kubectl get nodes` shows STATUS (Ready / NotReady) as against a real cluster.
/// Other resources are answered as plain objects, which kubectl prints as NAME and AGE.
extension KubeAPI {
    static func wantsTable(_ request: SandboxRequest) -> Bool {
        (request.headers["accept"] ?? "").contains("as=Table")
    }

    /// A column definition of a server-side Table (meta.k8s.io/v1 TableColumnDefinition).
    static func tableColumn(_ name: String, _ description: String, priority: Int = 0, format: String = "") -> [String: Any] {
        ["name": name, "type": "string", "format": format, "description": description, "priority": priority]
    }

    /// A meta.k8s.io/v1 Table as the API server answers `Accept: …;as=Table` (kubectl's printing).
    func tableResponse(columns: [[String: Any]], rows: [[String: Any]]) async throws -> SandboxResponse {
        let body: [String: Any] = ["kind": "Table", "apiVersion": "meta.k8s.io/v1",
                                   "metadata": ["resourceVersion": String(await store.currentResourceVersion)],
                                   "columnDefinitions": columns, "rows": rows]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.withoutEscapingSlashes])
        return SandboxResponse(status: 200, headers: [("Content-Type", "application/json;as=Table;v=v1;g=meta.k8s.io")], body: data)
    }

    func nodeTable(name: String?) async throws -> SandboxResponse {
        let entries: [StoredEntry]
        if let name {
            guard let entry = await store.get(.nodes, namespace: nil, name: name) else { throw KubeStatus.notFound(.nodes, name) }
            entries = [entry]
        } else {
            entries = await store.objects(.nodes)
        }
        let columns = [
            Self.tableColumn("Name", "Name must be unique within a namespace.", format: "name"),
            Self.tableColumn("Status", "The status of the node"),
            Self.tableColumn("Roles", "The roles of the node"),
            Self.tableColumn("Age", "CreationTimestamp is a timestamp representing the server time when this object was created."),
            Self.tableColumn("Version", "Kubelet Version reported by the node."),
            Self.tableColumn("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", priority: 1),
            Self.tableColumn("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", priority: 1),
            Self.tableColumn("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", priority: 1),
            Self.tableColumn("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1),
            Self.tableColumn("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", priority: 1),
        ]
        let time = now()
        var rows: [[String: Any]] = []
        for entry in entries {
            guard let node = entry.object as? Node,
                  let metadata = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(node.metadata)) else { continue }
            // printNode: Ready True → "Ready", otherwise "NotReady"; no Ready condition → "Unknown".
            let ready = node.status.conditions.first { $0.type == "Ready" }
            let status = ready.map { $0.status == "True" ? "Ready" : "NotReady" } ?? "Unknown"
            let roles = (node.metadata.labels ?? [:]).keys.filter { $0.hasPrefix("node-role.kubernetes.io/") }
                .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
            let created = KubeTime.parse(node.metadata.creationTimestamp) ?? time
            let internalIP = node.status.addresses.first { $0.type == "InternalIP" }?.address ?? "<none>"
            let externalIP = node.status.addresses.first { $0.type == "ExternalIP" }?.address ?? "<none>"
            rows.append([
                "cells": [node.metadata.name, status, roles.isEmpty ? "<none>" : roles.joined(separator: ","),
                          Self.humanDuration(Int(time.timeIntervalSince(created))), node.status.nodeInfo.kubeletVersion,
                          internalIP, externalIP, node.status.nodeInfo.osImage, node.status.nodeInfo.kernelVersion,
                          node.status.nodeInfo.containerRuntimeVersion],
                "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata],
            ])
        }
        return try await tableResponse(columns: columns, rows: rows)
    }

    /// k8s.io/apimachinery pkg/util/duration `HumanDuration`, the AGE column.
    static func humanDuration(_ seconds: Int) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 { return (hours / 24) % 365 == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\((hours / 24) % 365)d" }
        return "\(hours / 24 / 365)y"
    }
}
