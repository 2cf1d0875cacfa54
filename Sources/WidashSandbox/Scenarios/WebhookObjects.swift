import Foundation
import WidashSandboxKit

/// The admission webhooks and aad-pod-identity objects of the demo cluster, shaped as the
/// azure-workload-identity (v1.6) and amazon-eks-pod-identity-webhook installs and the
/// aad-pod-identity CRDs leave them.
enum WebhookObjects {
    static func all(created: Date) -> [(ResourceType, any KubeObject)] {
        let time = Deterministic.timestamp(created)
        func meta(_ name: String, namespace: String? = nil, labels: [String: String]? = nil) -> ObjectMeta {
            ObjectMeta(name: name, namespace: namespace, uid: Deterministic.uid("obj/\(namespace ?? "")/\(name)"),
                       generation: 1, creationTimestamp: time, labels: labels)
        }
        let podRule: JSONValue = ["apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                  "resources": ["pods"], "scope": "*"]
        let caBundle = JSONValue.string(Data("widash sandbox webhook CA (placeholder)".utf8).base64EncodedString())

        let azure = RawObject(
            apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration",
            metadata: meta("azure-wi-webhook-mutating-webhook-configuration",
                           labels: ["azure-workload-identity.io/system": "true", "app.kubernetes.io/version": "v1.6.0"]),
            body: ["webhooks": [[
                "name": "mutation.azure-workload-identity.io",
                "admissionReviewVersions": ["v1", "v1beta1"],
                "clientConfig": ["caBundle": caBundle, "service": [
                    "name": "azure-wi-webhook-webhook-service", "namespace": "azure-workload-identity-system",
                    "path": "/mutate-v1-pod", "port": 443]],
                "failurePolicy": "Fail",
                "matchPolicy": "Equivalent",
                "namespaceSelector": [:],
                "objectSelector": ["matchLabels": ["azure.workload.identity/use": "true"]],
                "reinvocationPolicy": "IfNeeded",
                "rules": [podRule],
                "sideEffects": "None",
                "timeoutSeconds": 10,
            ]]])

        let aws = RawObject(
            apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration",
            metadata: meta("pod-identity-webhook"),
            body: ["webhooks": [[
                "name": "iam-for-pods.amazonaws.com",
                "admissionReviewVersions": ["v1beta1"],
                "clientConfig": ["caBundle": caBundle, "url": "https://127.0.0.1:23443/mutate"],
                "failurePolicy": "Ignore",
                "matchPolicy": "Equivalent",
                "namespaceSelector": [:],
                "objectSelector": ["matchExpressions": [[
                    "key": "eks.amazonaws.com/skip-pod-identity-webhook", "operator": "DoesNotExist", "values": []]]],
                "reinvocationPolicy": "IfNeeded",
                "rules": [podRule],
                "sideEffects": "None",
                "timeoutSeconds": 10,
            ]]])

        guard let legacy = DemoDirectory.azureIdentity(namespace: "legacy", serviceAccount: "default") else {
            return [(.mutatingWebhookConfigurations, azure), (.mutatingWebhookConfigurations, aws)]
        }
        let resourceID = "/subscriptions/\(DemoDirectory.subscriptionID)/resourcegroups/\(DemoDirectory.resourceGroup)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/\(legacy.displayName)"
        let identity = RawObject(
            apiVersion: "aadpodidentity.k8s.io/v1", kind: "AzureIdentity", metadata: meta("legacy-app", namespace: "legacy"),
            body: ["spec": ["type": 0, "resourceID": .string(resourceID), "clientID": .string(legacy.clientID)]])
        let binding = RawObject(
            apiVersion: "aadpodidentity.k8s.io/v1", kind: "AzureIdentityBinding",
            metadata: meta("legacy-app-binding", namespace: "legacy"),
            body: ["spec": ["azureIdentity": "legacy-app", "selector": "legacy-app"]])

        return [(.mutatingWebhookConfigurations, azure), (.mutatingWebhookConfigurations, aws),
                (.customResourceDefinitions, crd(.azureIdentities, meta: meta)),
                (.customResourceDefinitions, crd(.azureIdentityBindings, meta: meta)),
                (.azureIdentities, identity), (.azureIdentityBindings, binding)]
    }

    static func crd(_ resource: ResourceType, meta: (String, String?, [String: String]?) -> ObjectMeta) -> RawObject {
        let names: JSONValue = ["kind": .string(resource.kind), "listKind": .string(resource.listKind),
                                "plural": .string(resource.plural), "singular": .string(resource.singular)]
        return RawObject(
            apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition",
            metadata: meta("\(resource.plural).\(resource.group)", nil, nil),
            body: [
                "spec": ["group": .string(resource.group), "names": names, "scope": "Namespaced",
                         "versions": [["name": .string(resource.version), "served": true, "storage": true,
                                       "schema": ["openAPIV3Schema": ["type": "object",
                                                                      "x-kubernetes-preserve-unknown-fields": true]]]]],
                "status": ["acceptedNames": names, "storedVersions": [.string(resource.version)],
                           "conditions": [["type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                                           "message": "the initial names have been accepted"]]],
            ])
    }
}
