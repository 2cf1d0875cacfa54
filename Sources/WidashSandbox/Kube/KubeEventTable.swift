import Foundation
import WidashSandboxKit

/// Server-side printing of events, so `kubectl get events` shows what it shows against a real
/// cluster: kube-apiserver's printer (kubernetes/kubernetes pkg/printers/internalversion/printers.go
/// `eventColumnDefinitions`, `printEvent`): LAST SEEN as "2m (x20 over 41m)" for repeated events,
/// TYPE, REASON, OBJECT as `kind/name` lower-cased (`printObjectRef`), MESSAGE; the source, first
/// seen, count and name at priority 1 (`-o wide`).
extension KubeAPI {
    func eventTable(_ query: ObjectQuery) async throws -> SandboxResponse {
        let entries = await store.objects(.events).filter { query.matches($0) }
        func column(_ name: String, _ description: String, priority: Int = 0, format: String = "") -> [String: Any] {
            ["name": name, "type": "string", "format": format, "description": description, "priority": priority]
        }
        let columns = [
            column("Last Seen", "The last time the event was seen"),
            column("Type", "The type of the event"),
            column("Reason", "The reason of the event"),
            column("Object", "The involved object of the event"),
            column("Subobject", "The subobject of the event", priority: 1),
            column("Source", "The source of the event", priority: 1),
            column("Message", "The message of the event"),
            column("First Seen", "The first time the event was seen", priority: 1),
            column("Count", "The count of the event", priority: 1),
            column("Name", "The name of the event", priority: 1, format: "name"),
        ]
        let time = now()
        func since(_ stamp: String) -> String {
            guard let date = KubeTime.parse(stamp) else { return "<unknown>" }
            return Self.humanDuration(Int(time.timeIntervalSince(date)))
        }
        var rows: [[String: Any]] = []
        for entry in entries {
            guard let event = entry.object as? CoreEvent,
                  let metadata = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(event.metadata)) else { continue }
            let lastSeen = event.count > 1
                ? "\(since(event.lastTimestamp)) (x\(event.count) over \(since(event.firstTimestamp)))" : since(event.lastTimestamp)
            rows.append([
                "cells": [lastSeen, event.type, event.reason,
                          "\(event.involvedObject.kind.lowercased())/\(event.involvedObject.name)", "",
                          event.source.component, event.message, since(event.firstTimestamp), event.count, event.metadata.name],
                "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata],
            ])
        }
        let body: [String: Any] = ["kind": "Table", "apiVersion": "meta.k8s.io/v1",
                                   "metadata": ["resourceVersion": String(await store.currentResourceVersion)],
                                   "columnDefinitions": columns, "rows": rows]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.withoutEscapingSlashes])
        return SandboxResponse(status: 200, headers: [("Content-Type", "application/json;as=Table;v=v1;g=meta.k8s.io")], body: data)
    }
}
