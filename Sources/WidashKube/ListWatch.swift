import Foundation
import Synchronization
import WidashCore

/// A change to the set of objects a `ListWatch` keeps.
public enum ListWatchEvent<T: Sendable>: Sendable {
    /// A list begins (the first one, a relist after 410, or a list restarted because its continue
    /// token expired): `page`s follow, then `listed`.
    case listing
    /// One page of the current list, delivered as soon as it is decoded.
    case page([T], ListProgress)
    /// The list is complete: objects that were not in this list's pages are gone.
    case listed
    case added(T)
    case modified(T)
    case deleted(T)
    /// A transient failure (for a banner); the ListWatch keeps retrying with backoff.
    case problem(String)
    /// After a `problem`: the watch works again (the server accepted it), so the banner can go.
    /// A completed list (`listed`) says the same.
    case resumed
}

extension ListWatchEvent: Equatable where T: Equatable {}

/// An informer: lists, then watches from the list's resourceVersion.
///
/// - BOOKMARK events move the resume point; connection ends reconnect from the last resourceVersion
///   after a backoff; an ERROR event with code 410 or an HTTP 410 relists from scratch.
/// - Consumers keep the objects (applying the emitted changes); the ListWatch itself keeps only
///   no object (ADDED and MODIFIED are passed on as the server sent them), so a 50 000-pod cluster
///   is not held twice.
public final class ListWatch<T: KubeObject>: Sendable {
    public let client: KubeClient
    public let resource: KubeResource
    public let namespace: String?

    private struct State {
        var resourceVersion = ""
        var relists = 0
    }
    private let state = Mutex(State())

    public init(client: KubeClient, resource: KubeResource, namespace: String? = nil) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
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
        var troubled = false
        func report(_ problem: String) {
            troubled = true
            continuation.yield(.problem(problem))
        }
        func pause() async -> Bool {
            do { try await options.sleep(backoff) } catch { return false }
            backoff = min(backoff * 2, options.watchBackoffMax)
            return !Task.isCancelled
        }
        while !Task.isCancelled {
            if needsList {
                do {
                    let version = try await client.listPages(resource, namespace: namespace, as: T.self) { items, progress in
                        // Every list, a restarted one included (its continue token expired), begins with page 0.
                        if progress.pageIndex == 0 { continuation.yield(.listing) }
                        continuation.yield(.page(items, progress))
                    }
                    state.withLock { state in
                        state.resourceVersion = version
                        state.relists += 1
                    }
                    continuation.yield(.listed)
                    troubled = false
                    needsList = false
                    backoff = options.watchBackoffInitial
                } catch {
                    if Task.isCancelled { break }
                    report("listing \(resource): \(error)")
                    if await !pause() { break }
                    continue
                }
            }
            do {
                var delivered = false
                for try await event in client.watch(resource, namespace: namespace, resourceVersion: resourceVersion, as: T.self) {
                    if troubled, !event.isError {
                        troubled = false
                        continuation.yield(.resumed)
                    }
                    if let change = apply(event) {
                        continuation.yield(change)
                        delivered = true
                    } else if case .error(let status) = event {
                        if status.code == 410 {
                            needsList = true
                        } else {
                            report("watching \(resource): \(status.message ?? "error event")")
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
                report("watching \(resource): \(error)")
            }
            // The connection ended (server timeout, cut, error): resume from the last resourceVersion.
            if await !pause() { break }
        }
        continuation.finish()
    }

    /// Moves the resume point past an event and returns the change to emit; nil for bookmarks and errors.
    private func apply(_ event: WatchEvent<T>) -> ListWatchEvent<T>? {
        state.withLock { state in
            func advance(_ object: T) {
                if let version = object.metadata.resourceVersion, !version.isEmpty { state.resourceVersion = version }
            }
            switch event {
            case .added(let object):
                advance(object)
                return .added(object)
            case .modified(let object):
                advance(object)
                return .modified(object)
            case .deleted(let object):
                advance(object)
                return .deleted(object)
            case .bookmark(let version):
                if !version.isEmpty { state.resourceVersion = version }
                return nil
            case .opened, .error:
                return nil
            }
        }
    }
}

private extension WatchEvent {
    var isError: Bool {
        if case .error = self { return true }
        return false
    }
}
