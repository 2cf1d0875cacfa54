import Foundation

/// `application/x-www-form-urlencoded` as OAuth token endpoints and AWS Query APIs read it.
public enum FormEncoding {
    /// RFC 3986 unreserved characters: everything else is percent-encoded (space as `%20`).
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes every byte outside the unreserved set (UTF-8).
    public static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }

    /// Encodes fields in the order given.
    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// Decodes into ordered pairs (`+` is a space).
    public static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let unescape: (Substring) -> String = {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            return (unescape(parts[0]), parts.count > 1 ? unescape(parts[1]) : "")
        }
    }
}

/// Joins a base URL and a path without doubling or dropping the slash.
func joinURL(_ base: String, _ path: String) -> String {
    var b = base
    while b.hasSuffix("/") { b.removeLast() }
    return path.hasPrefix("/") ? b + path : b + "/" + path
}
