import Foundation
import WidashHTTP
import WidashKube

/// What kind of failure an error is, for exit codes and banners: the user's configuration (exit 2)
/// or a remote service (exit 3).
public enum FailureKind: Sendable, Equatable {
    case configuration
    case remote

    public init(_ error: any Error) {
        switch error {
        case is KubeConfigError: self = .configuration
        case let e as KubeClientError:
            if case .readOnly = e { self = .configuration } else { self = .remote }
        case is HTTPError, is KubeAPIError: self = .remote
        case let e as SessionError:
            switch e {
            case .podNotFound, .serviceAccountNotFound, .badArgument, .podTokenReadOnly: self = .configuration
            }
        default: self = .remote
        }
    }

    public var exitCode: Int32 { self == .configuration ? 2 : 3 }
}

/// Errors of the session itself (not of the cluster or the transport).
public enum SessionError: Error, Sendable, Equatable, CustomStringConvertible {
    case podNotFound(namespace: String, name: String)
    case serviceAccountNotFound(namespace: String, name: String)
    case badArgument(String)
    /// `--pod-token` runs a command in the pod, which read-only mode forbids.
    case podTokenReadOnly

    public var description: String {
        switch self {
        case .podNotFound(let ns, let name):
            return "pod \(ns)/\(name) not found: list pods with `widash identities -n \(ns)` or `kubectl get pods -n \(ns)`"
        case .serviceAccountNotFound(let ns, let name):
            return "service account \(ns)/\(name) not found: list them with `kubectl get serviceaccounts -n \(ns)`"
        case .badArgument(let text):
            return text
        case .podTokenReadOnly:
            return "--pod-token reads the pod's token by running `cat` in it (pods/exec), which read-only mode forbids: "
                + "drop --readonly (or readOnly in the config file), or leave out --pod-token"
        }
    }
}
