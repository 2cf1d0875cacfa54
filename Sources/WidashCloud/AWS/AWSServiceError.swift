import Foundation
import WidashHTTP

/// An AWS error document, from the Query protocol (`<ErrorResponse><Error><Type/><Code/><Message/>…`)
/// or rest-json (`x-amzn-ErrorType` header / `{"__type","message"}`).
public struct AWSServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `sts`, `iam`, `eks`, `eks-auth`.
    public var service: String
    public var httpStatus: Int
    /// e.g. `InvalidIdentityToken`, `AccessDenied`, `ExpiredTokenException`, `AccessDeniedException`.
    public var code: String
    public var message: String
    /// `Sender` or `Receiver` (Query protocol only).
    public var type: String?
    public var requestID: String?

    public init(service: String, httpStatus: Int, code: String, message: String, type: String? = nil, requestID: String? = nil) {
        self.service = service
        self.httpStatus = httpStatus
        self.code = code
        self.message = message
        self.type = type
        self.requestID = requestID
    }

    public var description: String {
        "AWS \(service) refused the request (HTTP \(httpStatus) \(code)): \(message)" + (requestID.map { " [request \($0)]" } ?? "")
    }

    /// Parses a Query-protocol error body.
    public static func parseQuery(service: String, status: Int, body: Data) -> AWSServiceError? {
        guard let root = XMLTree.parse(body) else { return nil }
        let error = root.name == "Error" ? root : (root.find("Error") ?? root.find("Errors/Error"))
        guard let error, let code = error.text("Code") else { return nil }
        return AWSServiceError(service: service, httpStatus: status, code: code, message: error.text("Message") ?? "",
                               type: error.text("Type"), requestID: root.text("RequestId") ?? root.text("RequestID"))
    }

    /// Parses a rest-json error: the code from `x-amzn-ErrorType` or `__type`/`code` (without any
    /// `namespace#` prefix or `:detail` suffix), the message from `message`/`Message`.
    public static func parseRestJSON(service: String, response: HTTPResponse) -> AWSServiceError? {
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let raw = response.header("x-amzn-errortype") ?? object?["__type"] as? String ?? object?["code"] as? String
        guard let raw else { return nil }
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        let message = object?["message"] as? String ?? object?["Message"] as? String ?? ""
        return AWSServiceError(service: service, httpStatus: response.status, code: String(code), message: message,
                               requestID: response.header("x-amzn-requestid"))
    }
}
