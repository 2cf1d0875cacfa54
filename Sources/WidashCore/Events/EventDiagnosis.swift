import Foundation

/// What an event means for a workload identity, and what to do: a pure reading of the event's
/// reason and message. The message shapes come from the API server and the controllers:
/// - `Error creating: <err>` is the ReplicaSet/Job/StatefulSet controllers' FailedCreate
///   (kubernetes pkg/controller/controller_utils.go `FailedCreatePodReason`, RealPodControl).
/// - `failed calling webhook "<name>": failed to call webhook: <cause>` is a webhook that could not
///   be reached, and it reaches the caller only when the webhook's failurePolicy is Fail
///   (apiserver pkg/admission/plugin/webhook/errors `ErrCallingWebhook`, mutating/dispatcher.go;
///   with Ignore the call failure is logged and the pod admitted).
/// - `admission webhook "<name>" denied the request: <reason>` is a webhook that answered no
///   (webhook/errors/statuserror.go `ToStatusErr`).
/// - `exceeded quota: <quota>, requested: …` is the ResourceQuota admission plugin
///   (plugin/pkg/admission/resourcequota/controller.go).
public struct EventDiagnosis: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case webhookUnavailable, webhookDenied, quotaExceeded, other
    }
    public var kind: Kind
    /// One line: what it means.
    public var summary: String
    /// Commands to run, in order.
    public var fix: [String]
    /// What else to know (why it blocks, what happens next).
    public var note: String?

    public init(kind: Kind, summary: String, fix: [String], note: String? = nil) {
        self.kind = kind
        self.summary = summary
        self.fix = fix
        self.note = note
    }

    /// The diagnosis of `event`; nil for events widash has nothing to add to (their message stands).
    public static func diagnose(_ event: KubeEvent) -> EventDiagnosis? {
        let message = event.message ?? ""
        let namespace = event.involvedObject.namespace ?? event.metadata.namespace ?? ""
        let object = "\(event.involvedObject.kind.map { $0.lowercased() } ?? "replicaset")/\(event.involvedObject.name ?? "")"
        if let webhook = quoted(after: "failed calling webhook ", in: message) {
            let service = serviceHost(in: message)
            let cause = message.components(separatedBy: "failed to call webhook: ").last.flatMap { text -> String? in
                // The last part after the URL: `…?timeout=10s": no endpoints available for service "x"`.
                guard let range = text.range(of: "\": ", options: .backwards) else { return nil }
                return String(text[range.upperBound...])
            }
            var fix: [String] = []
            if let service {
                fix.append("kubectl -n \(service.namespace) get pods,endpoints   # the webhook's pods and the endpoints of service \(service.name)")
                fix.append("kubectl -n \(service.namespace) describe service \(service.name)")
            } else {
                fix.append("kubectl get mutatingwebhookconfigurations -o wide   # find the configuration of webhook \(webhook) and its service")
            }
            // `kubectl rollout restart` takes deployments, statefulsets and daemonsets only.
            let restart = rolloutTarget(object).map { " (or at once: kubectl -n \(namespace) rollout restart \($0))" } ?? ""
            let why = cause.map { " (\($0))" } ?? ""
            return EventDiagnosis(kind: .webhookUnavailable,
                                  summary: "webhook \(webhook) unavailable\(why), failurePolicy Fail: pods cannot be created",
                                  fix: fix,
                                  note: "failurePolicy Fail blocks every pod creation the webhook matches while it is unreachable; "
                                      + "once its pods are ready the controller retries on its own\(restart)")
        }
        if let webhook = quoted(after: "admission webhook ", in: message), message.contains("denied the request") {
            let reason = message.components(separatedBy: "denied the request: ").dropFirst().joined(separator: "denied the request: ")
            return EventDiagnosis(kind: .webhookDenied,
                                  summary: "webhook \(webhook) refused the pod\(reason.isEmpty ? "" : ": \(reason)"): pods cannot be created",
                                  fix: ["kubectl get mutatingwebhookconfigurations,validatingwebhookconfigurations -o wide   # who runs \(webhook)"],
                                  note: "change the pod template so webhook \(webhook) admits it, or the webhook's policy; then the controller retries")
        }
        if message.contains("exceeded quota: ") {
            let quota = message.components(separatedBy: "exceeded quota: ").last?.split(separator: ",").first.map(String.init) ?? "?"
            return EventDiagnosis(kind: .quotaExceeded,
                                  summary: "ResourceQuota \(quota) in \(namespace) is used up: pods cannot be created",
                                  fix: ["kubectl -n \(namespace) describe resourcequota \(quota)"],
                                  note: "raise the quota or lower the pods' requests; the controller retries on its own")
        }
        return nil
    }

    /// The text between the quotes after `prefix`: `failed calling webhook "x"` → x.
    static func quoted(after prefix: String, in message: String) -> String? {
        guard let start = message.range(of: prefix + "\"") else { return nil }
        let rest = message[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        let name = String(rest[..<end])
        return name.isEmpty ? nil : name
    }

    /// The webhook service from its in-cluster URL: `https://NAME.NAMESPACE.svc:443/…`.
    static func serviceHost(in message: String) -> (name: String, namespace: String)? {
        guard let start = message.range(of: "https://") else { return nil }
        let host = message[start.upperBound...].prefix { $0 != ":" && $0 != "/" && $0 != "\"" }
        let parts = host.split(separator: ".")
        guard parts.count >= 3, parts[2] == "svc" else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// What `kubectl rollout restart` takes for the object: `deployment/checkout` for a Deployment's
    /// ReplicaSet `checkout-<hash>`, a Deployment or StatefulSet itself; nil otherwise (a Job).
    static func rolloutTarget(_ object: String) -> String? {
        if object.hasPrefix("deployment/") || object.hasPrefix("statefulset/") { return object }
        guard object.hasPrefix("replicaset/") else { return nil }
        let name = object.dropFirst("replicaset/".count)
        guard let dash = name.lastIndex(of: "-") else { return nil }
        return "deployment/" + name[..<dash]
    }
}
