import Foundation
import WidashSandboxKit

/// `*.documents.azure.com`: `GET /dbs` with an Entra token in Cosmos's own header form,
/// `Authorization: type=aad&ver=1.0&sig=<token>` (URL-encoded as a whole).
struct CosmosService: SandboxService {
    static let audiences: Set<String> = ["https://cosmos.azure.com"]
    let access: ResourceAccess

    func answers(host: String) -> Bool { host.hasSuffix(".documents.azure.com") }

    /// The token in a Cosmos authorization header, or nil with the reason it is not an AAD one.
    static func aadToken(fromHeader header: String) -> (token: String?, type: String?) {
        let decoded = header.removingPercentEncoding ?? header
        var fields: [String: String] = [:]
        for pair in decoded.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        return (fields["type"] == "aad" ? fields["sig"] : nil, fields["type"])
    }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let account = request.host.split(separator: ".").first.map(String.init) ?? request.host
        guard let header = request.headers["authorization"] else {
            return error(401, "Unauthorized", "Required Header authorization is missing. Ensure a valid Authorization token is passed.")
        }
        let (token, type) = Self.aadToken(fromHeader: header)
        guard let token else {
            if type == "master" || type == "resource" {
                return error(401, "Unauthorized", "Local Authorization is disabled. Use an AAD token to authorize all requests.")
            }
            return error(401, "Unauthorized", "The input authorization token can't serve the request. The wrong key is being used or the expected payload is not built as per the protocol.")
        }
        let claims: EntraAccessTokenClaims
        switch await access.check(token, audiences: Self.audiences.union(["https://\(request.host)"])) {
        case .valid(let valid): claims = valid
        case .missing:
            return error(401, "Unauthorized", "Required Header authorization is missing. Ensure a valid Authorization token is passed.")
        case .wrongAudience(let audience):
            return error(401, "Unauthorized", "Request blocked by Auth \(account) : The AAD token's audience [\(audience)] is not valid for this account. Request a token for https://cosmos.azure.com.")
        case .rejected(.expired(let expiry)):
            return error(401, "Unauthorized", "Request blocked by Auth \(account) : The AAD token expired at \(AzureWire.iso8601(expiry)).")
        case .rejected:
            return error(401, "Unauthorized", "Request blocked by Auth \(account) : The AAD token could not be validated (signature or issuer).")
        }
        guard request.method == "GET", request.path == "/dbs" || request.path == "/dbs/" else {
            return error(404, "NotFound", "Resource Not Found. Learn more: https://aka.ms/cosmosdb-tsg-not-found")
        }
        guard access.isGranted(claims, host: request.host, path: request.path) else {
            return error(403, "Forbidden", "Request blocked by Auth \(account) : Request is blocked because principal [\(claims.oid)] does not have required RBAC permissions to perform action [Microsoft.DocumentDB/databaseAccounts/readMetadata] on resource [/]. Learn more: https://aka.ms/cosmos-native-rbac.",
                         substatus: "5301")
        }
        let ts = Int(DemoResourceData.created.timeIntervalSince1970)
        let databases: [[String: Any]] = DemoResourceData.databases.map { id in
            let rid = Base64URL.encode(Data(AzureWire.stableID(id).utf8)).prefix(6) + "=="
            return ["id": id, "_rid": rid, "_self": "dbs/\(rid)/", "_etag": "\"\(AzureWire.stableID(id + "etag"))\"",
                    "_colls": "colls/", "_users": "users/", "_ts": ts]
        }
        return .json(200, ["_rid": "", "Databases": databases, "_count": databases.count], headers: headers())
    }

    private func headers(substatus: String? = nil) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("x-ms-activity-id", AzureWire.newID()), ("x-ms-request-charge", "1"),
                                                        ("x-ms-gatewayversion", "2.0.0")]
        if let substatus { headers.append(("x-ms-substatus", substatus)) }
        return headers
    }

    private func error(_ status: Int, _ code: String, _ message: String, substatus: String? = nil) -> SandboxResponse {
        let activity = AzureWire.newID()
        return .json(status, ["code": code, "message": "\(message)\r\nActivityId: \(activity), Microsoft.Azure.Documents.Common/2.14.0"],
                     headers: headers(substatus: substatus))
    }
}
