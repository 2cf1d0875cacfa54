/// Why a Kubernetes JSON document could not be decoded: what was wrong, where (byte offset and a
/// JSON path such as `items[12].spec.containers[0].name`), and what to do about it.
public struct KubeJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Kind: Sendable, Hashable {
        /// The document ended inside a value (a cut connection, a truncated file).
        case unexpectedEnd
        /// A byte that cannot start or continue the expected JSON token.
        case unexpectedByte(found: UInt8, expected: String)
        /// A value of the wrong JSON type for the field (e.g. a number where a string belongs).
        case typeMismatch(expected: String, found: String)
        /// A field the object needs (such as `metadata.name`) is missing or null.
        case missingField(String)
        /// A malformed escape sequence (`\q`, a bad `\uXXXX`, a lone UTF-16 surrogate).
        case invalidEscape
        /// A kept string holds bytes that are not UTF-8, or a raw control character.
        case invalidString(String)
        /// A number that is not valid JSON or does not fit the field (e.g. a fraction in an integer).
        case invalidNumber(String)
        /// Objects and arrays nest deeper than the decoder's limit.
        case tooDeep(limit: Int)
        /// A kept string is longer than the decoder's limit.
        case stringTooLong(limit: Int)
        /// Non-whitespace bytes after the end of the document.
        case trailingBytes
    }

    public var kind: Kind
    /// Byte offset in the document where the problem was found.
    public var offset: Int
    /// The JSON path of the value being read (`$` for the document root); filled in when the error
    /// leaves the decoder.
    public var path: String

    public init(_ kind: Kind, offset: Int, path: String = "") {
        self.kind = kind
        self.offset = offset
        self.path = path
    }

    public var description: String {
        let location = "at byte \(offset)" + (path.isEmpty ? "" : " (\(path))")
        let advice = "; the API server's response is not the Kubernetes JSON widash expects — check the server, proxy or file it came from"
        switch kind {
        case .unexpectedEnd:
            return "Kubernetes JSON ended early \(location): the response was cut off; retry the request"
        case .unexpectedByte(let found, let expected):
            return "Kubernetes JSON has an unexpected \(Self.describe(byte: found)) \(location), expected \(expected)\(advice)"
        case .typeMismatch(let expected, let found):
            return "Kubernetes JSON has \(found) where \(expected) belongs \(location)\(advice)"
        case .missingField(let name):
            return "Kubernetes JSON object \(location) has no \"\(name)\", which widash needs\(advice)"
        case .invalidEscape:
            return "Kubernetes JSON has a malformed escape sequence \(location)\(advice)"
        case .invalidString(let why):
            return "Kubernetes JSON has an invalid string \(location): \(why)\(advice)"
        case .invalidNumber(let why):
            return "Kubernetes JSON has an invalid number \(location): \(why)\(advice)"
        case .tooDeep(let limit):
            return "Kubernetes JSON nests objects/arrays deeper than \(limit) levels \(location); refusing to go further"
        case .stringTooLong(let limit):
            return "Kubernetes JSON has a string longer than \(limit) bytes \(location); raise KubeJSONLimits.maxStringBytes if this is expected"
        case .trailingBytes:
            return "Kubernetes JSON has bytes after the end of the document \(location)\(advice)"
        }
    }

    static func describe(byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }
}

/// Limits that keep hostile or broken input from costing unbounded time, memory or stack.
public struct KubeJSONLimits: Sendable, Hashable {
    /// Deepest nesting of objects and arrays accepted anywhere in the document (skipped parts too).
    public var maxDepth: Int
    /// Longest string (in bytes, after unescaping) that is kept; skipped strings are not limited.
    public var maxStringBytes: Int

    public init(maxDepth: Int = 512, maxStringBytes: Int = 16 << 20) {
        self.maxDepth = max(8, maxDepth)
        self.maxStringBytes = max(0, maxStringBytes)
    }

    public static let `default` = KubeJSONLimits()
}
