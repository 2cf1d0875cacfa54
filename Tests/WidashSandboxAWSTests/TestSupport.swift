import Foundation
import WidashSandboxGCP
import XCTest
import WidashSandboxKit
@testable import WidashSandboxAWS

/// The services of one sandbox instance, looked up by host: the AWS services and the Google ones (the GCP tests share this target's issuer and helpers).
struct AWSServices {
    let services: [any SandboxService]

    init(context: SandboxContext) {
        services = AWSSandbox.services(context: context) + GCPSandbox.services(context: context)
    }

    init(services: [any SandboxService]) {
        self.services = services
    }

    func handle(_ request: SandboxRequest) async throws -> SandboxResponse {
        let service = try XCTUnwrap(services.first { $0.answers(host: request.host) }, "no service answers \(request.host)")
        return await service.handle(request)
    }
}

enum Requests {
    static let form = ["content-type": "application/x-www-form-urlencoded; charset=utf-8"]

    /// An unsigned query-protocol POST (as botocore sends AssumeRoleWithWebIdentity).
    static func query(host: String, _ fields: [(String, String)]) -> SandboxRequest {
        let body = Data(FormCoding.encode(fields).utf8)
        return SandboxRequest(method: "POST", host: host, path: "/",
                              headers: form.merging(["host": host, "content-length": String(body.count)]) { $1 }, body: body)
    }

    /// Signs `request` with SigV4 the way botocore does (all headers present are signed).
    static func signed(_ request: SandboxRequest, accessKeyID: String, secret: String, sessionToken: String? = nil,
                       service: String, region: String = "us-east-1", at date: Date = Date()) -> SandboxRequest {
        var signed = request
        signed.headers["x-amz-date"] = SigV4Verifier.amzDate(date)
        if let sessionToken { signed.headers["x-amz-security-token"] = sessionToken }
        signed.headers["authorization"] = SigV4.authorizationHeader(
            method: signed.method, path: signed.path, rawQuery: signed.rawQuery,
            headers: signed.headers.map { (name: $0.key, value: $0.value) }, body: signed.body,
            accessKeyID: accessKeyID, secret: secret, region: region, service: service,
            amzDate: SigV4Verifier.amzDate(date))
        return signed
    }

    static func operatorSigned(_ request: SandboxRequest, service: String) -> SandboxRequest {
        signed(request, accessKeyID: AWSCredentialStore.operatorAccessKeyID,
               secret: AWSCredentialStore.operatorSecretAccessKey, service: service)
    }
}

extension SandboxResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The text of the first `<tag>…</tag>` (XML-unescaped), or nil.
    func xml(_ tag: String) -> String? {
        guard let open = text.range(of: "<\(tag)>"), let close = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[open.upperBound..<close.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    func jsonObject() throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [String: Any], "body is not a JSON object: \(text)")
    }

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
}
