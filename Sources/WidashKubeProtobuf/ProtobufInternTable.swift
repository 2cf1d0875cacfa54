import Foundation
import WidashCore

// The same sharing as WidashKubeJSON's InternStore (whose API is internal to that module), so that
// memory per pod compares like for like: repeated strings stored once, and aggregates that repeat
// byte for byte across replicas (labels, annotations, owner references, env lists, projected
// volumes) decoded once and shared.

/// Strings longer than 15 bytes, looked up by their bytes before a String is made. Open addressing,
/// linear probing; `hashes[i] == 0` marks an empty slot.
struct ProtobufStringTable {
    private var hashes: ContiguousArray<UInt64>
    private var strings: ContiguousArray<String>
    private var mask: Int
    private(set) var count = 0
    let maxEntries: Int

    init(maxEntries: Int, capacity: Int = 1024) {
        self.maxEntries = maxEntries
        mask = capacity - 1
        hashes = ContiguousArray(repeating: 0, count: capacity)
        strings = ContiguousArray(repeating: "", count: capacity)
    }

    /// A fast 64-bit hash of the bytes, eight at a time; never 0.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let start = bytes.baseAddress else { return 1 }
        let raw = UnsafeRawPointer(start)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        while bytes.count - i >= 8 {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(start[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return (h ^ (h >> 29)) | 1
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> String? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == hash, sameBytes(strings[slot], bytes) { return strings[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// memcmp on the String's UTF-8 storage (native strings are contiguous); the generic
    /// `elementsEqual` was a tenth of the decode time.
    @inline(__always)
    private func sameBytes(_ candidate: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        candidate.utf8.withContiguousStorageIfAvailable { storage in
            guard storage.count == bytes.count, let left = storage.baseAddress, let right = bytes.baseAddress else {
                return storage.count == bytes.count
            }
            return memcmp(left, right, bytes.count) == 0
        } ?? candidate.utf8.elementsEqual(bytes)
    }

    mutating func insert(_ string: String, hash: UInt64) {
        guard count < maxEntries else { return }
        if (count + 1) * 2 > mask + 1 { grow() }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while hashes[slot] != 0 { slot = (slot + 1) & mask }
        hashes[slot] = hash
        strings[slot] = string
        count += 1
    }

    private mutating func grow() {
        let oldHashes = hashes, oldStrings = strings
        mask = mask * 2 + 1
        hashes = ContiguousArray(repeating: 0, count: mask + 1)
        strings = ContiguousArray(repeating: "", count: mask + 1)
        for index in oldHashes.indices where oldHashes[index] != 0 {
            var slot = Int(truncatingIfNeeded: oldHashes[index]) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = oldHashes[index]
            strings[slot] = oldStrings[index]
        }
    }
}

/// Decoded values keyed by the exact protobuf bytes they were decoded from. Keys are copies, so
/// values outlive the page.
final class ProtobufBytesCache<Value> {
    private var hashes: [UInt64]
    private var keys: [[UInt8]]
    private var values: [Value?]
    private var mask = 255
    private(set) var count = 0
    /// Values longer than this are not cached (rare, and would pin large keys).
    let maxKeyBytes = 4096

    init() {
        hashes = Array(repeating: 0, count: mask + 1)
        keys = Array(repeating: [], count: mask + 1)
        values = Array(repeating: nil, count: mask + 1)
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Value? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while hashes[slot] != 0 {
            if hashes[slot] == hash, sameBytes(keys[slot], bytes) { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    @inline(__always)
    private func sameBytes(_ key: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        key.withUnsafeBufferPointer { stored in
            guard stored.count == bytes.count, let left = stored.baseAddress, let right = bytes.baseAddress else {
                return stored.count == bytes.count
            }
            return memcmp(left, right, bytes.count) == 0
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

/// What a protobuf decode shares across objects. Used by one reader at a time (the table's lock).
final class ProtobufInternStore {
    var strings: ProtobufStringTable
    let maxEntries: Int
    let maps = ProtobufBytesCache<[String: String]>()
    let ownerReferenceLists = ProtobufBytesCache<[OwnerReference]>()
    let envLists = ProtobufBytesCache<[EnvVar]>()
    let projectedSources = ProtobufBytesCache<ProjectedVolumeSource>()
    /// Container statuses differ in their bytes (container IDs, start times) but not in the fields
    /// kept: shared by value, as the JSON decoder does.
    private var statusLists = Set<[ContainerStatus]>()

    init(maxEntries: Int) {
        self.maxEntries = maxEntries
        strings = ProtobufStringTable(maxEntries: maxEntries)
    }

    var entryCount: Int {
        strings.count + maps.count + ownerReferenceLists.count + envLists.count + projectedSources.count + statusLists.count
    }

    func share(_ value: [ContainerStatus]) -> [ContainerStatus] {
        if value.isEmpty { return value }
        if let index = statusLists.firstIndex(of: value) { return statusLists[index] }
        if statusLists.count < maxEntries { statusLists.insert(value) }
        return value
    }
}

/// Shared strings and values for decoding many protobuf objects that repeat themselves; the
/// protobuf counterpart of `KubeInternTable`. Pass one table to every page of a list. Decodes that
/// share a table run one after the other; give concurrent decoders their own tables.
public final class KubeProtobufInternTable: @unchecked Sendable {
    // Safety: `store` is only touched while `lock` is held (`withStore`).
    private let lock = NSLock()
    private let store: ProtobufInternStore

    /// - Parameter maxEntries: per kind of value, how many distinct values to remember at most.
    public init(maxEntries: Int = 1 << 20) {
        store = ProtobufInternStore(maxEntries: max(0, maxEntries))
    }

    func withStore<Result>(_ body: (ProtobufInternStore) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(store)
    }

    /// How many distinct strings and aggregates are remembered.
    public var entryCount: Int { withStore { $0.entryCount } }
}
