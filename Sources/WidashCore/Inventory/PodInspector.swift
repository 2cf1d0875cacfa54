import Foundation
import Synchronization

/// What a webhook (or a person) put into a pod for workload identity, read from its spec.
public struct PodInjection: Sendable, Hashable {
    /// The provider whose token-file env var is present; nil when none is.
    public var provider: Provider?
    /// Identity env var names present in any container, in a fixed order.
    public var envNames: [String]
    /// The token file named by the provider's env var.
    public var tokenPath: String?
    /// The projected service-account token that provides `tokenPath`, when one does.
    public var projection: ServiceAccountTokenProjection?

    /// Env vars of `provider`'s injection that are missing.
    public var missingEnv: [String]

    /// True when the env var names a file that a projected token volume provides.
    public var tokenMounted: Bool { projection != nil }
    /// True when all of the provider's env vars are present and the token is mounted.
    public var injected: Bool { provider != nil && missingEnv.isEmpty && tokenMounted }
}

/// Reads identity env vars and projected token volumes from a pod spec.
public enum PodInspector {
    /// The env var that names the token file, per provider that injects one.
    public static let tokenFileEnv: [(Provider, String)] = [
        (.azure, "AZURE_FEDERATED_TOKEN_FILE"),
        (.awsIRSA, "AWS_WEB_IDENTITY_TOKEN_FILE"),
        (.awsPodIdentity, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
    ]

    /// Identity env var names widash lists (values are not read).
    public static let identityEnvNames = [
        "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
        "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_STS_REGIONAL_ENDPOINTS", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ]

    private static let identityEnvBit = Dictionary(uniqueKeysWithValues: identityEnvNames.enumerated().map { ($1, 1 << $0) })
    private static let envNameLists = Mutex<[Int: [String]]>([:])

    /// The identity env names in `mask` in their fixed order: one shared array per combination, so
    /// 50 000 pods with the same injection hold one list, not 50 000.
    private static func sharedEnvNames(_ mask: Int) -> [String] {
        envNameLists.withLock { cache in
            if let list = cache[mask] { return list }
            let list = identityEnvNames.filter { identityEnvBit[$0].map { mask & $0 != 0 } ?? false }
            cache[mask] = list
            return list
        }
    }

    /// The env vars a complete injection has, per provider.
    public static let requiredEnv: [Provider: [String]] = [
        .azure: ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"],
        .awsIRSA: ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"],
        .awsPodIdentity: ["AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"],
    ]

    public static func inspect(_ pod: Pod) -> PodInjection {
        let containers = pod.spec.initContainers.map { pod.spec.containers + $0 } ?? pod.spec.containers
        var mask = 0
        for c in containers {
            for e in c.env ?? [] { mask |= identityEnvBit[e.name] ?? 0 }
        }
        let envNames = sharedEnvNames(mask)
        func present(_ name: String) -> Bool { identityEnvBit[name].map { mask & $0 != 0 } ?? false }

        // Pod Identity wins over IRSA when both are present: the AWS SDKs try container
        // credentials before web identity.
        let order: [Provider] = [.azure, .awsPodIdentity, .awsIRSA]
        for provider in order {
            guard let envName = tokenFileEnv.first(where: { $0.0 == provider })?.1 else { continue }
            for container in containers {
                guard let path = container.env?.first(where: { $0.name == envName })?.value, !path.isEmpty else { continue }
                let missing = (requiredEnv[provider] ?? []).filter { !present($0) }
                let projection = projection(providing: path, in: container, volumes: pod.spec.volumes ?? [])
                return PodInjection(provider: provider, envNames: envNames, tokenPath: path,
                                    projection: projection, missingEnv: missing)
            }
        }
        return PodInjection(provider: nil, envNames: envNames, tokenPath: nil, projection: nil, missingEnv: [])
    }

    /// The projected service-account token behind `path` in `container`: the mount with the
    /// longest mountPath that contains the path, whose volume projects a token at the rest of it.
    public static func projection(providing path: String, in container: Container,
                                  volumes: [Volume]) -> ServiceAccountTokenProjection? {
        let mounts = (container.volumeMounts ?? []).sorted { $0.mountPath.count > $1.mountPath.count }
        for mount in mounts {
            let base = mount.mountPath.hasSuffix("/") ? String(mount.mountPath.dropLast()) : mount.mountPath
            guard path.hasPrefix(base + "/") else { continue }
            let rest = String(path.dropFirst(base.count + 1))
            guard let volume = volumes.first(where: { $0.name == mount.name }) else { return nil }
            for source in volume.projected?.sources ?? [] {
                if let token = source.serviceAccountToken, normalize(token.path) == normalize(rest) { return token }
            }
            // The deepest mount holding the path is the one the container sees; do not look further.
            return nil
        }
        return nil
    }

    private static func normalize(_ p: String) -> String {
        p.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}
