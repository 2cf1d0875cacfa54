import Foundation
import WidashSandboxKit

/// `*.blob.core.windows.net`: `GET /{container}?restype=container&comp=list` with a bearer token
/// (which needs `x-ms-version` 2017-11-09 or later). Errors are Storage's XML.
struct BlobService: SandboxService {
    static let audiences: Set<String> = ["https://storage.azure.com"]
    static let minimumBearerVersion = "2017-11-09"
    let access: ResourceAccess

    func answers(host: String) -> Bool { host.hasSuffix(".blob.core.windows.net") }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let challenge = ("WWW-Authenticate",
                         "Bearer authorization_uri=https://login.microsoftonline.com/\(DemoDirectory.tenantID)/oauth2/authorize resource_id=https://storage.azure.com")
        let authFailed = "Server failed to authenticate the request. Please refer to the information in the www-authenticate header."
        guard request.headers["authorization"] != nil else {
            return error(401, "NoAuthenticationInformation", authFailed, detail: nil, request, [challenge])
        }
        let version = request.headers["x-ms-version"] ?? ""
        guard version >= Self.minimumBearerVersion else {
            return error(403, "AuthenticationFailed",
                         "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.",
                         detail: "Authentication scheme Bearer is not supported in this version.", request, [])
        }
        let account = "https://\(request.host)"
        let claims: EntraAccessTokenClaims
        switch await access.check(request.bearerToken, audiences: Self.audiences.union([account])) {
        case .valid(let valid): claims = valid
        case .missing:
            return error(401, "NoAuthenticationInformation", authFailed, detail: nil, request, [challenge])
        case .wrongAudience:
            return error(401, "InvalidAuthenticationInfo", authFailed, detail: "Audience validation failed. Audience did not match.", request, [challenge])
        case .rejected(.expired):
            return error(401, "InvalidAuthenticationInfo", authFailed, detail: "Lifetime validation failed. The token is expired.", request, [challenge])
        case .rejected(.wrongIssuer):
            return error(401, "InvalidAuthenticationInfo", authFailed, detail: "Issuer validation failed. Issuer did not match.", request, [challenge])
        case .rejected:
            return error(401, "InvalidAuthenticationInfo", authFailed, detail: "Signature validation failed. Signature is invalid.", request, [challenge])
        }
        let query = request.query
        let container = request.path.split(separator: "/").first.map(String.init) ?? ""
        guard request.method == "GET", query["restype"] == "container", query["comp"] == "list", !container.isEmpty else {
            return error(400, "UnsupportedQueryParameter", "One of the query parameters specified in the request URI is not supported.", detail: nil, request, [])
        }
        guard access.isGranted(claims, host: request.host, path: request.path) else {
            return error(403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.", detail: nil, request, [])
        }
        guard let blobs = DemoResourceData.containers[container] else {
            return error(404, "ContainerNotFound", "The specified container does not exist.", detail: nil, request, [])
        }
        let modified = AzureWire.rfc1123(DemoResourceData.created)
        let items = blobs.map { blob in
            "<Blob><Name>\(AzureWire.xmlEscape(blob.name))</Name><Properties><Creation-Time>\(modified)</Creation-Time>"
                + "<Last-Modified>\(modified)</Last-Modified><Etag>0x8DCF0000\(String(blob.size, radix: 16).uppercased())</Etag>"
                + "<Content-Length>\(blob.size)</Content-Length><Content-Type>application/json</Content-Type>"
                + "<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>"
                + "<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted>"
                + "</Properties><OrMetadata /></Blob>"
        }.joined()
        let xml = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"\(account)/\" ContainerName=\"\(AzureWire.xmlEscape(container))\">"
            + "<Blobs>\(items)</Blobs><NextMarker /></EnumerationResults>"
        return SandboxResponse(status: 200, headers: [("Content-Type", "application/xml")] + commonHeaders(request), body: Data(xml.utf8))
    }

    private func commonHeaders(_ request: SandboxRequest) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("x-ms-request-id", AzureWire.newID())]
        if let version = request.headers["x-ms-version"] { headers.append(("x-ms-version", version)) }
        if let client = request.headers["x-ms-client-request-id"] { headers.append(("x-ms-client-request-id", client)) }
        return headers
    }

    private func error(_ status: Int, _ code: String, _ message: String, detail: String?, _ request: SandboxRequest,
                       _ extra: [(String, String)]) -> SandboxResponse {
        let requestID = AzureWire.newID()
        var xml = "\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>\(code)</Code><Message>\(AzureWire.xmlEscape(message))\n"
            + "RequestId:\(requestID)\nTime:\(AzureWire.entraPreciseTime(access.now()))</Message>"
        if let detail { xml += "<AuthenticationErrorDetail>\(AzureWire.xmlEscape(detail))</AuthenticationErrorDetail>" }
        xml += "</Error>"
        let headers: [(name: String, value: String)] = [("Content-Type", "application/xml"), ("x-ms-error-code", code)]
            + extra.map { (name: $0.0, value: $0.1) } + commonHeaders(request)
        return SandboxResponse(status: status, headers: headers, body: Data(xml.utf8))
    }
}
