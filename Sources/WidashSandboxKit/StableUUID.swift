import Crypto
import Foundation

/// Name-derived ids shared by the sandbox's scenarios and its emulated clouds, so that the cluster
/// side (a service account's client-id annotation) and the cloud side (the identity with that client
/// id) compute the same value from the same seed, in either module.
public enum StableUUID {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A version-4-shaped UUID from the first 16 bytes of the seed's SHA-256 (lower case). Hot in the
    /// scale scenario (several per object), so written without intermediate arrays or strings.
    public static func v4(_ seed: String) -> String {
        var seed = seed
        var hasher = SHA256()
        seed.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { digest in
            var out = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
            var position = 0
            for index in 0..<16 {
                var byte = digest[index]
                if index == 6 { byte = (byte & 0x0F) | 0x40 }
                if index == 8 { byte = (byte & 0x3F) | 0x80 }
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                out[position] = hexDigits[Int(byte >> 4)]
                out[position + 1] = hexDigits[Int(byte & 0x0F)]
                position += 2
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The first `count` bytes of the seed's SHA-256 (at most 32): opaque stable tokens such as etags.
    public static func digest(_ seed: String, count: Int = 32) -> [UInt8] {
        Array(SHA256.hash(data: Data(seed.utf8)).prefix(max(0, min(count, 32))))
    }
}
