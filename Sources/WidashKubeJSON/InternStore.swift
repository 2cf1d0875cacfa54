import Foundation
import WidashCore

/// Strings longer than 15 bytes (shorter ones live inline in the String value), looked up by their
/// bytes before a String is made, so a hit costs no allocation. A value type that the reader owns
/// while it decodes (moved in and out of `InternStore`), so lookups pay no class or exclusivity
/// overhead.
struct StringTable {
    /// Open addressing, linear probing; `hashes[i] == 0` marks an empty slot.
    private var hashes: ContiguousArray<UInt64>
    private var strings: ContiguousArray<String>
    private var mask: Int
    private(set) var count = 0
    var maxEntries: Int

    init(maxEntries: Int, capacity: Int = 1024) {
        self.maxEntries = maxEntries
        mask = capacity - 1
        hashes = ContiguousArray(repeating: 0, count: capacity)
        strings = ContiguousArray(repeating: "", count: capacity)
    }

    /// A fast 64-bit hash of the bytes (8 at a time); never 0.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let start = bytes.baseAddress else { return 1 }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let raw = UnsafeRawPointer(start)
        while bytes.count - i >= 8 {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
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
        h ^= h >> 29
        return h | 1
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> String? {
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let stored = hashes[slot]
            if stored == 0 { return nil }
            if stored == h {
                let candidate = strings[slot]
                let same = candidate.utf8.withContiguousStorageIfAvailable { storage in
                    guard storage.count == bytes.count, let stored = storage.baseAddress, let wanted = bytes.baseAddress else {
                        return storage.count == bytes.count && storage.isEmpty
                    }
                    return memcmp(stored, wanted, bytes.count) == 0
                } ?? candidate.utf8.elementsEqual(bytes)
                if same { return candidate }
            }
            slot = (slot + 1) & mask
        }
    }

    mutating func insert(_ string: String, hash h: UInt64) {
        guard count < maxEntries else { return }
        if (count + 1) * 2 > mask + 1 { grow() }
        var slot = Int(truncatingIfNeeded: h) & mask
        while hashes[slot] != 0 { slot = (slot + 1) & mask }
        hashes[slot] = h
        strings[slot] = string
        count += 1
    }

    private mutating func grow() {
        let oldHashes = hashes
        let oldStrings = strings
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

/// Shares equal strings and equal small aggregates across decoded objects, so that 50 000 pods of
/// a few hundred deployments hold each image name, env list, label set, … once.
///
/// Used by one reader at a time (`KubeInternTable` holds the lock).
final class InternStore {
    /// Moved into the reader for the duration of a decode (see `KubeListDecoder.run`).
    var strings: StringTable
    let maxEntries: Int
    var stringCount: Int { strings.count }

    // Aggregates that repeat byte for byte across replicas, keyed by their JSON bytes: a hit skips
    // decoding altogether.
    let maps = ByteKeyedCache<[String: String]>()
    let ownerReferenceLists = ByteKeyedCache<[OwnerReference]>()
    let envLists = ByteKeyedCache<[EnvVar]>()
    let projectedSources = ByteKeyedCache<ProjectedVolumeSource>()
    // Container statuses differ in their bytes (container IDs, start times) but not in the fields
    // kept: shared by value.
    private var statusLists = Set<[ContainerStatus]>()

    init(maxEntries: Int) {
        self.maxEntries = maxEntries
        strings = StringTable(maxEntries: maxEntries)
    }

    var aggregateCount: Int {
        maps.count + ownerReferenceLists.count + envLists.count + projectedSources.count + statusLists.count
    }

    func removeAll() {
        strings = StringTable(maxEntries: maxEntries)
        maps.removeAll()
        ownerReferenceLists.removeAll()
        envLists.removeAll()
        projectedSources.removeAll()
        statusLists = []
    }

    // MARK: - Aggregates

    @inline(__always)
    private func share<Value: Hashable>(_ value: Value, in set: inout Set<Value>) -> Value {
        if let index = set.firstIndex(of: value) { return set[index] }
        if set.count < maxEntries { set.insert(value) }
        return value
    }

    func share(_ value: [ContainerStatus]) -> [ContainerStatus] { value.isEmpty ? value : share(value, in: &statusLists) }
}

/// A table of shared strings and values for decoding many objects that repeat themselves
/// (namespace, image, node, env and label names, whole env lists and label sets).
///
/// Pass one table to every page of a list (and to the watch that follows) so that all pods share
/// storage; each decode holds the table's lock for the page it decodes, so decodes that share a
/// table run one after the other — give concurrent decoders their own tables. Entries keep their
/// strings alive: call `removeAll()` when relisting after a long watch.
public final class KubeInternTable: @unchecked Sendable {
    // Safety: `store` is only touched while `lock` is held (`withStore`).
    private let lock = NSLock()
    private let store: InternStore

    /// - Parameter maxEntries: per kind of value, how many distinct values to remember at most.
    public init(maxEntries: Int = 1 << 20) {
        store = InternStore(maxEntries: max(0, maxEntries))
    }

    func withStore<Result>(_ body: (InternStore) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(store)
    }

    /// How many distinct strings and aggregates are remembered.
    public var entryCount: Int { withStore { $0.stringCount + $0.aggregateCount } }

    /// Forgets every entry (objects already decoded keep their values).
    public func removeAll() { withStore { $0.removeAll() } }
}
