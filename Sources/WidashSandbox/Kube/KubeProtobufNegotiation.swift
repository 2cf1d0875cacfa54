import Foundation
import WidashSandboxKit

// Which encoding a request gets. The API server negotiates like
// k8s.io/apiserver pkg/endpoints/handlers/negotiation/negotiate.go: the Accept header's clauses are
// ordered by q-value, then by specificity (munnerz/goautoneg's ParseAccept, which negotiate.go
// uses), and the first clause that one of the resource's serializers (apimachinery's
// runtime.SerializerInfo list for the built-in types: JSON, YAML, protobuf — JSON first, so `*/*`
// gets JSON) accepts decides. The sandbox serves protobuf for lists of pods and service accounts;
// everything else keeps JSON, and so do watches (widash asks JSON for them) and server-side Tables.

struct AcceptClause: Equatable {
    var type: String
    var subtype: String
    var quality: Double
    var parameters: [String: String]

    /// The clauses of an Accept header, most preferred first; q=0 ("not acceptable") is dropped.
    static func parse(_ header: String) -> [AcceptClause] {
        var clauses: [AcceptClause] = []
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let range = pieces.first, !range.isEmpty else { continue }
            let types = range.split(separator: "/", maxSplits: 1).map(String.init)
            var clause = AcceptClause(type: types[0].lowercased(), subtype: types.count > 1 ? types[1].lowercased() : "*",
                                      quality: 1, parameters: [:])
            for parameter in pieces.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                if pair[0] == "q" { clause.quality = Double(pair[1]) ?? 0 } else { clause.parameters[pair[0]] = pair[1] }
            }
            if clause.quality > 0 { clauses.append(clause) }
        }
        // Stable: equal clauses keep the client's order.
        return clauses.enumerated().sorted { left, right in
            let (a, b) = (left.element, right.element)
            if a.quality != b.quality { return a.quality > b.quality }
            if a.specificity != b.specificity { return a.specificity > b.specificity }
            return left.offset < right.offset
        }.map(\.element)
    }

    private var specificity: Int { (type == "*" ? 0 : 1) + (subtype == "*" ? 0 : 1) }

    func accepts(_ mediaType: String) -> Bool {
        let parts = mediaType.split(separator: "/", maxSplits: 1).map(String.init)
        return (type == "*" || type == parts[0]) && (subtype == "*" || subtype == parts[1])
    }
}

enum KubeNegotiation {
    /// The media types the API server offers for a built-in resource, in its order.
    static let servedMediaTypes = ["application/json", "application/yaml", KubeProtobufEncoding.contentType]

    /// The media type the request's Accept header negotiates (nil: only parameters like `as=Table`
    /// decide, or nothing matched; the JSON path answers either way).
    static func negotiatedPlainMediaType(accept: String?) -> String? {
        guard let accept, !accept.isEmpty else { return "application/json" }
        for clause in AcceptClause.parse(accept) {
            guard let served = servedMediaTypes.first(where: clause.accepts) else { continue }
            // A clause that asks for a transformed object (`as=Table`, `as=PartialObjectMetadata`) is
            // not a plain list; the sandbox answers those on its JSON path.
            return clause.parameters["as"] == nil ? served : nil
        }
        return nil
    }

    /// The resource of a GET list request (not a watch) that is answered in protobuf, or nil.
    static func protobufListResource(_ request: SandboxRequest) -> ResourceType? {
        guard request.method == "GET", !["true", "1"].contains(request.query["watch"] ?? ""),
              negotiatedPlainMediaType(accept: request.headers["accept"]) == KubeProtobufEncoding.contentType else { return nil }
        let segments = request.path.split(separator: "/").map(String.init)
        let plural: String
        switch segments.count {
        case 3 where segments[0] == "api" && segments[1] == "v1": plural = segments[2]
        case 5 where segments[0] == "api" && segments[1] == "v1" && segments[2] == "namespaces": plural = segments[4]
        default: return nil
        }
        return [ResourceType.pods, .serviceAccounts].first { $0.plural == plural }
    }
}

extension KubeStatus {
    /// The Status in protobuf (meta.v1.Status in the envelope), as the API server answers a request
    /// that negotiated protobuf; code, reason, message and details are the JSON Status's.
    var protobufResponse: SandboxResponse {
        var headers: [(name: String, value: String)] = [("Content-Type", KubeProtobufEncoding.contentType)]
        if let retryAfterSeconds { headers.append(("Retry-After", String(retryAfterSeconds))) }
        guard let message = try? KubeProtobufEncoding.objectMessage(json: json, kind: "Status").bytes else { return response }
        let body = KubeProtobufEncoding.envelope(apiVersion: "v1", kind: "Status", rawCount: message.count) { $0.append(contentsOf: message) }
        return SandboxResponse(status: code, headers: headers, body: body)
    }

    func response(protobuf: Bool) -> SandboxResponse { protobuf ? protobufResponse : response }
}
