import Foundation

/// One resource the sandbox's Kubernetes API serves, with what discovery says about it.
struct ResourceType: Sendable, Hashable {
    var group: String
    var version: String
    var plural: String
    var singular: String
    var kind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var verbs: [String] = ["get", "list", "watch"]
    var categories: [String] = []

    var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var listKind: String { kind + "List" }
    /// The resource as RBAC and Status details name it, e.g. `serviceaccounts`.
    var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", singular: "namespace",
                                         kind: "Namespace", namespaced: false, shortNames: ["ns"])
    static let nodes = ResourceType(group: "", version: "v1", plural: "nodes", singular: "node",
                                    kind: "Node", namespaced: false, shortNames: ["no"])
    static let pods = ResourceType(group: "", version: "v1", plural: "pods", singular: "pod", kind: "Pod",
                                   namespaced: true, shortNames: ["po"], categories: ["all"])
    static let serviceAccounts = ResourceType(group: "", version: "v1", plural: "serviceaccounts",
                                              singular: "serviceaccount", kind: "ServiceAccount",
                                              namespaced: true, shortNames: ["sa"])
    static let mutatingWebhookConfigurations = ResourceType(
        group: "admissionregistration.k8s.io", version: "v1", plural: "mutatingwebhookconfigurations",
        singular: "mutatingwebhookconfiguration", kind: "MutatingWebhookConfiguration", namespaced: false,
        categories: ["api-extensions"])
    static let customResourceDefinitions = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
        singular: "customresourcedefinition", kind: "CustomResourceDefinition", namespaced: false,
        shortNames: ["crd", "crds"], categories: ["api-extensions"])
    static let azureIdentities = ResourceType(group: "aadpodidentity.k8s.io", version: "v1", plural: "azureidentities",
                                              singular: "azureidentity", kind: "AzureIdentity", namespaced: true)
    static let azureIdentityBindings = ResourceType(group: "aadpodidentity.k8s.io", version: "v1",
                                                    plural: "azureidentitybindings", singular: "azureidentitybinding",
                                                    kind: "AzureIdentityBinding", namespaced: true)

    static let daemonSets = ResourceType(group: "apps", version: "v1", plural: "daemonsets", singular: "daemonset",
                                         kind: "DaemonSet", namespaced: true, shortNames: ["ds"], categories: ["all"])

    /// Everything served, in discovery order.
    static let all: [ResourceType] = [.namespaces, .nodes, .pods, .serviceAccounts, .mutatingWebhookConfigurations,
                                      .customResourceDefinitions, .azureIdentities, .azureIdentityBindings, .daemonSets,
                                      .events, .replicaSets, .deployments, .statefulSets, .jobs]

    static func find(groupVersion: String, plural: String) -> ResourceType? {
        all.first { $0.groupVersion == groupVersion && $0.plural == plural }
    }
}
