import Foundation

/// One chunk of a streamed response body, or the instruction to cut the connection (a fault).
enum StreamChunk: Sendable {
    case data(Data)
    case abort
}

/// An object as stored: the typed value, its JSON rendered once (what list/get/watch send), and
/// the labels and fields selectors look at.
struct StoredEntry: Sendable {
    var resource: ResourceType
    var object: any KubeObject
    var json: Data
    var resourceVersion: Int
    var labels: [String: String]
    var fields: [String: String]
    /// The object's protobuf message, made from `json` the first time a protobuf list needs it
    /// (a changed object is a new entry, so the cache cannot go stale).
    var protobuf: [UInt8]? = nil

    var namespace: String? { object.metadata.namespace }
    var name: String { object.metadata.name }
    var key: String { ClusterStore.key(namespace: namespace, name: name) }
}

/// What a list or watch asks for.
struct ObjectQuery: Sendable {
    var namespace: String?
    var labelSelector: LabelSelector?
    var fieldSelector: FieldSelector?

    func matches(_ entry: StoredEntry) -> Bool {
        if let namespace, entry.namespace != namespace { return false }
        if let labelSelector, !labelSelector.matches(entry.labels) { return false }
        if let fieldSelector, !fieldSelector.matches(entry.fields) { return false }
        return true
    }

    var hasSelectors: Bool { labelSelector != nil || fieldSelector != nil }
}

/// The sandbox's etcd and watch cache in one: objects by resource in key order (as etcd lists
/// them), a global resourceVersion counter, a bounded event history for watches that resume from
/// a resourceVersion, and the open watches.
actor ClusterStore {
    private struct Table {
        var entries: [String: StoredEntry] = [:]
        var sortedKeys: [String] = []
    }

    private struct HistoryEvent {
        var type: String
        var entry: StoredEntry
    }

    private struct Watcher {
        var resource: ResourceType
        var query: ObjectQuery
        var continuation: AsyncStream<StreamChunk>.Continuation
    }

    private var tables: [ResourceType: Table] = [:]
    private(set) var currentResourceVersion = 1
    /// Every event with a resourceVersion above this is in `history`; older ones are forgotten.
    private var historyFloor = 1
    private var history: [HistoryEvent] = []
    private var historyStart = 0
    private let historyLimit: Int
    private var watchers: [Int: Watcher] = [:]
    private var nextWatcherID = 0
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    init(historyLimit: Int = 5000) {
        self.historyLimit = historyLimit
    }

    static func key(namespace: String?, name: String) -> String {
        namespace.map { "\($0)/\(name)" } ?? name
    }

    // MARK: Loading and changing objects

    /// Stores objects without emitting watch events (the state the scenario starts with).
    func load(_ objects: [(ResourceType, any KubeObject)]) throws {
        var entries: [StoredEntry] = []
        entries.reserveCapacity(objects.count)
        for (offset, (resource, object)) in objects.enumerated() {
            entries.append(try Self.render(resource, object, resourceVersion: currentResourceVersion + 1 + offset, encoder: encoder))
        }
        loadRendered(entries)
    }

    /// Stores entries rendered elsewhere (the scale scenario's templates), without watch events.
    func loadRendered(_ entries: [StoredEntry]) {
        var touched = Set<ResourceType>()
        for entry in entries {
            tables[entry.resource, default: Table()].entries[entry.key] = entry
            currentResourceVersion = max(currentResourceVersion, entry.resourceVersion)
            touched.insert(entry.resource)
        }
        for resource in touched {
            let sorted = tables[resource]?.entries.keys.sorted() ?? []
            tables[resource]?.sortedKeys = sorted
        }
        historyFloor = currentResourceVersion
    }

    /// Adds or replaces an object (ADDED or MODIFIED) and tells the watches.
    @discardableResult
    func upsert(_ resource: ResourceType, _ object: any KubeObject) throws -> StoredEntry {
        currentResourceVersion += 1
        let entry = try render(resource, object, resourceVersion: currentResourceVersion)
        var table = tables[resource, default: Table()]
        let existed = table.entries[entry.key] != nil
        table.entries[entry.key] = entry
        if !existed { table.sortedKeys.insert(entry.key, at: Self.lowerBound(table.sortedKeys, entry.key)) }
        tables[resource] = table
        record(existed ? "MODIFIED" : "ADDED", entry)
        return entry
    }

    /// Replaces many objects at once, a MODIFIED event each, in order: the scale scenario's burst
    /// (`ScaleBurst`). The objects come stamped with resourceVersions from `firstResourceVersion`
    /// (restamped here if the store moved on since). Watches get the events in chunks of
    /// `eventsPerChunk` lines — one write per chunk, as an API server's watch cache flushes a busy
    /// stream — so the burst is bound by the client, not by per-event writes.
    func applyPrepared(_ resource: ResourceType, _ objects: [PreRenderedObject], firstResourceVersion: Int,
                       eventsPerChunk: Int = 256) -> ScaleBurstReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let restamp = firstResourceVersion != currentResourceVersion + 1
        var table = tables[resource, default: Table()]
        tables[resource] = nil  // uniquely referenced while it changes (no copy of 50 000 entries)
        let targets = watchers.filter { $0.value.resource == resource }
        var pending: [Int: Data] = [:]
        var pendingEvents = 0
        var chunks = 0
        func flush() {
            for (id, data) in pending where !data.isEmpty { targets[id]?.continuation.yield(.data(data)) }
            chunks += 1
            pending.removeAll(keepingCapacity: true)
            pendingEvents = 0
        }
        for object in objects {
            currentResourceVersion += 1
            let stamped = restamp ? object.stamped(resourceVersion: currentResourceVersion) : object
            let key = Self.key(namespace: stamped.metadata.namespace, name: stamped.metadata.name)
            let old = table.entries[key]
            let entry = StoredEntry(resource: resource, object: stamped, json: stamped.json, resourceVersion: currentResourceVersion,
                                    labels: old?.labels ?? stamped.metadata.labels ?? [:],
                                    fields: old?.fields ?? Self.fields(of: stamped))
            if old == nil { table.sortedKeys.insert(key, at: Self.lowerBound(table.sortedKeys, key)) }
            table.entries[key] = entry
            let type = old == nil ? "ADDED" : "MODIFIED"
            appendHistory(type, entry)
            for (id, watcher) in targets where watcher.query.matches(entry) {
                Self.appendEventLine(type: type, object: entry.json, to: &pending[id, default: Data()])
            }
            pendingEvents += 1
            if pendingEvents >= max(1, eventsPerChunk) { flush() }
        }
        if pendingEvents > 0 { flush() }
        tables[resource] = table
        return ScaleBurstReport(events: objects.count, startedAtNanoseconds: start,
                                pushSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, chunks: chunks)
    }

    /// Deletes an object (DELETED, carrying the object at a new resourceVersion, as the API does).
    func delete(_ resource: ResourceType, namespace: String?, name: String) throws {
        let key = Self.key(namespace: namespace, name: name)
        guard var table = tables[resource], let old = table.entries.removeValue(forKey: key) else { return }
        let index = Self.lowerBound(table.sortedKeys, key)
        if index < table.sortedKeys.count, table.sortedKeys[index] == key { table.sortedKeys.remove(at: index) }
        tables[resource] = table
        currentResourceVersion += 1
        record("DELETED", try render(resource, old.object, resourceVersion: currentResourceVersion))
    }

    private func render(_ resource: ResourceType, _ object: any KubeObject, resourceVersion: Int) throws -> StoredEntry {
        try Self.render(resource, object, resourceVersion: resourceVersion, encoder: encoder)
    }

    static func render(_ resource: ResourceType, _ object: any KubeObject, resourceVersion: Int,
                       encoder: JSONEncoder) throws -> StoredEntry {
        if let rendered = object as? PreRenderedObject {
            // Pre-rendered objects (the scale scenario) are re-stamped in their bytes, not re-encoded.
            let stamped = rendered.stamped(resourceVersion: resourceVersion)
            return StoredEntry(resource: resource, object: stamped, json: stamped.json, resourceVersion: resourceVersion,
                               labels: stamped.metadata.labels ?? [:], fields: Self.fields(of: stamped))
        }
        var object = object
        object.metadata.resourceVersion = String(resourceVersion)
        let json = try encoder.encode(object)
        return StoredEntry(resource: resource, object: object, json: json, resourceVersion: resourceVersion,
                           labels: object.metadata.labels ?? [:], fields: Self.fields(of: object))
    }

    /// The fields a fieldSelector may name, per kind (the common ones the real API supports).
    static func fields(of object: any KubeObject) -> [String: String] {
        var fields = ["metadata.name": object.metadata.name]
        if let namespace = object.metadata.namespace { fields["metadata.namespace"] = namespace }
        if let pod = object as? Pod {
            fields["spec.nodeName"] = pod.spec.nodeName
            fields["spec.serviceAccountName"] = pod.spec.serviceAccountName
            fields["status.phase"] = pod.status.phase
            fields["spec.restartPolicy"] = pod.spec.restartPolicy
            fields["spec.schedulerName"] = pod.spec.schedulerName
            fields["status.podIP"] = pod.status.podIP
        }
        if let namespace = object as? Namespace { fields["status.phase"] = namespace.status.phase }
        if let event = object as? CoreEvent { fields.merge(Self.eventFields(event)) { $1 } }
        if let rendered = object as? PreRenderedObject { fields.merge(rendered.selectableFields) { $1 } }
        return fields
    }

    /// The fields a fieldSelector may name for `resource`: events have their own set (EventFields).
    static func supportedFields(for resource: ResourceType) -> Set<String> {
        resource == .events ? eventSelectableFields : supportedFields
    }

    static let supportedFields: Set<String> = ["metadata.name", "metadata.namespace", "spec.nodeName",
                                                "spec.serviceAccountName", "status.phase", "spec.restartPolicy",
                                                "spec.schedulerName", "status.podIP"]

    // MARK: Reading

    func get(_ resource: ResourceType, namespace: String?, name: String) -> StoredEntry? {
        tables[resource]?.entries[Self.key(namespace: namespace, name: name)]
    }

    func objects(_ resource: ResourceType) -> [StoredEntry] {
        guard let table = tables[resource] else { return [] }
        return table.sortedKeys.compactMap { table.entries[$0] }
    }

    func count(_ resource: ResourceType) -> Int { tables[resource]?.entries.count ?? 0 }

    /// A list response body: `{kind, apiVersion, metadata{resourceVersion, continue, remainingItemCount}, items}`,
    /// built by joining the objects' pre-rendered JSON, paged by `limit` and the opaque `continue` token.
    func list(_ resource: ResourceType, query: ObjectQuery, limit: Int?, continueToken: String?) throws(KubeStatus) -> Data {
        let page = try listPage(resource, query: query, limit: limit, continueToken: continueToken)
        let table = tables[resource] ?? Table()
        let items = page.keys.compactMap { table.entries[$0]?.json }
        var metadata = "{\"resourceVersion\":\"\(page.metadata.resourceVersion)\""
        if let continueToken = page.metadata.continueToken {
            metadata += ",\"continue\":\"\(continueToken)\""
            if let remaining = page.metadata.remainingItemCount { metadata += ",\"remainingItemCount\":\(remaining)" }
        }
        metadata += "}"
        var body = Data("{\"kind\":\"\(resource.listKind)\",\"apiVersion\":\"\(resource.groupVersion)\",\"metadata\":\(metadata),\"items\":[".utf8)
        body.reserveCapacity(items.reduce(body.count + 2) { $0 + $1.count + 1 })
        for (offset, item) in items.enumerated() {
            if offset > 0 { body.append(UInt8(ascii: ",")) }
            body.append(item)
        }
        body.append(contentsOf: Array("]}".utf8))
        return body
    }

    /// Which objects (by key, in order) a list request returns, and the list's metadata.
    private func listPage(_ resource: ResourceType, query: ObjectQuery, limit: Int?,
                          continueToken: String?) throws(KubeStatus) -> (keys: [String], metadata: KubeListMetaValues) {
        let table = tables[resource] ?? Table()
        var listRV = currentResourceVersion
        var startIndex = 0
        if let namespace = query.namespace {
            startIndex = Self.lowerBound(table.sortedKeys, namespace + "/")
        }
        if let continueToken, !continueToken.isEmpty {
            guard let token = ContinueToken(encoded: continueToken) else {
                throw KubeStatus.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
            }
            if token.resourceVersion < historyFloor { throw KubeStatus.continueExpired }
            listRV = token.resourceVersion
            startIndex = max(startIndex, Self.lowerBound(table.sortedKeys, token.start))
        }
        let prefix = query.namespace.map { $0 + "/" }
        var items: [String] = []
        var index = startIndex
        var lastKey: String?
        let pageSize = (limit ?? 0) > 0 ? limit : nil
        while index < table.sortedKeys.count {
            let key = table.sortedKeys[index]
            if let prefix, !key.hasPrefix(prefix) { break }
            index += 1
            guard let entry = table.entries[key], query.matches(entry) else { continue }
            items.append(key)
            lastKey = key
            if let pageSize, items.count >= pageSize { break }
        }
        // More to come only if an object after the page would be part of this list.
        var remaining = 0
        var hasMore = false
        if pageSize != nil {
            var probe = index
            while probe < table.sortedKeys.count {
                let key = table.sortedKeys[probe]
                if let prefix, !key.hasPrefix(prefix) { break }
                probe += 1
                if query.hasSelectors {
                    if let entry = table.entries[key], query.matches(entry) { hasMore = true; break }
                } else {
                    remaining += 1
                }
            }
            if !query.hasSelectors { hasMore = remaining > 0 }
        }
        var metadata = KubeListMetaValues(resourceVersion: String(listRV))
        if hasMore, let lastKey {
            metadata.continueToken = ContinueToken(resourceVersion: listRV, start: lastKey + "\u{0}").encoded
            if !query.hasSelectors { metadata.remainingItemCount = remaining }
        }
        return (items, metadata)
    }

    /// A protobuf list's page: each item's cached message, or its JSON where none is cached yet.
    /// The caller encodes those outside the actor (`KubeAPI.protobufList`), so that encoding a
    /// 50 000-pod list the first time does not hold up every other request, and hands them back to
    /// `cacheProtobuf`.
    func protobufListPlan(_ resource: ResourceType, query: ObjectQuery, limit: Int?,
                          continueToken: String?) throws(KubeStatus) -> ProtobufListPlan {
        let page = try listPage(resource, query: query, limit: limit, continueToken: continueToken)
        let table = tables[resource] ?? Table()
        var items: [ProtobufListPlan.Item] = []
        items.reserveCapacity(page.keys.count)
        for key in page.keys {
            guard let entry = table.entries[key] else { continue }
            items.append(entry.protobuf.map { .cached($0) } ?? .pending(key: key, resourceVersion: entry.resourceVersion, json: entry.json))
        }
        return ProtobufListPlan(metadata: page.metadata, items: items)
    }

    /// Keeps encoded messages next to their entries' JSON, unless the object changed meanwhile
    /// (then the new entry's message is made when a list next needs it). The table is taken out of
    /// `tables` while it changes so that it is not copied.
    func cacheProtobuf(_ resource: ResourceType, _ messages: [(key: String, resourceVersion: Int, message: [UInt8])]) {
        guard !messages.isEmpty, var table = tables[resource] else { return }
        tables[resource] = nil
        for encoded in messages where table.entries[encoded.key]?.resourceVersion == encoded.resourceVersion {
            table.entries[encoded.key]?.protobuf = encoded.message
        }
        tables[resource] = table
    }

    // MARK: Watching

    /// Opens a watch. Without a resourceVersion (or "0") it starts with synthetic ADDED events for
    /// what exists; from a resourceVersion it replays the history after it, or — when that is older
    /// than the history — sends one ERROR event with a 410 Expired Status, as the API server does.
    func watch(_ resource: ResourceType, query: ObjectQuery, fromResourceVersion: Int?) -> (id: Int, stream: AsyncStream<StreamChunk>) {
        let (stream, continuation) = AsyncStream<StreamChunk>.makeStream()
        nextWatcherID += 1
        let id = nextWatcherID
        if let from = fromResourceVersion, from > 0 {
            if from < historyFloor {
                let status = KubeStatus.expired("too old resource version: \(from) (\(historyFloor + 1))")
                continuation.yield(.data(Self.eventLine(type: "ERROR", object: status.json)))
                continuation.finish()
                return (id, stream)
            }
            for event in history[historyStart...] where event.entry.resourceVersion > from
                && event.entry.resource == resource && query.matches(event.entry) {
                continuation.yield(.data(Self.eventLine(type: event.type, object: event.entry.json)))
            }
        } else {
            for entry in objects(resource) where query.matches(entry) {
                continuation.yield(.data(Self.eventLine(type: "ADDED", object: entry.json)))
            }
        }
        watchers[id] = Watcher(resource: resource, query: query, continuation: continuation)
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeWatcher(id) }
        }
        return (id, stream)
    }

    func removeWatcher(_ id: Int) {
        watchers[id] = nil
    }

    var openWatchCount: Int { watchers.count }

    /// Sends a BOOKMARK with the current resourceVersion to one watch, in order with its events.
    func bookmark(_ id: Int) {
        guard let watcher = watchers[id] else { return }
        let object = "{\"kind\":\"\(watcher.resource.kind)\",\"apiVersion\":\"\(watcher.resource.groupVersion)\",\"metadata\":{\"resourceVersion\":\"\(currentResourceVersion)\"}}"
        watcher.continuation.yield(.data(Self.eventLine(type: "BOOKMARK", object: Data(object.utf8))))
    }

    /// The fault "API server restart": cuts every watch, forgets the event history and jumps the
    /// resourceVersion, so a client resuming from an old resourceVersion gets 410 and must relist.
    func forgetHistory() {
        currentResourceVersion += 1000
        historyFloor = currentResourceVersion
        history.removeAll()
        historyStart = 0
        for watcher in watchers.values {
            watcher.continuation.yield(.abort)
            watcher.continuation.finish()
        }
        watchers.removeAll()
    }

    private func record(_ type: String, _ entry: StoredEntry) {
        appendHistory(type, entry)
        let line = Self.eventLine(type: type, object: entry.json)
        for watcher in watchers.values where watcher.resource == entry.resource && watcher.query.matches(entry) {
            watcher.continuation.yield(.data(line))
        }
    }

    private func appendHistory(_ type: String, _ entry: StoredEntry) {
        history.append(HistoryEvent(type: type, entry: entry))
        if history.count - historyStart > historyLimit {
            historyFloor = history[historyStart].entry.resourceVersion
            historyStart += 1
            // Compact now and then instead of shifting the array on every event.
            if historyStart > historyLimit {
                history.removeFirst(historyStart)
                historyStart = 0
            }
        }
    }

    static func eventLine(type: String, object: Data) -> Data {
        var line = Data()
        appendEventLine(type: type, object: object, to: &line)
        return line
    }

    /// Appends `{"type":…,"object":…}` and a newline (one watch event) to `out`.
    static func appendEventLine(type: String, object: Data, to out: inout Data) {
        out.append(contentsOf: Array("{\"type\":\"\(type)\",\"object\":".utf8))
        out.append(object)
        out.append(contentsOf: Array("}\n".utf8))
    }

    static func lowerBound(_ keys: [String], _ key: String) -> Int {
        var low = 0
        var high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

/// The list `continue` token, shaped like the API server's (base64 of `{"v","rv","start"}`).
struct ContinueToken: Codable {
    var v = "meta.k8s.io/v1"
    var resourceVersion: Int
    var start: String

    enum CodingKeys: String, CodingKey { case v, resourceVersion = "rv", start }

    init(resourceVersion: Int, start: String) {
        self.resourceVersion = resourceVersion
        self.start = start
    }

    init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let token = try? JSONDecoder().decode(ContinueToken.self, from: data) else { return nil }
        self = token
    }

    var encoded: String {
        let data = (try? JSONEncoder().encode(self)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
