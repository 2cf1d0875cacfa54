import Foundation
import WidashSandboxKit

/// Cloud Storage JSON API `GET /storage/v1/b?project=P` (buckets.list), the Google call a trace's
/// step 5 makes by default. Authorised like Google: a valid access token (a Google service
/// account's, or a federated token for direct resource access), then IAM: the principal needs
/// `storage.buckets.list` on the project (the demo grants it to `gke-ok@…`), else 403 with the
/// permission named (Cloud Storage JSON API reference, buckets.list; Google API error model).
public struct GCPStorageService: SandboxService {
    let directory: GCPDirectory
    let tokens: GCPTokenStore
    let now: @Sendable () -> Date

    public func answers(host: String) -> Bool { host == "storage.googleapis.com" }

    public func handle(_ request: SandboxRequest) async -> SandboxResponse {
        guard request.method == "GET", request.path == "/storage/v1/b" else {
            return GCPError.status(404, "NOT_FOUND", "Not Found")
        }
        guard let project = request.query["project"], !project.isEmpty else {
            return GCPError.status(400, "INVALID_ARGUMENT", "Required parameter: project")
        }
        guard let bearer = request.bearerToken, let token = await tokens.lookup(bearer), token.expires > now() else {
            return GCPError.status(401, "UNAUTHENTICATED", "Invalid Credentials")
        }
        let readers = directory.bucketReaders[project] ?? []
        guard token.principals.contains(where: readers.contains) else {
            let who = token.principals.first ?? "the caller"
            return GCPError.status(403, "PERMISSION_DENIED",
                                   "\(who) does not have storage.buckets.list access to the Google Cloud project. Permission 'storage.buckets.list' denied on resource (or it may not exist).")
        }
        let buckets = (directory.buckets[project] ?? []).map { name -> [String: Any] in
            ["kind": "storage#bucket", "id": name, "name": name, "projectNumber": directory.projectNumber, "location": "EU",
             "storageClass": "STANDARD"]
        }
        return GCPWire.json(200, ["kind": "storage#buckets", "items": buckets])
    }
}
