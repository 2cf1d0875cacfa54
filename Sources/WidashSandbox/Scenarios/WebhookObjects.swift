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

        // The EKS Pod Identity agent, which serves the pods' AWS_CONTAINER_CREDENTIALS_FULL_URI: a
        // host-network DaemonSet `eks-pod-identity-agent` in kube-system listening on 169.254.170.23
        // and fd00:ec2::23 port 80 (aws/eks-pod-identity-agent `configuration/config.go`,
        // `cmd/server.go`; the EKS user guide checks it with `kubectl rollout status
        // daemonset/eks-pod-identity-agent --namespace kube-system`).
        let agent = RawObject(
            apiVersion: "apps/v1", kind: "DaemonSet",
            metadata: meta("eks-pod-identity-agent", namespace: "kube-system",
                           labels: ["app.kubernetes.io/name": "eks-pod-identity-agent", "app.kubernetes.io/instance": "eks-pod-identity-agent"]),
            body: ["spec": ["selector": ["matchLabels": ["app.kubernetes.io/name": "eks-pod-identity-agent"]],
                            "template": ["metadata": ["labels": ["app.kubernetes.io/name": "eks-pod-identity-agent"]],
                                         "spec": ["hostNetwork": true, "containers": [[
                                            "name": "eks-pod-identity-agent",
                                            "image": "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/eks-pod-identity-agent:0.1.37",
                                            "args": ["--port", "80", "--cluster-name", .string(DemoDirectory.eksClusterName), "--probe-port", "2703"],
                                            "ports": [["containerPort": 80, "name": "proxy", "protocol": "TCP"]]]]]]],
                   "status": ["currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 3, "numberReady": 3,
                              "numberMisscheduled": 0, "observedGeneration": 1, "updatedNumberScheduled": 3]])
        guard let legacy = DemoDirectory.azureIdentity(namespace: "legacy", serviceAccount: "default") else {
            return [(.mutatingWebhookConfigurations, azure), (.mutatingWebhookConfigurations, aws), (.daemonSets, agent)]
        }
        let resourceID = "/subscriptions/\(DemoDirectory.subscriptionID)/resourcegroups/\(DemoDirectory.resourceGroup)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/\(legacy.displayName)"
        let identity = RawObject(
            apiVersion: "aadpodidentity.k8s.io/v1", kind: "AzureIdentity", metadata: meta("legacy-app", namespace: "legacy"),
            body: ["spec": ["type": 0, "resourceID": .string(resourceID), "clientID": .string(legacy.clientID)]])
        let binding = RawObject(
            apiVersion: "aadpodidentity.k8s.io/v1", kind: "AzureIdentityBinding",
            metadata: meta("legacy-app-binding", namespace: "legacy"),
            body: ["spec": ["azureIdentity": "legacy-app", "selector": "legacy-app"]])

        return [(.mutatingWebhookConfigurations, azure), (.mutatingWebhookConfigurations, aws), (.daemonSets, agent),
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
