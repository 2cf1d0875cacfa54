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

/// Retry-After (RFC 9110 §10.2.3): a number of seconds or an HTTP date.
enum RetryAfter {
    /// Whole seconds to wait; nil when absent or unreadable; a date in the past is 0.
    static func seconds(_ value: String?, now: Date = Date()) -> Int? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Int(text) { return seconds >= 0 ? seconds : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, Int(date.timeIntervalSince(now).rounded(.up)))
    }
}
