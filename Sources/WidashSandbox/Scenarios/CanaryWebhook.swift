import Foundation

/// The canary release of azure-workload-identity that shop/checkout's revision 2 opted into (see
/// StuckRollout): the same chart's MutatingWebhookConfiguration under another release name, its
/// webhook selecting only pods labelled for the canary channel, failing closed (`failurePolicy: Fail`
/// is the chart's default, as in the main install). Its service has no ready endpoints, so every
/// call fails (the API server's service resolver: "no endpoints available for service").
/// The name sorts after the main configuration's, which stays the webhook readings refer to.
enum CanaryWebhook {
    static func configuration(created: Date) -> (ResourceType, any KubeObject) {
        let name = StuckRollout.webhookConfiguration
        let podRule: JSONValue = ["apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                                  "resources": ["pods"], "scope": "*"]
        let caBundle = JSONValue.string(Data("widash sandbox canary webhook CA (placeholder)".utf8).base64EncodedString())
        return (.mutatingWebhookConfigurations, RawObject(
            apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration",
            metadata: ObjectMeta(name: name, uid: Deterministic.uid("obj//\(name)"), generation: 1,
                                 creationTimestamp: Deterministic.timestamp(created),
                                 labels: ["azure-workload-identity.io/system": "true", "app.kubernetes.io/version": "v1.7.0-rc.1"]),
            body: ["webhooks": [[
                "name": .string(StuckRollout.webhookName),
                "admissionReviewVersions": ["v1", "v1beta1"],
                "clientConfig": ["caBundle": caBundle, "service": [
                    "name": .string(StuckRollout.webhookService), "namespace": .string(StuckRollout.webhookNamespace),
                    "path": "/mutate-v1-pod", "port": 443]],
                "failurePolicy": "Fail",
                "matchPolicy": "Equivalent",
                "namespaceSelector": [:],
                "objectSelector": ["matchLabels": .object(["azure.workload.identity/use": "true", StuckRollout.channelLabel: "canary"])],
                "reinvocationPolicy": "IfNeeded",
                "rules": [podRule],
                "sideEffects": "None",
                "timeoutSeconds": 10,
            ]]]))
    }
}
