import Foundation
import WidashSandboxKit

/// A Kubernetes `Status` failure, thrown inside the API handlers and rendered exactly as the API
/// server renders it (kind Status, status Failure, message, reason, details, code).
struct KubeStatus: Error, Sendable {
    var code: Int
    var reason: String
    var message: String
    var details: [String: JSONValue]?
    var retryAfterSeconds: Int?


    /// The Status object as JSON bytes (also the `object` of a watch ERROR event).
    var json: Data {
        var object: [String: JSONValue] = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]),
                                           "status": "Failure", "message": .string(message), "reason": .string(reason),
                                           "code": .int(code)]
        if let details { object["details"] = .object(details) }
        return (try? JSONEncoder().encode(JSONValue.object(object))) ?? Data()
    }

    var response: SandboxResponse {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let retryAfterSeconds { headers.append(("Retry-After", String(retryAfterSeconds))) }
        return SandboxResponse(status: code, headers: headers, body: json)
    }

    static func notFound(_ resource: ResourceType, _ name: String) -> KubeStatus {
        notFound(qualified: resource.qualifiedName, group: resource.group, name: name)
    }

    static func notFound(qualified: String, group: String, name: String) -> KubeStatus {
        var details: [String: JSONValue] = ["name": .string(name), "kind": .string(qualified.split(separator: ".").first.map(String.init) ?? qualified)]
        if !group.isEmpty { details["group"] = .string(group) }
        return KubeStatus(code: 404, reason: "NotFound", message: "\(qualified) \"\(name)\" not found", details: details)
    }

    static func pathNotFound() -> KubeStatus {
        KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                   details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])
    }

    static let unauthorized = KubeStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")

    /// The RBAC denial message, word for word as the API server writes it.
    static func forbidden(user: String, verb: String, resource: String, group: String, name: String?,
                          namespace: String?) -> KubeStatus {
        let topResource = resource.split(separator: "/").first.map(String.init) ?? resource
        var message = name.map { "\(topResource) \"\($0)\" is forbidden: " } ?? "\(topResource) is forbidden: "
        message += "User \"\(user)\" cannot \(verb) resource \"\(resource)\" in API group \"\(group)\""
        if let namespace { message += " in the namespace \"\(namespace)\"" } else { message += " at the cluster scope" }
        var details: [String: JSONValue] = ["kind": .string(topResource)]
        if let name { details["name"] = .string(name) }
        if !group.isEmpty { details["group"] = .string(group) }
        return KubeStatus(code: 403, reason: "Forbidden", message: message, details: details)
    }

    static func conflict(kind: String, group: String, name: String, detail: String) -> KubeStatus {
        var details: [String: JSONValue] = ["name": .string(name), "kind": .string(kind)]
        if !group.isEmpty { details["group"] = .string(group) }
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        return KubeStatus(code: 409, reason: "Conflict",
                          message: "Operation cannot be fulfilled on \(qualified) \"\(name)\": \(detail)", details: details)
    }

    static func badRequest(_ message: String) -> KubeStatus {
        KubeStatus(code: 400, reason: "BadRequest", message: message)
    }

    /// 410 for a resourceVersion older than the event history (as after an etcd compaction).
    static func expired(_ message: String) -> KubeStatus {
        KubeStatus(code: 410, reason: "Expired", message: message)
    }

    static let continueExpired = expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")

    /// 422 with field causes, e.g. `TokenRequest.authentication.k8s.io "frontend" is invalid: spec.expirationSeconds: …`.
    static func invalid(kind: String, group: String, name: String, causes: [(field: String, message: String)]) -> KubeStatus {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let text = causes.map { "\($0.field): \($0.message)" }
        let joined = text.count == 1 ? text[0] : "[" + text.joined(separator: ", ") + "]"
        var details: [String: JSONValue] = [
            "name": .string(name), "kind": .string(kind),
            "causes": .array(causes.map { ["reason": "FieldValueInvalid", "message": .string($0.message), "field": .string($0.field)] }),
        ]
        if !group.isEmpty { details["group"] = .string(group) }
        return KubeStatus(code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(joined)", details: details)
    }

    static func methodNotAllowed(_ method: String) -> KubeStatus {
        KubeStatus(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    /// An injected failure (faults): the statuses a real API server or its load balancer answers with.
    static func injected(code: Int, retryAfter: Int) -> KubeStatus {
        switch code {
        case 429:
            return KubeStatus(code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.",
                              details: ["retryAfterSeconds": .int(retryAfter)], retryAfterSeconds: retryAfter)
        case 503:
            return KubeStatus(code: 503, reason: "ServiceUnavailable", message: "The server is currently unable to handle the request",
                              details: ["retryAfterSeconds": .int(retryAfter)], retryAfterSeconds: retryAfter)
        case 504:
            return KubeStatus(code: 504, reason: "Timeout", message: "The server was unable to return a response in the time allotted, but may still be processing the request")
        default:
            return KubeStatus(code: code, reason: "InternalError",
                              message: "Internal error occurred: injected fault (widash sandbox --faults)",
                              details: ["causes": [["message": "injected fault (widash sandbox --faults)"]]])
        }
    }
}
