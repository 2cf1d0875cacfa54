import Crypto
import Foundation

/// Deterministic ids and timestamps, so the same scenario always has the same names and uids
/// (docs and tests can name them) while a recreated object still gets a new uid.
enum Deterministic {
    /// A version-4-shaped UUID derived from a seed string.
    static func uid(_ seed: String) -> String {
        let bytes = Array(SHA256.hash(data: Data(seed.utf8)))
        var b = Array(bytes.prefix(16))
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        let chars = Array(hexString(b))
        return "\(String(chars[0..<8]))-\(String(chars[8..<12]))-\(String(chars[12..<16]))-\(String(chars[16..<20]))-\(String(chars[20..<32]))"
    }

    /// Lower-case hex of the seed's SHA-256, `count` characters long (container ids, image digests).
    static func hex(_ seed: String, count: Int = 64) -> String {
        let digest = hexString(Array(SHA256.hash(data: Data(seed.utf8))))
        var text = digest
        while text.count < count { text += digest }
        return String(text.prefix(count))
    }

    /// A Kubernetes-style random-looking suffix (consonants and digits) of `count` characters.
    static func suffix(_ seed: String, count: Int = 5) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let bytes = Array(SHA256.hash(data: Data(seed.utf8)))
        return String((0..<count).map { alphabet[Int(bytes[$0]) % alphabet.count] })
    }

    /// Lower-case hex of bytes (hot in the scale scenario, so no `String(format:)`).
    static func hexString(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3339 UTC with seconds, e.g. `2025-01-02T03:04:05Z` (hot in the scale scenario, so
    /// formatted from `gmtime_r` fields instead of a date formatter).
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "1970-01-01T00:00:00Z" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
