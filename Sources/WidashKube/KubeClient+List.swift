import Foundation
import Synchronization
import WidashCore
import WidashKubeJSON
import WidashKubeProtobuf

/// The items of a list and the list's resourceVersion (where a watch resumes).
public struct KubeList<T: Sendable>: Sendable {
    public var items: [T]
    public var resourceVersion: String

    public init(items: [T], resourceVersion: String) {
        self.items = items
        self.resourceVersion = resourceVersion
    }
}

struct ListItems<T: Decodable>: Decodable {
    var items: [T]?
}

/// Where a paged list stands after a page.
public struct ListProgress: Sendable, Equatable {
    /// 0 for the first page of a list; a list restarted (its continue token expired) starts at 0 again.
    public var pageIndex: Int
    /// Items delivered so far in this list, this page included.
    public var received: Int
    /// Items in the whole list when the server says (`remainingItemCount`), nil otherwise.
    public var expectedTotal: Int?

    public init(pageIndex: Int, received: Int, expectedTotal: Int?) {
        self.pageIndex = pageIndex
        self.received = received
        self.expectedTotal = expectedTotal
    }
}

extension KubeClient {
    /// Lists a resource page by page (`limit`/`continue`; `pageSize` items first, then
    /// `followingPageSize`). While page N's items are decoded, page
    /// N+1 is already being fetched. A 410 on a continue token (it expired) restarts the list.
    public func list<T: KubeObject>(_ resource: KubeResource, namespace: String? = nil,
                                    labelSelector: String? = nil, as type: T.Type = T.self) async throws -> KubeList<T> {
        let items = Mutex<[T]>([])
        let resourceVersion = try await listPages(resource, namespace: namespace, labelSelector: labelSelector, as: type) { page, progress in
            items.withLock { items in
                if progress.pageIndex == 0 {
                    // The first page says how many follow (remainingItemCount): one allocation, no regrowth.
                    items.removeAll()
                    items.reserveCapacity(progress.expectedTotal ?? page.count)
                }
                items += page
            }
        }
        return KubeList(items: items.withLock { $0 }, resourceVersion: resourceVersion)
    }

    /// Lists a resource and hands over each page's items as soon as they are decoded (the dashboard
    /// shows the first page while the rest loads). Returns the list's resourceVersion. When a page
    /// with `pageIndex == 0` arrives again, the list restarted: drop what the earlier pages gave.
    public func listPages<T: KubeObject>(_ resource: KubeResource, namespace: String? = nil, labelSelector: String? = nil,
                                         as type: T.Type = T.self,
                                         onPage: @Sendable ([T], ListProgress) -> Void) async throws -> String {
        let base = resource.path(namespace: namespace)
        for _ in 0..<3 {
            do {
                return try await listOnce(base: base, labelSelector: labelSelector, as: type, onPage: onPage)
            } catch let error as ContinueExpired {
                logger.debug("GET \(base): continue token expired (\(error.underlying.statusCode)), listing again")
            }
        }
        throw KubeClientError.listKeptExpiring(path: base)
    }

    private struct ContinueExpired: Error { var underlying: KubeAPIError }

    /// A list page as it came, and whether the server chose protobuf.
    private struct ListPageBody: Sendable {
        var data: Data
        var isProtobuf: Bool
    }

    private func listOnce<T: KubeObject>(base: String, labelSelector: String?, as type: T.Type,
                                         onPage: @Sendable ([T], ListProgress) -> Void) async throws -> String {
        let firstLimit = options.pageSize > 0 ? String(options.pageSize) : nil
        let followingLimit = options.pageSize > 0 ? String(max(options.pageSize, options.followingPageSize)) : nil
        // Pods and service accounts in protobuf when the server has it (every API server does for
        // built-in types); JSON stays acceptable, and is what other types and other servers send.
        let accept = options.protobufLists && T.self is any KubeProtobufDecodable.Type
            ? KubeProtobufDecoder.contentType + ", application/json" : "application/json"
        @Sendable func fetch(_ token: String?) async throws -> ListPageBody {
            // The API server takes another limit with a continue token (client-go's pager may too).
            let limit = token == nil ? firstLimit : followingLimit
            let path = pathWithQuery(base, [("labelSelector", labelSelector), ("limit", limit), ("continue", token)])
            do {
                let response = try await send(path: path, accept: accept)
                return ListPageBody(data: response.body,
                                    isProtobuf: response.header("content-type")?.hasPrefix(KubeProtobufDecoder.contentType) == true)
            } catch let error as KubeAPIError where error.statusCode == 410 && token != nil {
                throw ContinueExpired(underlying: error)
            }
        }
        // Pages are fetched one after the other (each names the next), and decoded in parallel as
        // they arrive, `decoders` at a time, then handed over in order. Each decoder has its own
        // intern table (a table is locked while a page decodes): namespaces, images, env names,
        // labels… are stored once per table.
        let decoders = max(1, min(options.listDecodeConcurrency, ProcessInfo.processInfo.activeProcessorCount))
        let interners = (0..<decoders).map { _ in KubeInternTable() }
        let protobufInterners = (0..<decoders).map { _ in KubeProtobufInternTable() }
        var resourceVersion = ""
        var progress = ListProgress(pageIndex: 0, received: 0, expectedTotal: nil)
        var decoded: [Int: (items: [T], head: KubeListMetadata)] = [:]
        func deliverReady() {
            while let (items, head) = decoded.removeValue(forKey: progress.pageIndex) {
                progress.received += items.count
                progress.expectedTotal = head.remainingItemCount.map { progress.received + $0 }
                    ?? (head.continueToken?.isEmpty ?? true ? progress.received : nil)
                onPage(items, progress)
                progress.pageIndex += 1
            }
        }
        return try await withThrowingTaskGroup(of: (Int, [T], KubeListMetadata).self) { group in
            var body: ListPageBody? = try await fetch(nil)
            var pages = 0
            var decoding = 0
            while let page = body {
                let head = try listMetadata(page, path: base)
                if let version = head.resourceVersion, !version.isEmpty { resourceVersion = version }
                let index = pages
                pages += 1
                let interner = interners[index % decoders], protobufInterner = protobufInterners[index % decoders]
                group.addTask {
                    let items = page.isProtobuf
                        ? try Self.protobufItems(page.data, as: type, interner: protobufInterner, path: base)
                        : try decodeItems(page.data, as: type, interner: interner, path: base)
                    return (index, items, head)
                }
                decoding += 1
                let token = head.continueToken.flatMap { $0.isEmpty ? nil : $0 }
                async let next: ListPageBody? = token == nil ? nil : fetch(token)
                // While the next page downloads, wait for a decoder to be free (this bounds memory too).
                while decoding >= decoders, let (done, items, doneHead) = try await group.next() {
                    decoding -= 1
                    decoded[done] = (items, doneHead)
                    deliverReady()
                }
                body = try await next
            }
            while let (done, items, doneHead) = try await group.next() {
                decoded[done] = (items, doneHead)
                deliverReady()
            }
            return resourceVersion
        }
    }

    private func listMetadata(_ body: ListPageBody, path: String) throws -> KubeListMetadata {
        do {
            return body.isProtobuf ? try KubeProtobufDecoder.peekListMetadata(body.data) : try KubeListDecoder.peekListMetadata(body.data)
        } catch let error as KubeJSONError {
            throw KubeClientError.decoding(path: path, detail: "\(error)")
        } catch let error as KubeProtobufError {
            throw KubeClientError.decoding(path: path, detail: "\(error)")
        }
    }

    /// A protobuf page's items (only pods and service accounts are asked for in protobuf).
    private static func protobufItems<T>(_ body: Data, as type: T.Type, interner: KubeProtobufInternTable, path: String) throws -> [T] {
        guard let decodable = T.self as? any KubeProtobufDecodable.Type else {
            throw KubeClientError.decoding(path: path, detail: "the server sent \(KubeProtobufDecoder.contentType), which widash reads for pods and service accounts only")
        }
        do {
            return try protobufList(decodable, body, interner: interner) as? [T] ?? []
        } catch let error as KubeProtobufError {
            throw KubeClientError.decoding(path: path, detail: "\(error)")
        }
    }

    private static func protobufList<U: KubeProtobufDecodable>(_ type: U.Type, _ body: Data, interner: KubeProtobufInternTable) throws -> [U] {
        try KubeProtobufDecoder.decodeList(body, as: U.self, interner: interner).items
    }

    /// A page's items: with the selective decoder (WidashKubeJSON) for the types it knows, which
    /// reads only the fields widash keeps; with JSONDecoder otherwise.
    func decodeItems<T: KubeObject>(_ body: Data, as type: T.Type, interner: KubeInternTable, path: String) throws -> [T] {
        if let selective = T.self as? any KubeJSONDecodable.Type {
            do {
                if let items = try Self.selectiveItems(selective, body, interner: interner, as: type) { return items }
            } catch let error as KubeJSONError {
                throw KubeClientError.decoding(path: path, detail: "\(error)")
            }
        }
        return try decode(ListItems<T>.self, from: body, path: path).items ?? []
    }

    private static func selectiveItems<U: KubeJSONDecodable, T>(_ selective: U.Type, _ body: Data, interner: KubeInternTable,
                                                                as: T.Type) throws -> [T]? {
        try KubeListDecoder.decodeList(body, as: U.self, interner: interner).items as? [T]
    }

    /// Lists a resource whose API group may not be installed: a 404 means "none", not an error.
    public func listIfInstalled<T: KubeObject>(_ resource: KubeResource, namespace: String? = nil,
                                               as type: T.Type = T.self) async throws -> KubeList<T> {
        do {
            return try await list(resource, namespace: namespace, as: type)
        } catch let error as KubeAPIError where error.statusCode == 404 {
            return KubeList(items: [], resourceVersion: "")
        }
    }
}
