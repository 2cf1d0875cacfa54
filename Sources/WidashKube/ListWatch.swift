import Foundation
import Synchronization
import WidashCore

/// A change to the set of objects a `ListWatch` keeps.
public enum ListWatchEvent<T: Sendable>: Sendable {
    /// A (re)list replaced the whole set: apply as "this is everything" (first list included).
    case relisted([T])
    case added(T)
    case modified(T)
    case deleted(T)
    /// A transient failure (for a banner); the ListWatch keeps retrying with backoff.
    case problem(String)
}

extension ListWatchEvent: Equatable where T: Equatable {}

/// An informer: lists, then watches from the list's resourceVersion, keeping a keyed store.
///
/// - BOOKMARK events move the resume point; connection ends reconnect from the last resourceVersion
///   after a backoff; an ERROR event with code 410 or an HTTP 410 relists from scratch.
/// - Consumers apply the emitted deltas; `objects` gives the current store at any time.
public final class ListWatch<T: KubeObject>: Sendable {
    public let client: KubeClient
    public let resource: KubeResource
    public let namespace: String?

    private struct State {
        var store: [String: T] = [:]
        var resourceVersion = ""
        var relists = 0
    }
    private let state = Mutex(State())

    public init(client: KubeClient, resource: KubeResource, namespace: String? = nil) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
    }

    /// The objects currently known, sorted by "namespace/name".
    public var objects: [T] {
        state.withLock { $0.store.values.sorted { $0.metadata.key < $1.metadata.key } }
    }

    /// The resourceVersion a reconnect would resume from.
    public var resourceVersion: String { state.withLock { $0.resourceVersion } }

    /// How many full lists ran (the first included).
    public var listCount: Int { state.withLock { $0.relists } }

    /// Starts listing and watching; the work stops when the consumer stops iterating. Call it once
    /// per ListWatch: the store is shared.
    public func events() -> AsyncStream<ListWatchEvent<T>> {
        AsyncStream { continuation in
            let task = Task { await self.run(continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func run(_ continuation: AsyncStream<ListWatchEvent<T>>.Continuation) async {
        let options = client.options
        var needsList = true
        var backoff = options.watchBackoffInitial
        func pause() async -> Bool {
            do { try await options.sleep(backoff) } catch { return false }
            backoff = min(backoff * 2, options.watchBackoffMax)
            return !Task.isCancelled
        }
        while !Task.isCancelled {
            if needsList {
                do {
                    let list = try await client.list(resource, namespace: namespace, as: T.self)
                    let items = state.withLock { state in
                        state.store = Dictionary(list.items.map { ($0.metadata.key, $0) }, uniquingKeysWith: { _, last in last })
                        state.resourceVersion = list.resourceVersion
                        state.relists += 1
                        return state.store.values.sorted { $0.metadata.key < $1.metadata.key }
                    }
                    continuation.yield(.relisted(items))
                    needsList = false
                    backoff = options.watchBackoffInitial
                } catch {
                    if Task.isCancelled { break }
                    continuation.yield(.problem("listing \(resource): \(error)"))
                    if await !pause() { break }
                    continue
                }
            }
            do {
                var delivered = false
                for try await event in client.watch(resource, namespace: namespace, resourceVersion: resourceVersion, as: T.self) {
                    if let change = apply(event) {
                        continuation.yield(change)
                        delivered = true
                    } else if case .error(let status) = event {
                        if status.code == 410 {
                            needsList = true
                        } else {
                            continuation.yield(.problem("watching \(resource): \(status.message ?? "error event")"))
                        }
                        break
                    }
                }
                if delivered { backoff = options.watchBackoffInitial }
                if needsList { continue }
            } catch let error as KubeAPIError where error.statusCode == 410 {
                needsList = true
                continue
            } catch {
                if Task.isCancelled { break }
                continuation.yield(.problem("watching \(resource): \(error)"))
            }
            // The connection ended (server timeout, cut, error): resume from the last resourceVersion.
            if await !pause() { break }
        }
        continuation.finish()
    }

    /// Applies an object event to the store and returns the change to emit; nil for bookmarks and errors.
    private func apply(_ event: WatchEvent<T>) -> ListWatchEvent<T>? {
        state.withLock { state in
            func advance(_ object: T) {
                if let version = object.metadata.resourceVersion, !version.isEmpty { state.resourceVersion = version }
            }
            switch event {
            case .added(let object), .modified(let object):
                let existed = state.store.updateValue(object, forKey: object.metadata.key) != nil
                advance(object)
                return existed ? .modified(object) : .added(object)
            case .deleted(let object):
                state.store.removeValue(forKey: object.metadata.key)
                advance(object)
                return .deleted(object)
            case .bookmark(let version):
                if !version.isEmpty { state.resourceVersion = version }
                return nil
            case .error:
                return nil
            }
        }
    }
}
