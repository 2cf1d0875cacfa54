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
        let columns = [
            Self.tableColumn("Last Seen", "The last time the event was seen"),
            Self.tableColumn("Type", "The type of the event"),
            Self.tableColumn("Reason", "The reason of the event"),
            Self.tableColumn("Object", "The involved object of the event"),
            Self.tableColumn("Subobject", "The subobject of the event", priority: 1),
            Self.tableColumn("Source", "The source of the event", priority: 1),
            Self.tableColumn("Message", "The message of the event"),
            Self.tableColumn("First Seen", "The first time the event was seen", priority: 1),
            Self.tableColumn("Count", "The count of the event", priority: 1),
            Self.tableColumn("Name", "The name of the event", priority: 1, format: "name"),
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
        return try await tableResponse(columns: columns, rows: rows)
    }
}
