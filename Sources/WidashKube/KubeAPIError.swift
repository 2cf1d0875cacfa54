import Foundation
import WidashKubeProtobuf

/// The Kubernetes `Status` object the API server returns with errors (and ERROR watch events).
public struct KubeStatus: Codable, Sendable, Equatable {
    public struct Details: Codable, Sendable, Equatable {
        public struct Cause: Codable, Sendable, Equatable {
            public var reason: String?
            public var message: String?
            public var field: String?
        }
        public var name: String?
        public var group: String?
        public var kind: String?
        public var causes: [Cause]?
        public var retryAfterSeconds: Int?
    }
    public var kind: String?
    public var apiVersion: String?
    public var status: String?
    public var message: String?
    public var reason: String?
    public var code: Int?
    public var details: Details?

    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil, code: Int? = nil) {
        self.kind = "Status"
        self.apiVersion = "v1"
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
    }

    /// The same Status read from a protobuf error body.
    init(protobuf: KubeProtobufStatus) {
        self.init(status: protobuf.status, message: protobuf.message, reason: protobuf.reason, code: protobuf.code)
        if protobuf.name != nil || protobuf.group != nil || protobuf.kind != nil || !protobuf.causes.isEmpty
            || protobuf.retryAfterSeconds != nil {
            details = Details(name: protobuf.name, group: protobuf.group, kind: protobuf.kind,
                              causes: protobuf.causes.isEmpty ? nil : protobuf.causes.map {
                                  Details.Cause(reason: $0.reason, message: $0.message, field: $0.field)
                              },
                              retryAfterSeconds: protobuf.retryAfterSeconds)
        }
    }

    /// Decodes a Status from a response body; nil when the body is something else (HTML, plain text).
    public static func decode(_ body: Data) -> KubeStatus? {
        guard let status = try? JSONDecoder().decode(KubeStatus.self, from: body), status.kind == "Status" else { return nil }
        return status
    }
}

/// An RBAC permission in kubectl's terms: `kubectl auth can-i VERB RESOURCE [-n NAMESPACE]`.
public struct RBACPermission: Sendable, Equatable, CustomStringConvertible {
    public var verb: String
    /// "pods", "serviceaccounts/token", "mutatingwebhookconfigurations.admissionregistration.k8s.io",
    /// or a non-resource URL such as "/version".
    public var resource: String
    public var namespace: String?
    public var isNonResourceURL: Bool

    /// "create serviceaccounts/token" in namespace "shop"
    public var description: String {
        if isNonResourceURL { return "\"\(verb)\" on non-resource URL \"\(resource)\"" }
        let scope = namespace.map { " in namespace \"\($0)\"" } ?? " cluster-wide"
        return "\"\(verb) \(resource)\"\(scope)"
    }

    /// The permission a request needs, derived from its method and path as the API server's
    /// RequestInfo resolver does.
    public static func required(method: String, path: String) -> RBACPermission {
        let parts = path.split(separator: "?", maxSplits: 1)
        let route = parts.first.map(String.init) ?? path
        let query = parts.count > 1 ? String(parts[1]) : ""
        let isWatch = query.split(separator: "&").contains { $0 == "watch=1" || $0 == "watch=true" }
        var segments = route.split(separator: "/").map(String.init)
        var group = ""
        if segments.first == "api", segments.count >= 2 {
            segments.removeFirst(2)
        } else if segments.first == "apis", segments.count >= 3 {
            group = segments[1]
            segments.removeFirst(3)
        } else {
            return RBACPermission(verb: method.lowercased() == "get" ? "get" : method.lowercased(), resource: route,
                                  namespace: nil, isNonResourceURL: true)
        }
        var namespace: String?
        if segments.first == "namespaces", segments.count >= 3 {
            namespace = segments[1]
            segments.removeFirst(2)
        }
        let resource = segments.first ?? ""
        let name = segments.count >= 2 ? segments[1] : nil
        let subresource = segments.count >= 3 ? segments[2] : nil
        let verb: String
        switch method.uppercased() {
        case "GET", "HEAD": verb = isWatch ? "watch" : (name == nil ? "list" : "get")
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name == nil ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
        var full = subresource.map { "\(resource)/\($0)" } ?? resource
        if !group.isEmpty { full += ".\(group)" }
        return RBACPermission(verb: verb, resource: full, namespace: namespace, isNonResourceURL: false)
    }
}

/// An error status from the API server, decoded and explained.
public struct KubeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var statusCode: Int
    public var method: String
    public var path: String
    public var userName: String
    /// The decoded Status, when the body was one.
    public var status: KubeStatus?
    /// The start of the body when it was not a Status (an HTML error page from a proxy, say).
    public var bodySnippet: String?
    public var contentType: String?

    public init(statusCode: Int, method: String, path: String, userName: String, status: KubeStatus? = nil,
                bodySnippet: String? = nil, contentType: String? = nil) {
        self.statusCode = statusCode
        self.method = method
        self.path = path
        self.userName = userName
        self.status = status
        self.bodySnippet = bodySnippet
        self.contentType = contentType
    }

    /// For 403: the permission the request needed.
    public var missingPermission: RBACPermission? {
        statusCode == 403 ? RBACPermission.required(method: method, path: path) : nil
    }

    public var description: String {
        let request = "\(method) \(path.split(separator: "?").first.map(String.init) ?? path)"
        let user = userName.isEmpty ? "the current user" : "user \"\(userName)\""
        let server = serverSays
        switch statusCode {
        case 401:
            return "unauthorized (401) on \(request): check the credentials of \(user) (expired token or certificate? log in again)\(server)"
        case 403:
            let permission = RBACPermission.required(method: method, path: path)
            return "forbidden (403) on \(request): \(user) needs RBAC permission \(permission): ask a cluster admin to grant it\(server)"
        case 404:
            return "not found (404) on \(request): the object or API does not exist on this cluster\(server)"
        case 409:
            return "conflict (409) on \(request): the object changed or already exists; retry\(server)"
        case 410:
            return "gone (410) on \(request): the resource version expired; list again\(server)"
        case 429:
            return "too many requests (429) on \(request): the API server is throttling; try again later\(server)"
        default:
            let kind = statusCode >= 500 ? "server error" : "error"
            return "\(kind) (\(statusCode)) on \(request)\(server.isEmpty ? ": check the API server" : server)"
        }
    }

    private var serverSays: String {
        if let message = status?.message, !message.isEmpty {
            return " (server: \(KubeConfigError.oneLine(message)))"
        }
        if let snippet = bodySnippet, !snippet.isEmpty {
            let what = contentType?.contains("html") == true ? "an HTML page" : "a non-Kubernetes body"
            return " (the server answered with \(what), not a Kubernetes Status: is the server URL behind a proxy or wrong?)"
        }
        return ""
    }
}

/// Client-side failures that are not HTTP statuses.
public enum KubeClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The client is read-only and the call would have changed something or minted a token.
    case readOnly(action: String)
    /// The response was not the JSON expected (truncated, wrong types).
    case decoding(path: String, detail: String)
    /// A continue token kept expiring while paging (the collection changes too fast).
    case listKeptExpiring(path: String)

    public var description: String {
        switch self {
        case .readOnly(let action):
            return "refused to \(action): widash is in read-only mode (drop --readonly, or set readOnly: false in the config file, to allow it)"
        case .decoding(let path, let detail):
            return "the API server's answer to \(path) could not be read (\(detail)): is the server a Kubernetes API server of a supported version?"
        case .listKeptExpiring(let path):
            return "listing \(path) kept failing with expired continue tokens: retry later"
        }
    }
}
