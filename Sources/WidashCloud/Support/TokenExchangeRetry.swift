import Foundation
import WidashHTTP

/// widash's rule for token exchanges (Entra's token endpoint, STS AssumeRoleWithWebIdentity,
/// eks-auth AssumeRoleForPodIdentity, Google STS and generateAccessToken): they are sent once and
/// never resent blindly, as each answer may already have issued credentials and the caller (a
/// trace, a person) decides when to try again. A 429 or 503 answer becomes `CloudError.retryLater`,
/// whose message says when the server asked to be asked again.
enum TokenExchangeRetry {
    /// Throws `CloudError.retryLater` when `response` is a 429 or 503; `detail` is the service's
    /// own error text, when its body could be read.
    static func check(_ response: HTTPResponse, request: HTTPRequest, exchange: String, detail: () -> String?) throws {
        guard response.status == 429 || response.status == 503 else { return }
        throw CloudError.retryLater(exchange: exchange, endpoint: request.url, status: response.status,
                                    retryAfterSeconds: RetryAfter.seconds(response.header("retry-after")),
                                    detail: detail() ?? nonEmptyExcerpt(response.body))
    }

    private static func nonEmptyExcerpt(_ body: Data) -> String? {
        let text = bodyExcerpt(body).trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }
}

