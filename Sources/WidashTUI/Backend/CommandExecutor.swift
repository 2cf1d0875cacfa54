import Foundation
import WidashHTTP

/// Messages posted from background tasks and signal handlers, drained by the UI loop.
final class MessageQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Message] = []

    func post(_ m: Message) { lock.withLock { pending.append(m) } }

    func drain() -> [Message] {
        lock.withLock {
            let out = pending
            pending.removeAll(keepingCapacity: true)
            return out
        }
    }
}

/// Runs `Command`s against the environment in background tasks and posts the results as messages.
/// `execute` is called from the UI thread only; the environment is never called on it.
public final class CommandExecutor: @unchecked Sendable {
    private let environment: any DashboardEnvironment
    private let themes: ThemeLoader
    private let post: @Sendable (Message) -> Void
    private var inventoryTask: Task<Void, Never>?
    private var traceTasks: [Int: Task<Void, Never>] = [:]
    private var eventsTask: Task<Void, Never>?
    private var fleetTask: Task<Void, Never>?

    public init(environment: any DashboardEnvironment, themes: ThemeLoader, post: @escaping @Sendable (Message) -> Void) {
        self.environment = environment
        self.themes = themes
        self.post = post
    }

    public func execute(_ command: Command) {
        let env = environment
        let post = self.post
        switch command {
        case .quit:
            cancelAll()
        case .loadHeader:
            Task { post(.header(await env.headerFacts())) }
        case .watchInventory(let namespace):
            inventoryTask?.cancel()
            inventoryTask = Task {
                // The table facts of each update are prepared here, off the UI thread.
                var preparer = TableFactsPreparer()
                for await update in env.inventoryUpdates(namespace: namespace) {
                    if Task.isCancelled { break }
                    BackgroundPriority.lowerCurrentThread()
                    var prepared = update
                    prepared.prepared = preparer.prepare(update)
                    post(.inventory(prepared))
                }
            }
        case .startTrace(let runID, let namespace, let pod, let resource, let podToken):
            traceTasks[runID] = Task {
                for await event in env.runTrace(namespace: namespace, pod: pod, resource: resource, podToken: podToken) {
                    if Task.isCancelled { break }
                    post(.trace(runID: runID, event: event, at: Date()))
                }
            }
            // Finished runs' tasks are done; keep the dictionary small.
            traceTasks = traceTasks.filter { $0.key >= runID - 4 }
        case .cancelTrace(let runID):
            traceTasks.removeValue(forKey: runID)?.cancel()
        case .fetchToken(let namespace, let serviceAccount, let pod):
            Task { post(.token(await env.fetchToken(namespace: namespace, serviceAccount: serviceAccount, pod: pod))) }
        case .runDoctor:
            Task { post(.doctor(await env.doctor())) }
        case .loadContexts:
            Task { post(.contexts(env.contexts())) }
        case .switchContext(let name):
            Task {
                do {
                    try await env.switchContext(name)
                    post(.contextSwitched(name: name, error: nil))
                } catch {
                    post(.contextSwitched(name: name, error: "\(error)"))
                }
            }
        case .loadNamespaces:
            Task { post(.namespaces(await env.namespaces())) }
        case .loadTraceResources(let namespace, let serviceAccount):
            Task { post(.traceResources(await env.traceResources(namespace: namespace, serviceAccount: serviceAccount))) }
        case .rerunTrustAudit:
            env.rerunTrustAudit()
        case .copyToClipboard:
            // Written by the UI loop, the only code that may touch the terminal (DashboardRunner).
            break
        case .watchEvents(let key, let namespace, let serviceAccount):
            eventsTask?.cancel()
            eventsTask = Task {
                for await eventsUpdate in env.identityEvents(namespace: namespace, serviceAccount: serviceAccount) {
                    if Task.isCancelled { break }
                    post(.events(key: key, update: eventsUpdate))
                }
            }
        case .stopEvents:
            eventsTask?.cancel()
            eventsTask = nil
        case .watchFleet(let contexts):
            fleetTask?.cancel()
            fleetTask = Task {
                do {
                    for await summary in try env.fleetSummaries(contextsRegex: contexts) {
                        if Task.isCancelled { break }
                        post(.fleet(summary))
                    }
                } catch {
                    post(.fleetProblem("\(error)"))
                }
            }
        case .saveFile(let path, let contents, let lines):
            Task { post(ExportWriter.write(contents, to: path, lines: lines)) }
        case .loadTheme(let name):
            let loader = themes
            Task {
                do throws(ThemeError) {
                    let theme = try loader.load(name)
                    post(.themeLoaded(theme))
                } catch {
                    post(.themeFailed(error.message))
                }
            }
        }
    }

    public func cancelAll() {
        inventoryTask?.cancel()
        eventsTask?.cancel()
        fleetTask?.cancel()
        for t in traceTasks.values { t.cancel() }
        traceTasks = [:]
    }
}
