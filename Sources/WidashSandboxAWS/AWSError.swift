import Foundation
import WidashSandboxKit

/// An AWS service error: the code and message a real AWS endpoint returns, rendered in the
/// protocol of the service that raised it (query XML for STS/IAM, rest-json for EKS/eks-auth).
struct AWSError: Error, Sendable, Equatable {
    var code: String
    var message: String
    var status: Int
    /// `Sender` (client fault) or `Receiver` (server fault), as in the query protocol's `<Type>`.
    var type: String = "Sender"

    /// The query protocol's `ErrorResponse` document (STS, IAM).
    func queryResponse(namespace: String, requestID: String = AWSWire.requestID()) -> SandboxResponse {
        let xml = """
        <ErrorResponse xmlns="\(namespace)">
          <Error>
            \(AWSWire.element("Type", type))
            \(AWSWire.element("Code", code))
            \(AWSWire.element("Message", message))
          </Error>
          \(AWSWire.element("RequestId", requestID))
        </ErrorResponse>

        """
        return .xml(status, xml, headers: [("x-amzn-RequestId", requestID)])
    }

    /// The rest-json error: `x-amzn-ErrorType` header plus `{"message": …}` body (EKS, eks-auth).
    func jsonResponse(extra: [String: Any] = [:], requestID: String = AWSWire.requestID()) -> SandboxResponse {
        var body = extra
        body["message"] = message
        return AWSWire.json(status, body, headers: [("x-amzn-ErrorType", code), ("x-amzn-RequestId", requestID)])
    }
}

extension AWSError {
    static let signatureMismatchMessage = "The request signature we calculated does not match the signature you provided. "
        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

    static func accessDeniedWebIdentity() -> AWSError {
        AWSError(code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", status: 403)
    }

    static func invalidIdentityToken(_ message: String) -> AWSError {
        AWSError(code: "InvalidIdentityToken", message: message, status: 400)
    }

    static func validation(_ message: String) -> AWSError {
        AWSError(code: "ValidationError", message: message, status: 400)
    }
}
