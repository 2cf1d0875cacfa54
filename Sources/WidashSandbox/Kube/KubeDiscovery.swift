import Foundation
import WidashSandboxKit

/// Discovery documents (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/GROUP[/VERSION]`) for the
/// resources the sandbox serves, in the legacy (non-aggregated) format every kubectl understands.
enum KubeDiscovery {
    static let gitVersion = "v1.32.4"

    static func version() -> SandboxResponse {
        .json(200, ["major": "1", "minor": "32", "gitVersion": gitVersion,
                    "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335", "gitTreeState": "clean",
                    "buildDate": "2025-04-22T16:02:27Z", "goVersion": "go1.23.6", "compiler": "gc",
                    "platform": "linux/amd64"])
    }

    static func rootPaths() -> SandboxResponse {
        var paths = ["/.well-known/openid-configuration", "/api", "/api/v1", "/apis", "/healthz", "/livez",
                     "/openid/v1/jwks", "/readyz", "/version"]
        for group in groups { paths.append("/apis/\(group.name)"); paths.append("/apis/\(group.name)/\(group.version)") }
        return .json(200, ["paths": paths.sorted()])
    }

    static func apiVersions(serverAddress: String) -> SandboxResponse {
        .json(200, ["kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": serverAddress]]])
    }

    /// Groups other than core, with the version each serves.
    static let groups: [(name: String, version: String)] = [
        ("admissionregistration.k8s.io", "v1"), ("apiextensions.k8s.io", "v1"), ("apps", "v1"), ("authentication.k8s.io", "v1"),
        ("authorization.k8s.io", "v1"), ("aadpodidentity.k8s.io", "v1"), ("batch", "v1"),
    ]

    static func groupObject(_ name: String, _ version: String) -> [String: Any] {
        let gv = ["groupVersion": "\(name)/\(version)", "version": version]
        return ["name": name, "versions": [gv], "preferredVersion": gv]
    }

    static func groupList() -> SandboxResponse {
        .json(200, ["kind": "APIGroupList", "apiVersion": "v1", "groups": groups.map { groupObject($0.name, $0.version) }])
    }

    static func group(_ name: String) -> SandboxResponse? {
        guard let group = groups.first(where: { $0.name == name }) else { return nil }
        var object = groupObject(group.name, group.version)
        object["kind"] = "APIGroup"
        object["apiVersion"] = "v1"
        return .json(200, object)
    }

    static func resourceList(groupVersion: String) -> SandboxResponse? {
        var resources: [[String: Any]] = ResourceType.all.filter { $0.groupVersion == groupVersion }.map { resource in
            var entry: [String: Any] = ["name": resource.plural, "singularName": resource.singular,
                                        "namespaced": resource.namespaced, "kind": resource.kind, "verbs": resource.verbs]
            if !resource.shortNames.isEmpty { entry["shortNames"] = resource.shortNames }
            if !resource.categories.isEmpty { entry["categories"] = resource.categories }
            return entry
        }
        switch groupVersion {
        case "v1":
            resources.append(["name": "serviceaccounts/token", "singularName": "", "namespaced": true,
                              "group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest", "verbs": ["create"]])
            resources.append(["name": "pods/status", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]])
            // Connect subresource: GET for WebSocket, POST for SPDY (KubeExec.swift).
            resources.append(["name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions",
                              "verbs": ["create", "get"]])
        case "authentication.k8s.io/v1":
            resources = [["name": "selfsubjectreviews", "singularName": "selfsubjectreview", "namespaced": false,
                          "kind": "SelfSubjectReview", "verbs": ["create"]]]
        case "authorization.k8s.io/v1":
            resources = [["name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview", "namespaced": false,
                          "kind": "SelfSubjectAccessReview", "verbs": ["create"]]]
        default:
            if resources.isEmpty { return nil }
        }
        return .json(200, ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": groupVersion, "resources": resources])
    }
}
