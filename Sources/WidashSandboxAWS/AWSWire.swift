import Foundation
import Crypto
import WidashSandboxKit

/// Small encoding helpers shared by the AWS wire formats (query/XML and rest-json).
enum AWSWire {
    /// A fresh request id in AWS's lower-case UUID form.
    static func requestID() -> String { UUID().uuidString.lowercased() }

    /// `2014-10-24T23:00:23Z`, as STS and IAM print timestamps.
    static func iso8601(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone.current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                      c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// Escapes text for an XML element body.
    static func xmlEscape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// `<name>escaped value</name>`.
    static func element(_ name: String, _ value: String) -> String {
        "<\(name)>\(xmlEscape(value))</\(name)>"
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Random characters from `alphabet` (system CSPRNG).
    static func random(_ count: Int, from alphabet: String) -> String {
        let chars = Array(alphabet)
        var rng = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in chars[Int(rng.next(upperBound: UInt64(chars.count)))] })
    }

    static let upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    static let base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// A stable id such as IAM's `AROA…` role ids: `prefix` plus characters derived from `seed`.
    static func stableID(prefix: String, seed: String, length: Int = 17) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        let digest = Array(SHA256.hash(data: Data(seed.utf8)))
        return prefix + String((0..<length).map { alphabet[Int(digest[$0 % digest.count]) % alphabet.count] })
    }

    /// Decodes the fields of a query-protocol request: query string and form body (body wins).
    static func queryParameters(_ request: SandboxRequest) -> [String: String] {
        var params = request.query
        if request.method == "POST" {
            for (k, v) in request.form { params[k] = v }
        }
        return params
    }

    /// Serialises a JSON object; `sortedKeys` keeps output stable for tests.
    static func json(_ status: Int, _ object: [String: Any], headers: [(name: String, value: String)] = []) -> SandboxResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return SandboxResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: data)
    }
}

/// The query protocol's success envelope: `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>`.
enum AWSQuery {
    static func response(action: String, namespace: String, result: Result<String, AWSError>,
                         requestID: String = AWSWire.requestID()) -> SandboxResponse {
        switch result {
        case .failure(let error):
            return error.queryResponse(namespace: namespace, requestID: requestID)
        case .success(let body):
            let xml = """
            <\(action)Response xmlns="\(namespace)">
              <\(action)Result>
            \(body)
              </\(action)Result>
              <ResponseMetadata>
                \(AWSWire.element("RequestId", requestID))
              </ResponseMetadata>
            </\(action)Response>

            """
            return .xml(200, xml, headers: [("x-amzn-RequestId", requestID)])
        }
    }

    static func missingAction() -> AWSError { AWSError(code: "MissingAction", message: "Missing Action", status: 400) }

    static func invalidAction(_ action: String, version: String) -> AWSError {
        AWSError(code: "InvalidAction", message: "Could not find operation \(action) for version \(version)", status: 400)
    }
}
