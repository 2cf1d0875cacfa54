import Foundation

/// Retry-After (RFC 9110 §10.2.3): a number of seconds or an HTTP date. Read by the Kubernetes client
/// (when to retry a read) and the cloud clients (what to tell the user after a throttled token exchange).
public enum RetryAfter {
    /// Whole seconds to wait; nil when the header is absent or unreadable; a date in the past is 0.
    public static func seconds(_ value: String?, now: Date = Date()) -> Int? {
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
