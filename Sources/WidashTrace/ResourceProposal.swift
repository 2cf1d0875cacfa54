import Foundation
import WidashCloud

/// Step 5's target when the user named none: a URL-looking value from the pod's env.
public enum ResourceProposal {
    /// Env values that look like Key Vault, Blob or Cosmos DB endpoints, in that order of preference.
    /// Service Bus endpoints are only used when chosen explicitly: the test call sends a message.
    public static func azure(environment: [String: String]) -> String? {
        let candidates = environment.sorted { $0.key < $1.key }.compactMap { _, value -> (AzureResourceKind, String)? in
            guard let url = url(in: value), let host = URLComponents(string: url)?.host else { return nil }
            let kind = AzureResourceKind(host: host)
            return [.keyVault, .blob, .cosmos].contains(kind) ? (kind, url) : nil
        }
        for kind in [AzureResourceKind.keyVault, .blob, .cosmos] {
            if let hit = candidates.first(where: { $0.0 == kind }) { return hit.1 }
        }
        return nil
    }

    /// An AWS endpoint URL in the pod's env (`https://…amazonaws.com…`), when any.
    public static func aws(environment: [String: String]) -> String? {
        environment.sorted { $0.key < $1.key }.lazy.compactMap { url(in: $0.value) }
            .first { URLComponents(string: $0)?.host?.hasSuffix(".amazonaws.com") == true }
    }

    /// An https URL, or the endpoint inside a connection string (`Endpoint=sb://…/;…`).
    static func url(in value: String) -> String? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if v.hasPrefix("https://"), URLComponents(string: v)?.host != nil { return v }
        if let r = v.range(of: "Endpoint=", options: .caseInsensitive) {
            let rest = v[r.upperBound...].prefix { $0 != ";" }
            let https = rest.replacingOccurrences(of: "sb://", with: "https://")
            return https.hasPrefix("https://") ? https : nil
        }
        return nil
    }
}
