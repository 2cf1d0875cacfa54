import Crypto
import Foundation
import WidashSandboxKit

/// `Deterministic`'s uid, hex, suffix and timestamp, computed without the intermediate arrays and
/// strings (they run several times per pod, 50 000 pods per start). Same results, byte for byte:
/// the tests compare them with `Deterministic` over many seeds.
enum ScaleHashing {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let suffixAlphabet: [UInt8] = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    /// SHA-256 of the seed's UTF-8 bytes, passed to `body` without copying it into an array.
    private static func withDigest<T>(_ seed: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        var seed = seed
        var hasher = SHA256()
        seed.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes(body)
    }

    /// Same as `Deterministic.uid` (the shared implementation in WidashSandboxKit, which the clouds
    /// use for the same ids).
    static func uid(_ seed: String) -> String { StableUUID.v4(seed) }

    /// Same as `Deterministic.hex`.
    static func hex(_ seed: String, count: Int = 64) -> String {
        withDigest(seed) { digest in
            var out = [UInt8](repeating: 0, count: max(0, count))
            for position in 0..<out.count {
                let byte = digest[(position % 64) / 2]
                out[position] = hexDigits[Int(position % 2 == 0 ? byte >> 4 : byte & 0x0F)]
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Same as `Deterministic.suffix` (count at most 32).
    static func suffix(_ seed: String, count: Int = 5) -> String {
        withDigest(seed) { digest in
            var out = [UInt8](repeating: 0, count: min(max(0, count), 32))
            for position in 0..<out.count {
                out[position] = suffixAlphabet[Int(digest[position]) % suffixAlphabet.count]
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Same as `Deterministic.timestamp` (RFC 3339 UTC, whole seconds), for seconds since 1970:
    /// the civil date by integer arithmetic (Howard Hinnant's `civil_from_days`), no `gmtime`.
    static func timestamp(_ seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard (1000...9999).contains(year) else {
            return Deterministic.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
        let zero = UInt8(ascii: "0")
        let hour = secondOfDay / 3600, minute = secondOfDay / 60 % 60, second = secondOfDay % 60
        let out: [UInt8] = [
            zero + UInt8(year / 1000), zero + UInt8(year / 100 % 10), zero + UInt8(year / 10 % 10), zero + UInt8(year % 10),
            UInt8(ascii: "-"), zero + UInt8(month / 10), zero + UInt8(month % 10),
            UInt8(ascii: "-"), zero + UInt8(day / 10), zero + UInt8(day % 10),
            UInt8(ascii: "T"), zero + UInt8(hour / 10), zero + UInt8(hour % 10),
            UInt8(ascii: ":"), zero + UInt8(minute / 10), zero + UInt8(minute % 10),
            UInt8(ascii: ":"), zero + UInt8(second / 10), zero + UInt8(second % 10), UInt8(ascii: "Z"),
        ]
        return String(decoding: out, as: UTF8.self)
    }
}
