import Foundation

/// The field selectors the API server accepts on core/v1 events: kubernetes/kubernetes
/// pkg/registry/core/event/strategy.go `ToSelectableFields` (metadata.name, metadata.namespace,
/// involvedObject.{kind,namespace,name,uid,apiVersion,resourceVersion,fieldPath}, reason,
/// reportingComponent, source, type). kubectl describe uses `involvedObject.name/namespace/kind/uid`.
extension ClusterStore {
    static let eventSelectableFields: Set<String> = [
        "metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ]

    static func eventFields(_ event: CoreEvent) -> [String: String] {
        [
            "involvedObject.kind": event.involvedObject.kind,
            "involvedObject.namespace": event.involvedObject.namespace ?? "",
            "involvedObject.name": event.involvedObject.name,
            "involvedObject.uid": event.involvedObject.uid,
            "involvedObject.apiVersion": event.involvedObject.apiVersion,
            "involvedObject.resourceVersion": event.involvedObject.resourceVersion ?? "",
            "involvedObject.fieldPath": "",
            "reason": event.reason,
            "reportingComponent": event.reportingComponent,
            // strategy.go: `source` selects on source.component.
            "source": event.source.component,
            "type": event.type,
        ]
    }
}
