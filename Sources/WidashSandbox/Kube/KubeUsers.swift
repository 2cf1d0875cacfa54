import Foundation

/// A user of the sandbox's Kubernetes API, authenticated by bearer token, with what RBAC grants it.
/// Requests are authorized as kube-apiserver's RBAC authorizer decides them: the verb from the
/// method (`get`/`list`/`watch`, `create` for POST; pkg/endpoints/request/requestinfo.go), the
/// resource with its subresource, the namespace; a denial is a 403 `Status` worded as the API
/// server words it (KubeStatus.forbidden).
struct KubeUser: Sendable {
    enum Grant: Sendable {
        /// ClusterRole `cluster-admin` through group `system:masters`: everything.
        case clusterAdmin
        /// A cluster-wide reader that may not mint tokens (the demo's viewer): get/list/watch on
        /// every resource, cluster-scoped ones included, but none of the pod subresources that
        /// reach into a container (the `view` ClusterRole grants pods, pods/log and pods/status, not
        /// pods/exec, pods/attach, pods/portforward or pods/proxy: kubernetes/kubernetes
        /// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, `view`).
        case clusterReader
        /// RoleBindings in these namespaces only (an application team): get/list/watch pods and
        /// service accounts (and events), create serviceaccounts/token; nothing cluster-scoped, no
        /// cluster-wide lists, no other namespace.
        case namespaces(Set<String>)
    }

    var name: String
    var groups: [String]
    var grant: Grant

    /// May this user do `verb` on `resource` (a subresource as `resource/sub`) of `group` in
    /// `namespace` (nil: cluster-scoped, or a list across all namespaces)? Self reviews are allowed
    /// for every authenticated user.
    func allows(verb: String, resource: String, group: String, namespace: String?) -> Bool {
        if verb == "create", group == "authentication.k8s.io" || group == "authorization.k8s.io" { return true }
        switch grant {
        case .clusterAdmin:
            return true
        case .clusterReader:
            return ["get", "list", "watch"].contains(verb) && !Self.containerAccess.contains(resource)
        case .namespaces(let allowed):
            guard let namespace, allowed.contains(namespace) else { return false }
            switch verb {
            case "get", "list", "watch": return group == "" && ["pods", "serviceaccounts", "events", "pods/log"].contains(resource)
            case "create": return resource == "serviceaccounts/token"
            default: return false
            }
        }
    }

    /// Pod subresources that run or reach into a container.
    static let containerAccess: Set<String> = ["pods/exec", "pods/attach", "pods/portforward", "pods/proxy"]

    /// The binding that allowed a request, as `SelfSubjectAccessReview` reports it.
    var allowedBy: String {
        switch grant {
        case .clusterAdmin:
            return "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\""
        case .clusterReader:
            return "RBAC: allowed by ClusterRoleBinding \"widash-viewer\" of ClusterRole \"view\" to ServiceAccount \"viewer/widash\""
        case .namespaces:
            return "RBAC: allowed by RoleBinding \"shop-developers/shop\" of ClusterRole \"edit\" to User \"\(name)\""
        }
    }

    static func randomToken(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + bytes.map { String(format: "%02x", $0) }.joined()
    }
}
