import Foundation

/// The resource (application id URI) a client-credentials scope names, as Entra resolves it.
enum EntraResources {
    /// Resource identifiers the demo tenant knows (service principals of first-party apps and the
    /// demo's account-scoped resources). Compared without one trailing slash.
    static let known: Set<String> = [
        "https://vault.azure.net", "https://storage.azure.com", "https://cosmos.azure.com",
        "https://servicebus.azure.net", "https://management.azure.com", "https://management.core.windows.net",
        "https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000",
        "https://shopstorage.blob.core.windows.net", "https://shop-cosmos.documents.azure.com",
    ]

    /// `https://vault.azure.net/.default` → `https://vault.azure.net`; the audience keeps the
    /// resource exactly as requested (`https://management.azure.com//.default` → `…com/`).
    static func resource(fromScope scope: String) throws(EntraError) -> String {
        let scopes = scope.split(separator: " ").map(String.init)
        guard let first = scopes.first(where: { $0.hasSuffix("/.default") }) else {
            throw .invalidScope(scope)
        }
        let resource = String(first.dropLast("/.default".count))
        guard !resource.isEmpty else { throw .invalidScope(scope) }
        return resource
    }

    static func isKnown(_ resource: String) -> Bool {
        known.contains(resource.hasSuffix("/") ? String(resource.dropLast()) : resource)
    }
}
