import CNCurses
import Dispatch
import Foundation
import WidashCore
import WidashHTTP

/// How to start the dashboard.
public struct DashboardLaunch: Sendable {
    public var environment: any DashboardEnvironment
    public var options: DashboardOptions
    /// Theme name or .yaml path (nil: default).
    public var themeName: String?
    public var themes: ThemeLoader
    /// A problem found before start that lasts (a bad config file), shown in the banner.
    public var startupMessage: String?

    public init(environment: any DashboardEnvironment, options: DashboardOptions, themeName: String?,
                themes: ThemeLoader = .standard(), startupMessage: String? = nil) {
        self.environment = environment
        self.options = options
        self.themeName = themeName
        self.themes = themes
        self.startupMessage = startupMessage
    }
}

/// Runs the full-screen dashboard.
public enum DashboardRunner {
    /// The non-interactive commands, suggested whenever the dashboard cannot run.
    public static let nonInteractiveHint = "use `widash identities` (-o json), `widash trace NAMESPACE/POD`, "
        + "`widash token NAMESPACE/SERVICEACCOUNT` or `widash doctor` instead (same flags, e.g. --demo)"

    /// Why the dashboard cannot run here (dumb terminal, not a TTY), as one line, or nil when it can.
    public static func terminalProblem(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let term = env["TERM"] ?? ""
        var why: String?
        if term.isEmpty || term == "dumb" {
            why = "TERM is \(term.isEmpty ? "not set" : "dumb")"
        } else if isatty(STDOUT_FILENO) == 0 {
            why = "standard output is not a terminal"
        } else if isatty(STDIN_FILENO) == 0 {
            why = "standard input is not a terminal"
        }
        guard let why else { return nil }
        return "widash: the dashboard needs an interactive terminal (\(why)); \(nonInteractiveHint)."
    }

    /// Opens the dashboard and returns when the user quits (0) or a signal ends it (130 / 143).
    /// Throws `TerminalError` when the terminal cannot be started. The terminal is always restored.
    public static func run(_ launch: DashboardLaunch) async throws -> Int32 {
        // The UI thread keeps its priority; every thread doing background work lowers its own.
        BackgroundPriority.enable()
        return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Int32, Error>) in
            let thread = Thread {
                do {
                    cont.resume(returning: try loop(launch))
                } catch {
                    cont.resume(throwing: error)
                }
            }
            thread.name = "widash-ui"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// The UI loop: one thread owns ncurses, reads input with a timeout so ticks keep coming, applies
    /// messages through `update`, runs commands, and draws only the changed cells.
    private static func loop(_ launch: DashboardLaunch) throws -> Int32 {
        let env = ProcessInfo.processInfo.environment
        let noColor = !(env["NO_COLOR"] ?? "").isEmpty
        let queue = MessageQueue()
        let signals = SignalWatcher(queue: queue)
        defer { signals.stop() }
        let terminal = try NCursesTerminal(noColor: noColor)
        defer { terminal.shutdown() }
        let frameLog = FrameLog.fromEnvironment(env)

        var theme = BuiltinThemes.defaultTheme
        var startupFlash: String?
        if let name = launch.themeName {
            do { theme = try launch.themes.load(name) } catch {
                startupFlash = [startupFlash, "\(error.message) — using the default theme"].compactMap { $0 }.joined(separator: "; ")
            }
        }
        let size = terminal.size
        var state = AppState(width: size.width, height: size.height, now: Date(), theme: theme, options: launch.options)
        state.startupProblem = launch.startupMessage.map { "defaults in use: \($0)" }
        state.themeNames = launch.themes.availableNames() + ThemeLoader.yamlFilesInCurrentDirectory()
        if let startupFlash { state.flash(startupFlash, error: true) }
        terminal.apply(theme: state.theme)
        var appliedTheme = state.theme
        let executor = CommandExecutor(environment: launch.environment, themes: launch.themes, post: { queue.post($0) })
        defer { executor.cancelAll() }
        let fleetStart = FleetActions.start(&state)
        // On the fleet, the current context's inventory waits until a cluster view is opened.
        state.inventoryWatched = !launch.options.startsOnFleet
        let inventoryStart: [Command] = state.inventoryWatched ? [.watchInventory(namespace: launch.options.namespace)] : []
        for c in [Command.loadHeader] + inventoryStart + fleetStart { executor.execute(c) }

        var lastTick = Date.distantPast
        var dirty = true
        while !state.quitting {
            let input = try terminal.readInput()
            if let frameLog {
                for case (.key(let key), let readAt) in input { frameLog.keyRead(key, at: readAt) }
            }
            var messages = input.map(\.message)
            messages += InventoryCoalescing.latestOnly(queue.drain())
            let now = Date()
            let busy = state.trace?.isRunning == true || state.tokenLoading || (state.screen.kind == .doctor && state.doctorChecks == nil)
                || state.loaded < state.expected
            if now.timeIntervalSince(lastTick) >= (busy ? 0.1 : 0.5) {
                messages.append(.tick(now))
                lastTick = now
            }
            // An inventory replaced by a newer one is freed on another thread, and so are the table
            // facts made for it: tens of thousands of entries and hundreds of thousands of cell texts
            // take milliseconds (30 ms at 200 000 pods) to free, which a keystroke would otherwise wait for.
            let replacing = messages.contains { if case .inventory = $0 { return true } else { return false } }
            var replaced = replacing ? state.inventory : nil
            var replacedFacts = replacing ? state.tableCache.facts : nil
            for m in messages {
                for c in update(&state, m) {
                    // OSC 52 goes to the terminal from this thread, between two frames.
                    if case .copyToClipboard(let text, _) = c { terminal.writeClipboard(text) } else { executor.execute(c) }
                }
            }
            InventoryDisposal.release(&replaced)
            InventoryDisposal.release(&replacedFacts)
            if !messages.isEmpty { dirty = true }
            if state.theme != appliedTheme {
                terminal.apply(theme: state.theme)
                appliedTheme = state.theme
            }
            if dirty && !state.quitting {
                terminal.draw(DashboardView.render(state, unicode: terminal.unicode))
                dirty = false
                if state.screen.kind == .fleet {
                    // The fleet view is complete once every cluster has a summary that is not loading.
                    let totals = state.fleet.totals
                    frameLog?.frameFlushed(at: FrameLog.now(), rows: state.fleet.rows.count,
                                           loaded: totals.ready + totals.unreachable, expected: totals.clusters)
                } else {
                    frameLog?.frameFlushed(at: FrameLog.now(), rows: state.index.identityRows.count,
                                           loaded: state.loaded, expected: state.expected)
                }
            }
        }
        return signals.exitCode
    }
}

/// Turns SIGINT, SIGTERM and SIGHUP into a clean quit (the terminal is then restored by the loop).
final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var code: Int32 = 0

    init(queue: MessageQueue) {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.withLock { self?.code = 128 + sig }
                queue.post(.key(.ctrl("c")))
            }
            source.resume()
            sources.append(source)
        }
    }

    var exitCode: Int32 { lock.withLock { code } }

    func stop() {
        for s in sources { s.cancel() }
        for sig in [SIGINT, SIGTERM, SIGHUP] { signal(sig, SIG_DFL) }
    }
}

/// Each inventory update is the whole inventory: of several waiting in one batch only the last
/// is applied (with the changed keys of all of them), so a slow pass never lets updates pile up
/// behind the keys (the trust audit sends many).
enum InventoryCoalescing {
    static func latestOnly(_ messages: [Message]) -> [Message] {
        var updates: [InventoryUpdate] = []
        var others: [Message] = []
        var position: Int?
        for message in messages {
            if case .inventory(let u) = message {
                updates.append(u)
                position = others.count
            } else {
                others.append(message)
            }
        }
        guard var latest = updates.last, let position else { return messages }
        for earlier in updates.dropLast() {
            latest.changedKeys = earlier.changedKeys.flatMap { keys in latest.changedKeys?.union(keys) }
        }
        // Prepared facts are the newest inventory's; the rows to highlight are all the updates'.
        if let prepared = latest.prepared, updates.count > 1 {
            let changed = updates.compactMap { $0.prepared?.changed }.reduce(into: Set<String>()) { $0.formUnion($1) }
            var touched: Set<IdentityColumn>? = []
            for update in updates {
                guard let columns = update.prepared?.touched else { touched = nil; break }
                touched?.formUnion(columns)
            }
            latest.prepared = PreparedTableFacts(facts: prepared.facts, changed: changed, touched: touched)
        }
        others.insert(.inventory(latest), at: position)
        return others
    }
}

/// Drops the last reference to an inventory (or its table facts) on a background queue.
enum InventoryDisposal {
    private static let queue = DispatchQueue(label: "widash.inventory-disposal", qos: .utility)

    private final class Box<Value>: @unchecked Sendable {
        var value: Value?
        init(_ value: Value?) { self.value = value }
    }

    /// Takes the value out of `slot` (the caller keeps no reference) and lets it go elsewhere.
    static func release<Value: Sendable>(_ slot: inout Value?) {
        guard slot != nil else { return }
        let box = Box(slot.take())
        queue.async {
            BackgroundPriority.lowerCurrentThread()
            box.value = nil
        }
    }
}

