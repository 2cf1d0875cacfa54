import Foundation
import WidashSandboxKit

/// `*.servicebus.windows.net`: `POST /{queue}/messages` (201). Service Bus answers a missing
/// `Send` claim with 401, not 403, and words errors in its XML `<Error><Code>/<Detail>`.
struct ServiceBusService: SandboxService {
    static let audiences: Set<String> = ["https://servicebus.azure.net"]
    let access: ResourceAccess

    func answers(host: String) -> Bool { host.hasSuffix(".servicebus.windows.net") }

    func handle(_ request: SandboxRequest) async -> SandboxResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        let entity = parts.first ?? ""
        let tracker = "\(request.host):\(parts.joined(separator: "/"))"
        let claims: EntraAccessTokenClaims
        switch await access.check(request.bearerToken, audiences: Self.audiences) {
        case .valid(let valid): claims = valid
        case .missing:
            return error(401, "MalformedToken: The credentials contained in the authorization header are not in the WRAP format.", tracker)
        case .wrongAudience(let audience):
            return error(401, "InvalidAudience: The token audience '\(audience)' is not valid. Expected https://servicebus.azure.net.", tracker)
        case .rejected(.expired(let expiry)):
            return error(401, "ExpiredToken: The token is expired. Expiration time: '\(AzureWire.iso8601(expiry))'", tracker)
        case .rejected:
            return error(401, "InvalidSignature: The token has an invalid signature.", tracker)
        }
        guard request.method == "POST", parts.count == 2, parts[1] == "messages" else {
            return error(400, "The request is not supported by the emulated Service Bus (only POST /{queue}/messages).", tracker)
        }
        guard access.isGranted(claims, host: request.host, path: request.path) else {
            return error(401, "Unauthorized access. 'Send' claim(s) are required to perform this operation. Resource: 'sb://\(request.host)/\(entity)'.", tracker)
        }
        guard DemoResourceData.queues.contains(entity) else {
            return error(404, "The messaging entity 'sb://\(request.host)/\(entity)' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.", tracker)
        }
        return SandboxResponse(status: 201, headers: [("Content-Type", "application/xml; charset=utf-8"),
                                                      ("Strict-Transport-Security", "max-age=31536000")])
    }

    private func error(_ status: Int, _ detail: String, _ tracker: String) -> SandboxResponse {
        let stamp = "TrackingId:\(AzureWire.newID())_G0, SystemTracker:\(tracker), Timestamp:\(AzureWire.iso8601(access.now()))"
        return .xml(status, "<Error><Code>\(status)</Code><Detail>\(AzureWire.xmlEscape(detail)) \(stamp)</Detail></Error>")
    }
}
