import Foundation
import WidashCore

/// A Kubernetes object widash lists and watches: it has metadata with a name and a resourceVersion.
public protocol KubeObject: Codable, Sendable, Hashable {
    var metadata: ObjectMeta { get }
}

extension Namespace: KubeObject {}
extension ServiceAccount: KubeObject {}
extension Pod: KubeObject {}
extension MutatingWebhookConfiguration: KubeObject {}
extension AzureIdentity: KubeObject {}
extension AzureIdentityBinding: KubeObject {}
extension DaemonSet: KubeObject {}

/// An API resource: group, version and plural name, and whether it lives in namespaces.
public struct KubeResource: Sendable, Hashable, CustomStringConvertible {
    /// "" for the core group.
    public var group: String
    public var version: String
    public var plural: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.namespaced = namespaced
    }

    public static let namespaces = KubeResource(group: "", version: "v1", plural: "namespaces", namespaced: false)
    public static let serviceAccounts = KubeResource(group: "", version: "v1", plural: "serviceaccounts", namespaced: true)
    public static let pods = KubeResource(group: "", version: "v1", plural: "pods", namespaced: true)
    public static let mutatingWebhookConfigurations = KubeResource(
        group: "admissionregistration.k8s.io", version: "v1", plural: "mutatingwebhookconfigurations", namespaced: false)
    public static let azureIdentities = KubeResource(group: "aadpodidentity.k8s.io", version: "v1", plural: "azureidentities", namespaced: true)
    public static let azureIdentityBindings = KubeResource(group: "aadpodidentity.k8s.io", version: "v1", plural: "azureidentitybindings", namespaced: true)
    public static let daemonSets = KubeResource(group: "apps", version: "v1", plural: "daemonsets", namespaced: true)

    /// e.g. "pods" or "mutatingwebhookconfigurations.admissionregistration.k8s.io".
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The collection or object path; `namespace` nil means all namespaces (or cluster-scoped).
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace, !namespace.isEmpty { path += "/namespaces/\(queryEscape(namespace))" }
        path += "/\(plural)"
        if let name { path += "/\(queryEscape(name))" }
        if let subresource { path += "/\(subresource)" }
        return path
    }
}
