import Foundation

/// Base64url (RFC 4648 §5) as JWTs use it: no padding, `-` and `_` instead of `+` and `/`.
public enum Base64URL {
    /// Decodes unpadded base64url; nil when a character is outside the alphabet or the length is
    /// impossible (a remainder of 1 character). Trailing `=` padding is tolerated.
    public static func decode(_ text: Substring) -> Data? {
        var body = text
        while body.last == "=" { body.removeLast() }
        var standard = ""
        standard.reserveCapacity(body.utf8.count + 3)
        for byte in body.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                standard.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "-"): standard += "+"
            case UInt8(ascii: "_"): standard += "/"
            default: return nil
            }
        }
        switch standard.utf8.count % 4 {
        case 0: break
        case 2: standard += "=="
        case 3: standard += "="
        default: return nil
        }
        return Data(base64Encoded: standard)
    }

    public static func decode(_ text: String) -> Data? { decode(text[...]) }

    /// Encodes without padding.
    public static func encode(_ data: Data) -> String {
        var s = data.base64EncodedString()
        while s.last == "=" { s.removeLast() }
        return s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// True for the characters of the base64url alphabet.
    public static func isAlphabet(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}
