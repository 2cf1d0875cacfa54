import Foundation

/// Decoded values keyed by the exact JSON bytes they were decoded from.
///
/// Pods of one ReplicaSet repeat their labels, env lists and projected volumes byte for byte; a
/// lookup costs a skip over the value, a hash and a compare, far less than decoding it again,
/// and every hit shares the first value's storage. Keys are copies, so values outlive the page.
final class ByteKeyedCache<Value> {
    private var hashes: [UInt64]
    private var keys: [[UInt8]]
    private var values: [Value?]
    private var mask: Int
    private(set) var count = 0
    /// Values longer than this are not cached (rare, and would pin large keys).
    let maxKeyBytes = 4096

    init() {
        mask = 255
        hashes = Array(repeating: 0, count: mask + 1)
        keys = Array(repeating: [], count: mask + 1)
        values = Array(repeating: nil, count: mask + 1)
    }

    func removeAll() {
        mask = 255
        hashes = Array(repeating: 0, count: mask + 1)
        keys = Array(repeating: [], count: mask + 1)
        values = Array(repeating: nil, count: mask + 1)
        count = 0
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Value? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = hashes[slot]
            if stored == 0 { return nil }
            if stored == hash && keys[slot].elementsEqualBytes(bytes) { return values[slot] }
            slot = (slot + 1) & mask
        }
    }

    func insert(_ value: Value, bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, limit: Int) {
        guard count < limit, bytes.count <= maxKeyBytes else { return }
        if (count + 1) * 2 > mask + 1 { grow() }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while hashes[slot] != 0 { slot = (slot + 1) & mask }
        hashes[slot] = hash
        keys[slot] = Array(bytes)
        values[slot] = value
        count += 1
    }

    private func grow() {
        let oldHashes = hashes, oldKeys = keys, oldValues = values
        mask = mask * 2 + 1
        hashes = Array(repeating: 0, count: mask + 1)
        keys = Array(repeating: [], count: mask + 1)
        values = Array(repeating: nil, count: mask + 1)
        for index in oldHashes.indices where oldHashes[index] != 0 {
            var slot = Int(truncatingIfNeeded: oldHashes[index]) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = oldHashes[index]
            keys[slot] = oldKeys[index]
            values[slot] = oldValues[index]
        }
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    func elementsEqualBytes(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        return withUnsafeBufferPointer { mine in
            guard let a = mine.baseAddress, let b = other.baseAddress else { return true }
            return memcmp(a, b, count) == 0
        }
    }
}

extension KubeJSONReader {
    /// Reads a value through a byte-keyed cache: skip it, look its bytes up, and decode only on a
    /// miss (rewinding to its start).
    @inline(__always)
    mutating func cached<Value>(_ cache: ByteKeyedCache<Value>, _ decode: (inout KubeJSONReader) throws -> Value) throws -> Value {
        let start = valueOffset()
        try skipValue()
        let end = pos
        let bytes = UnsafeBufferPointer(start: base + start, count: end - start)
        let hash = StringTable.hash(bytes)
        if let hit = cache.lookup(bytes, hash: hash) { return hit }
        pos = start
        let value = try decode(&self)
        pos = end
        cache.insert(value, bytes: bytes, hash: hash, limit: interner.maxEntries)
        return value
    }
}
