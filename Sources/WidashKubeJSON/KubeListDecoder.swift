import Foundation
import WidashCore

/// One page of a Kubernetes list response.
public struct KubeListPage<Item> {
    public var items: [Item]
    /// `metadata.resourceVersion`: where a watch resumes after this list.
    public var resourceVersion: String?
    /// `metadata.continue`: the token for the next page; nil or empty on the last page.
    public var continueToken: String?
    /// `metadata.remainingItemCount`: how many items the following pages hold, when the server says.
    public var remainingItemCount: Int?

    public init(items: [Item], resourceVersion: String? = nil, continueToken: String? = nil, remainingItemCount: Int? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }

    /// True when a next page must be fetched.
    public var hasMore: Bool { !(continueToken ?? "").isEmpty }
}

extension KubeListPage: Sendable where Item: Sendable {}
extension KubeListPage: Equatable where Item: Equatable {}

/// A list's `metadata` alone (`ListMeta`).
public struct KubeListMetadata: Sendable, Hashable {
    public var resourceVersion: String?
    public var continueToken: String?
    public var remainingItemCount: Int?

    public init(resourceVersion: String? = nil, continueToken: String? = nil, remainingItemCount: Int? = nil) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// A `Status` object, as carried by watch ERROR events (code 410 = resourceVersion too old: relist).
public struct KubeStatusRecord: Sendable, Hashable, Codable {
    /// "Success" or "Failure".
    public var status: String?
    public var message: String?
    /// e.g. "Expired", "Gone", "NotFound".
    public var reason: String?
    /// The HTTP status code it stands for.
    public var code: Int?

    public init(status: String? = nil, message: String? = nil, reason: String? = nil, code: Int? = nil) {
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
    }
}

/// One line of a watch stream: `{"type": "...", "object": {...}}`.
public enum WatchEventRecord<Object> {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Progress marker: resume from this resourceVersion; no object changed.
    case bookmark(resourceVersion: String)
    /// An ERROR event; its Status says why.
    case error(KubeStatusRecord)
    /// An event type this decoder does not know (its object was skipped).
    case unknown(type: String)
}

extension WatchEventRecord: Sendable where Object: Sendable {}
extension WatchEventRecord: Equatable where Object: Equatable {}

/// Decodes Kubernetes list pages and watch events straight from bytes into WidashCore types,
/// reading only the fields those types hold. Results equal `JSONDecoder`'s for the same bytes.
///
/// Every entry point accepts `Data`, `[UInt8]`, `ArraySlice<UInt8>` or any contiguous byte
/// collection (others are copied once). Pass one `KubeInternTable` to all pages of a list and its
/// watch so repeated strings and lists are stored once; without one, each call uses its own.
public enum KubeListDecoder {
    // MARK: Lists

    /// Decodes a list page of any supported kind.
    public static func decodeList<Item: KubeJSONDecodable, Bytes: Collection<UInt8>>(
        _ bytes: Bytes, as type: Item.Type = Item.self,
        interner: KubeInternTable? = nil, limits: KubeJSONLimits = .default
    ) throws -> KubeListPage<Item> {
        try withReader(bytes, interner: interner, limits: limits) { reader in try readListPage(&reader, as: Item.self) }
    }

    public static func decodePodList(_ bytes: some Collection<UInt8>, interner: KubeInternTable? = nil,
                                     limits: KubeJSONLimits = .default) throws -> KubeListPage<Pod> {
        try decodeList(bytes, as: Pod.self, interner: interner, limits: limits)
    }

    public static func decodeServiceAccountList(_ bytes: some Collection<UInt8>, interner: KubeInternTable? = nil,
                                                limits: KubeJSONLimits = .default) throws -> KubeListPage<ServiceAccount> {
        try decodeList(bytes, as: ServiceAccount.self, interner: interner, limits: limits)
    }

    public static func decodeNamespaceList(_ bytes: some Collection<UInt8>, interner: KubeInternTable? = nil,
                                           limits: KubeJSONLimits = .default) throws -> KubeListPage<Namespace> {
        try decodeList(bytes, as: Namespace.self, interner: interner, limits: limits)
    }

    public static func decodeMutatingWebhookConfigurationList(
        _ bytes: some Collection<UInt8>, interner: KubeInternTable? = nil, limits: KubeJSONLimits = .default
    ) throws -> KubeListPage<MutatingWebhookConfiguration> {
        try decodeList(bytes, as: MutatingWebhookConfiguration.self, interner: interner, limits: limits)
    }

    public static func decodeAzureIdentityList(_ bytes: some Collection<UInt8>, interner: KubeInternTable? = nil,
                                               limits: KubeJSONLimits = .default) throws -> KubeListPage<AzureIdentity> {
        try decodeList(bytes, as: AzureIdentity.self, interner: interner, limits: limits)
    }

    public static func decodeAzureIdentityBindingList(
        _ bytes: some Collection<UInt8>, interner: KubeInternTable? = nil, limits: KubeJSONLimits = .default
    ) throws -> KubeListPage<AzureIdentityBinding> {
        try decodeList(bytes, as: AzureIdentityBinding.self, interner: interner, limits: limits)
    }

    /// Only the list's `metadata` (for the continue token), without decoding items: cheap when
    /// `metadata` comes first, as the API server writes it. Does not validate the rest.
    public static func peekListMetadata(_ bytes: some Collection<UInt8>, limits: KubeJSONLimits = .default) throws -> KubeListMetadata {
        try withReader(bytes, interner: nil, limits: limits, requireEnd: false) { r in
            try r.enterObject("an object (a Kubernetes list)")
            var seen = SeenFields()
            while let key = try r.nextKey() {
                if key.is("metadata"), seen.first(0) { return try readListMeta(&r) }
                try r.skipValue()
            }
            return KubeListMetadata()
        }
    }

    /// Decodes one object (e.g. the body of a GET).
    public static func decodeObject<Item: KubeJSONDecodable>(
        _ bytes: some Collection<UInt8>, as type: Item.Type = Item.self,
        interner: KubeInternTable? = nil, limits: KubeJSONLimits = .default
    ) throws -> Item {
        try withReader(bytes, interner: interner, limits: limits) { r in try Item.decode(kubeJSON: &r) }
    }

    // MARK: Watch events

    /// Decodes one watch line, `{"type": "ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR", "object": {...}}`,
    /// in either member order.
    public static func decodeWatchEvent<Item: KubeJSONDecodable>(
        line: some Collection<UInt8>, as type: Item.Type = Item.self,
        interner: KubeInternTable? = nil, limits: KubeJSONLimits = .default
    ) throws -> WatchEventRecord<Item> {
        try withReader(line, interner: interner, limits: limits) { r in try readWatchEvent(&r, as: Item.self) }
    }

    // MARK: - Reading

    static func readListMeta(_ r: inout KubeJSONReader) throws -> KubeListMetadata {
        var meta = KubeListMetadata()
        if try r.consumeNull() { return meta }
        try r.enterObject("an object (list metadata)")
        var seen = SeenFields()
        while let key = try r.nextKey() {
            if key.is("resourceVersion"), seen.first(0) {
                meta.resourceVersion = try r.readOptionalString(intern: false)
            } else if key.is("continue"), seen.first(1) {
                meta.continueToken = try r.readOptionalString(intern: false)
            } else if key.is("remainingItemCount"), seen.first(2) {
                meta.remainingItemCount = try r.readOptionalInt()
            } else {
                try r.skipValue()
            }
        }
        return meta
    }

    static func readListPage<Item: KubeJSONDecodable>(_ r: inout KubeJSONReader, as type: Item.Type) throws -> KubeListPage<Item> {
        try r.enterObject("an object (a Kubernetes list)")
        var seen = SeenFields()
        var meta = KubeListMetadata()
        var items: [Item]?
        while let key = try r.nextKey() {
            if key.is("metadata"), seen.first(0) {
                meta = try readListMeta(&r)
            } else if key.is("items"), seen.first(1) {
                items = try r.readOptionalArray("an array of items") { r in try Item.decode(kubeJSON: &r) }
            } else {
                try r.skipValue()
            }
        }
        return KubeListPage(items: items ?? [], resourceVersion: meta.resourceVersion,
                            continueToken: meta.continueToken, remainingItemCount: meta.remainingItemCount)
    }

    static func readWatchEvent<Item: KubeJSONDecodable>(_ r: inout KubeJSONReader, as type: Item.Type) throws -> WatchEventRecord<Item> {
        let start = r.valueOffset()
        try r.enterObject("an object (a watch event)")
        var seen = SeenFields()
        var eventType: String?
        var decoded: WatchEventRecord<Item>?
        var objectStart: Int?
        while let key = try r.nextKey() {
            if key.is("type"), seen.first(0) {
                eventType = try r.readString(intern: false)
            } else if key.is("object"), seen.first(1) {
                if let eventType {
                    decoded = try readEventObject(&r, type: eventType, as: Item.self)
                } else {
                    // The object came before the type: note where it is and come back to it.
                    objectStart = r.valueOffset()
                    try r.skipValue()
                }
            } else {
                try r.skipValue()
            }
        }
        guard let eventType else { throw r.missing("type", in: start) }
        if let decoded { return decoded }
        if let objectStart {
            let afterEvent = r.pos
            r.pos = objectStart
            let event = try readEventObject(&r, type: eventType, as: Item.self)
            r.pos = afterEvent
            return event
        }
        switch eventType {
        case "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR": throw r.missing("object", in: start)
        default: return .unknown(type: eventType)
        }
    }

    private static func readEventObject<Item: KubeJSONDecodable>(_ r: inout KubeJSONReader, type: String,
                                                                   as itemType: Item.Type) throws -> WatchEventRecord<Item> {
        switch type {
        case "ADDED": return .added(try Item.decode(kubeJSON: &r))
        case "MODIFIED": return .modified(try Item.decode(kubeJSON: &r))
        case "DELETED": return .deleted(try Item.decode(kubeJSON: &r))
        case "BOOKMARK": return .bookmark(resourceVersion: try readBookmarkVersion(&r))
        case "ERROR": return .error(try readStatus(&r))
        default:
            try r.skipValue()
            return .unknown(type: type)
        }
    }

    /// A bookmark's object holds only `metadata.resourceVersion` (and maybe annotations).
    private static func readBookmarkVersion(_ r: inout KubeJSONReader) throws -> String {
        var version = ""
        try r.enterObject("an object (bookmark)")
        var seen = SeenFields()
        while let key = try r.nextKey() {
            guard key.is("metadata"), seen.first(0), !(try r.consumeNull()) else {
                try r.skipValue()
                continue
            }
            try r.enterObject("an object (bookmark metadata)")
            var seenMeta = SeenFields()
            while let metaKey = try r.nextKey() {
                if metaKey.is("resourceVersion"), seenMeta.first(0) {
                    version = try r.readOptionalString(intern: false) ?? ""
                } else {
                    try r.skipValue()
                }
            }
        }
        return version
    }

    static func readStatus(_ r: inout KubeJSONReader) throws -> KubeStatusRecord {
        var status = KubeStatusRecord()
        try r.enterObject("an object (Status)")
        var seen = SeenFields()
        while let key = try r.nextKey() {
            if key.is("status"), seen.first(0) {
                status.status = try r.readOptionalString(intern: false)
            } else if key.is("message"), seen.first(1) {
                status.message = try r.readOptionalString(intern: false)
            } else if key.is("reason"), seen.first(2) {
                status.reason = try r.readOptionalString(intern: false)
            } else if key.is("code"), seen.first(3) {
                status.code = try r.readOptionalInt()
            } else {
                try r.skipValue()
            }
        }
        return status
    }

    // MARK: - Buffers

    /// Runs `body` on a reader over the bytes, checks that nothing but whitespace follows (unless
    /// `requireEnd` is false), and attaches the JSON path to any error.
    static func withReader<Bytes: Collection<UInt8>, Result>(
        _ bytes: Bytes, interner: KubeInternTable?, limits: KubeJSONLimits, requireEnd: Bool = true,
        _ body: (inout KubeJSONReader) throws -> Result
    ) throws -> Result {
        if let data = bytes as? Data {
            return try data.withUnsafeBytes { raw in try run(raw, interner: interner, limits: limits, requireEnd: requireEnd, body) }
        }
        if let result = try bytes.withContiguousStorageIfAvailable({ buffer in
            try run(UnsafeRawBufferPointer(buffer), interner: interner, limits: limits, requireEnd: requireEnd, body)
        }) {
            return result
        }
        return try Array(bytes).withUnsafeBytes { raw in try run(raw, interner: interner, limits: limits, requireEnd: requireEnd, body) }
    }

    private static func run<Result>(
        _ raw: UnsafeRawBufferPointer, interner: KubeInternTable?, limits: KubeJSONLimits, requireEnd: Bool,
        _ body: (inout KubeJSONReader) throws -> Result
    ) throws -> Result {
        let table = interner ?? KubeInternTable()
        let scratch = ReaderScratch(limits: limits)
        do {
            return try table.withStore { store in
                // The string table moves into the reader and back, whatever happens.
                var reader = KubeJSONReader(raw, limits: limits, scratch: scratch, interner: store, strings: store.strings)
                store.strings = StringTable(maxEntries: 0, capacity: 1)
                defer { store.strings = reader.strings }
                let result = try body(&reader)
                if requireEnd {
                    reader.skipWhitespace()
                    if reader.pos < reader.end { throw reader.error(.trailingBytes) }
                }
                return result
            }
        } catch var error as KubeJSONError {
            error.path = JSONPathLocator.path(in: raw.assumingMemoryBound(to: UInt8.self), at: error.offset)
            throw error
        }
    }
}
