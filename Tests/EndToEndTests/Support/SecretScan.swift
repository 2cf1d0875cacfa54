import Foundation

/// Patterns of whole secrets widash must never print, log or write (issue 8). Redacted forms
/// (`eyJhbGciOi….eyJuYmYiOj….…`, `ASIA…RDUD`, `IQoJb3…bhZ9 (317 chars)`) do not match.
enum SecretScan {
    static let patterns: [(name: String, regex: String)] = [
        ("a whole JWT (service-account token, client assertion or Entra access token)",
         #"eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{20,}"#),
        ("the demo operator's secret (Azure client secret / AWS secret access key)", "widash-demo-operator-secret"),
        ("an AWS secret access key value", #"(?i)secret_?access_?key["'\s:=>]*[A-Za-z0-9+/]{40}"#),
        ("an AWS session token (the sandbox's start with IQoJb3JpZ2luX2VjE)", #"IQoJb3JpZ2luX2VjE[A-Za-z0-9+/=]{8,}"#),
        ("a GCP access token", #"ya29\.[a-z]\.[A-Za-z0-9_-]{20,}"#),
        ("the sandbox's kubeconfig bearer token", #"widash-(admin|viewer)-[0-9a-f]{16,}"#),
        ("an Authorization header with its credential", #"(?i)authorization:\s*(bearer|aws4-hmac-sha256)\s+\S{20,}"#),
    ]

    /// Each secret found in `text`: the pattern's name and the first characters of the match.
    static func findings(in text: String) -> [String] {
        var found: [String] = []
        let range = NSRange(text.startIndex..., in: text)
        for (name, pattern) in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                found.append("(test bug: pattern for \(name) does not compile)")
                continue
            }
            for match in regex.matches(in: text, range: range).prefix(3) {
                let hit = Range(match.range, in: text).map { String(text[$0].prefix(24)) } ?? "?"
                found.append("\(name): \(hit)…")
            }
        }
        return found
    }

    /// Whether `text` holds a whole JWT.
    static func containsJWT(_ text: String) -> Bool {
        text.range(of: patterns[0].regex, options: .regularExpression) != nil
    }

    /// The first whole JWT in `text`.
    static func firstJWT(_ text: String) -> String? {
        text.range(of: patterns[0].regex, options: .regularExpression).map { String(text[$0]) }
    }

    /// Every regular file under `directory`, with its contents as text.
    static func files(under directory: String) -> [(path: String, text: String)] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [(String, String)] = []
        while let relative = enumerator.nextObject() as? String {
            let path = (directory as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            files.append((path, String(decoding: data, as: UTF8.self)))
        }
        return files
    }
}

/// Decodes a JWT's header or claims segment (base64url JSON) without verifying it.
func decodeJWTSegment(_ token: String, index: Int) -> [String: Any]? {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, index < 3 else { return nil }
    var base64 = String(parts[index]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let data = Data(base64Encoded: base64) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}
