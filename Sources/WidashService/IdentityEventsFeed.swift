import Foundation
import Synchronization
import WidashCore
import WidashKube

/// The recent Kubernetes events of one service account, watched (never polled): the events of its
/// namespace (`ListWatch`: list, then watch from the list's resourceVersion; relist after 410),
/// kept when they are about a pod running as the account or about a ReplicaSet, Deployment,
/// StatefulSet or Job whose pod template names it — so a FailedCreate is seen even when no pod exists.
/// Pods and workloads are watched the same way to know which objects those are.
/// What cannot be listed is named with its RBAC permission and the rest still works.
public struct IdentityEventsFeed: Sendable {
    public let kube: KubeClient
    public let namespace: String
    public let serviceAccount: String
    /// Updates are published at most this often.
    public var coalesce: Duration = .milliseconds(100)

    public init(kube: KubeClient, namespace: String, serviceAccount: String) {
        self.kube = kube
        self.namespace = namespace
        self.serviceAccount = serviceAccount
    }

    public func updates() -> AsyncStream<IdentityEventsUpdate> {
        AsyncStream { continuation in
            let task = Task { await run(continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func run(_ out: AsyncStream<IdentityEventsUpdate>.Continuation) async {
        let state = EventsState(serviceAccount: serviceAccount)
        let (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        // Which reads are allowed: a refused or unserved list is named once, and not watched.
        var readable: [(KubeResource, String?)] = []
        for (resource, kind) in [(KubeResource.events, nil), (KubeResource.pods, "Pod")] + KubeResource.podTemplateWorkloads.map({ ($0.resource, Optional($0.kind)) }) {
            if let refused = await probe(resource) {
                // A workload kind the cluster does not serve is simply absent; a refusal is said.
                if refused.statusCode != 404 || resource == .events { state.refuse(refused) }
            } else {
                readable.append((resource, kind))
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for (resource, kind) in readable {
                group.addTask {
                    switch kind {
                    case nil: await Self.follow(ListWatch<KubeEvent>(client: kube, resource: resource, namespace: namespace), changed) {
                        state.apply(events: $0)
                    }
                    case "Pod"?: await Self.follow(ListWatch<Pod>(client: kube, resource: resource, namespace: namespace), changed) {
                        state.apply(pods: $0)
                    }
                    case let kind?:
                        await Self.follow(ListWatch<PodTemplateWorkload>(client: kube, resource: resource, namespace: namespace), changed) {
                            state.apply(workloads: $0, kind: kind)
                        }
                    }
                }
            }
            state.expect(lists: readable.count)
            changed.yield()
            group.addTask {
                for await _ in changes {
                    if Task.isCancelled { break }
                    out.yield(state.update())
                    try? await Task.sleep(for: coalesce)
                }
            }
            await group.waitForAll()
        }
        out.finish()
    }

    /// The first page of `resource` in the namespace, to learn whether it may be read (403 names the
    /// permission) or is served at all (404).
    private func probe(_ resource: KubeResource) async -> UnreadableRead? {
        do {
            _ = try await kube.send(path: resource.path(namespace: namespace) + "?limit=1")
            return nil
        } catch let error as KubeAPIError where [401, 403, 404].contains(error.statusCode) {
            return UnreadableRead(what: "\(resource) in \(namespace)", statusCode: error.statusCode,
                                  permission: error.missingPermission?.description,
                                  consequence: resource == .events ? "no events are shown"
                                      : "events of \(resource) running as \(serviceAccount) are not shown")
        } catch {
            return nil  // a transient failure: the ListWatch retries it and reports it
        }
    }

    private static func follow<T: KubeObject>(_ watch: ListWatch<T>, _ changed: AsyncStream<Void>.Continuation,
                                              apply: @Sendable (ListWatchEvent<T>) -> Void) async {
        for await event in watch.events() {
            apply(event)
            changed.yield()
        }
    }
}

/// What the feed knows: the namespace's events, its pods' and workloads' service accounts.
final class EventsState: Sendable {
    private struct Store {
        var events: [String: KubeEvent] = [:]
        var listingEvents: [String: KubeEvent]?
        var pods: [String: String] = [:]  // name → service account
        var workloads: [String: [String: String]] = [:]  // kind → name → service account
        var unreadable: [UnreadableRead] = []
        var problem: String?
        var expectedLists = Int.max
        var listsDone = Set<String>()

        mutating func note(_ side: Side, list: String) {
            switch side {
            case .none: break
            case .listed: listsDone.insert(list)
            case .problem(let text): problem = text
            case .resumed: problem = nil
            }
        }
    }
    private let store = Mutex(Store())
    let serviceAccount: String

    init(serviceAccount: String) { self.serviceAccount = serviceAccount }

    func refuse(_ read: UnreadableRead) { store.withLock { $0.unreadable.append(read) } }
    func expect(lists: Int) { store.withLock { $0.expectedLists = lists } }

    func apply(events change: ListWatchEvent<KubeEvent>) {
        store.withLock { store in
            switch change {
            case .listing: store.listingEvents = [:]
            case .page(let items, _): for item in items { store.listingEvents?[item.metadata.name] = item }
            case .listed:
                store.events = store.listingEvents ?? store.events
                store.listingEvents = nil
                store.listsDone.insert("events")
                store.problem = nil
            case .added(let event), .modified(let event): store.events[event.metadata.name] = event
            case .deleted(let event): store.events[event.metadata.name] = nil
            case .problem(let text): store.problem = text
            case .resumed: store.problem = nil
            }
        }
    }

    func apply(pods change: ListWatchEvent<Pod>) {
        store.withLock { store in
            var names = store.pods
            let side = Self.track(change, into: &names) { $0.spec.serviceAccountName ?? "default" }
            store.pods = names
            store.note(side, list: "Pod")
        }
    }

    func apply(workloads change: ListWatchEvent<PodTemplateWorkload>, kind: String) {
        store.withLock { store in
            var names = store.workloads[kind] ?? [:]
            let side = Self.track(change, into: &names) { $0.serviceAccountName }
            store.workloads[kind] = names
            store.note(side, list: kind)
        }
    }

    /// What a change means beyond the names it moves.
    enum Side { case none, listed, problem(String), resumed }

    private static func track<T: KubeObject>(_ change: ListWatchEvent<T>, into names: inout [String: String],
                                             account: (T) -> String) -> Side {
        switch change {
        case .listing: names = [:]
        case .page(let items, _): for item in items { names[item.metadata.name] = account(item) }
        case .listed: return .listed
        case .added(let item), .modified(let item): names[item.metadata.name] = account(item)
        case .deleted(let item): names[item.metadata.name] = nil
        case .problem(let text): return .problem(text)
        case .resumed: return .resumed
        }
        return .none
    }

    func update() -> IdentityEventsUpdate {
        store.withLock { store in
            let account = serviceAccount
            var workloads: [String] = []
            for (kind, names) in store.workloads {
                for (name, sa) in names where sa == account { workloads.append("\(kind)/\(name)") }
            }
            let objects = Set(workloads + store.pods.filter { $0.value == account }.map { "Pod/\($0.key)" })
            let events = store.events.values.filter { event in
                objects.contains("\(event.involvedObject.kind ?? "")/\(event.involvedObject.name ?? "")")
            }.sorted { ($0.lastSeen ?? .distantPast, $0.metadata.name) > ($1.lastSeen ?? .distantPast, $1.metadata.name) }
            return IdentityEventsUpdate(events: events, workloads: workloads.sorted(), unreadable: store.unreadable,
                                        problem: store.problem, listed: store.listsDone.count >= store.expectedLists)
        }
    }
}

extension ClusterSession {
    /// The watched events of one service account (its pods and the workloads whose template uses it).
    public func identityEvents(namespace: String, serviceAccount: String) -> IdentityEventsFeed {
        IdentityEventsFeed(kube: kube, namespace: namespace, serviceAccount: serviceAccount)
    }
}
