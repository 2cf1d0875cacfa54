import Foundation
import WidashSandboxKit

/// The Azure side of the sandbox: Entra ID (`login.microsoftonline.com`), Microsoft Graph, ARM and
/// the demo's resources (Key Vault, Blob Storage, Cosmos DB, Service Bus), all sharing one Entra
/// signing key generated when the services are created.
public enum AzureSandbox {
    /// The services to hand to `SandboxServer`, in routing order.
    /// The directory is the running scenario's (`AzureDirectory.current(context)`).
    public static func services(context: SandboxContext) -> [any SandboxService] {
        services(context: context, directory: AzureDirectory.current(context))
    }

    /// The same for a given directory (tests and other scenarios).
    public static func services(context: SandboxContext, directory: AzureDirectory) -> [any SandboxService] {
        let authority: EntraTokenAuthority
        do {
            authority = try EntraTokenAuthority(tenantID: DemoDirectory.tenantID)
        } catch {
            return [UnavailableAzureService(reason: "could not generate the sandbox's Entra signing key (\(error))")]
        }
        let access = ResourceAccess(authority: authority, clusterIssuer: context.clusterIssuer, now: context.now,
                                    directory: directory)
        return [
            EntraService(context: context, authority: authority, directory: directory),
            GraphService(access: access),
            ARMService(access: access),
            KeyVaultService(access: access),
            BlobService(access: access),
            CosmosService(access: access),
            ServiceBusService(access: access),
        ]
    }

    /// Host names (and `*.` suffix patterns) the Azure services answer: for the server's
    /// certificate SANs and for `--demo`'s CONNECT_TO list.
    public static let hostNames: [String] = [
        "login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net",
        "graph.microsoft.com", DemoDirectory.armHost,
        "*.vault.azure.net", "*.blob.core.windows.net", "*.documents.azure.com", "*.servicebus.windows.net",
        DemoDirectory.keyVaultHost, DemoDirectory.blobHost, DemoDirectory.cosmosHost, DemoDirectory.serviceBusHost,
    ]

    /// Whether a request for `path` on a loopback host (`localhost`, `127.0.0.1`) is an Entra request
    /// (`/{tenant}/oauth2/…`, `/{tenant}/v2.0/.well-known/…`, `/{tenant}/discovery/…`): clients that use
    /// `AZURE_AUTHORITY_HOST=https://localhost:PORT` reach Entra this way. The server should hand such
    /// requests to the service that answers `login.microsoftonline.com`.
    public static func isEntraPath(_ path: String) -> Bool { EntraService.servesPath(path) }
}

/// Answers every Azure host with 503 when the services could not start, saying why.
struct UnavailableAzureService: SandboxService {
    let reason: String

    func answers(host: String) -> Bool {
        EntraService.hosts.contains(host) || host == "graph.microsoft.com" || host == DemoDirectory.armHost
            || [".vault.azure.net", ".blob.core.windows.net", ".documents.azure.com", ".servicebus.windows.net"].contains { host.hasSuffix($0) }
    }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        .json(503, ["error": ["code": "ServiceUnavailable", "message": "The sandbox's Azure emulation is unavailable: \(reason). Restart the sandbox."]])
    }
}
