import Foundation
import WidashCore

/// The screens of the dashboard.
public enum ViewKind: Sendable, Hashable {
    case identities
    case detail(key: String)
    case pods
    case trace
    case token
    case contexts
    case namespaces
    case help
    case doctor
    case resources
    /// Projected and cloud tokens on a time axis, for `AppState.timelineSelection`'s pods.
    case timeline
    /// The full text of a cut table row (enter on a doctor row); its content is `textDetails[title]`.
    case text(title: String)
    /// Every kubeconfig context's summary (`:fleet`, `--fleet`); `AppState.fleet` holds them.
    case fleet

    /// Name shown in the crumbs.
    public var crumb: String {
        switch self {
        case .identities: return "identities"
        case .detail(let key): return key
        case .pods: return "pods"
        case .trace: return "trace"
        case .token: return "token"
        case .contexts: return "contexts"
        case .namespaces: return "namespaces"
        case .help: return "help"
        case .doctor: return "doctor"
        case .resources: return "resources"
        case .timeline: return "timeline"
        case .text(let title): return title
        case .fleet: return "fleet"
        }
    }
}

/// One entry of the navigation stack, with its own cursor and scroll offset.
public struct Screen: Sendable, Hashable {
    public var kind: ViewKind
    public var cursor: Int
    public var offset: Int
    public init(_ kind: ViewKind, cursor: Int = 0, offset: Int = 0) {
        self.kind = kind
        self.cursor = cursor
        self.offset = offset
    }
}

/// What the bottom line is editing.
public enum InputMode: Sendable, Hashable {
    case normal
    case command(String)
    case filter(String)
}

/// A short message on the status line.
public struct Flash: Sendable, Hashable {
    public var text: String
    public var isError: Bool
    public var until: Date
}

/// Options fixed at start (flags over config file).
public struct DashboardOptions: Sendable, Hashable {
    public var readOnly: Bool
    public var showToken: Bool
    public var autoRerunSeconds: Int
    public var refreshSeconds: Int
    /// Step-5 resource per `namespace` or `namespace/serviceaccount`.
    public var resources: [String: String]
    public var namespace: String?
    /// False with `--no-cloud`: no trust audit, the TRUST column stays empty.
    public var auditsTrust: Bool
    /// Theme (or k9s skin) per kubeconfig context, from the config file's `contexts:`; applied
    /// when the header names that context (at start and after `:ctx`).
    public var contextThemes: [String: String] = [:]
    /// The theme of contexts without their own (nil: the built-in default).
    public var baseTheme: String?
    /// `--fleet`: open on the fleet view; `--contexts REGEX`: the contexts it watches (nil: all).
    public var startsOnFleet = false
    public var fleetContexts: String?

    public init(readOnly: Bool = false, showToken: Bool = false, autoRerunSeconds: Int = 10, refreshSeconds: Int = 30,
                resources: [String: String] = [:], namespace: String? = nil, auditsTrust: Bool = true) {
        self.auditsTrust = auditsTrust
        self.readOnly = readOnly
        self.showToken = showToken
        self.autoRerunSeconds = autoRerunSeconds
        self.refreshSeconds = refreshSeconds
        self.resources = resources
        self.namespace = namespace
    }

    /// The configured step-5 resource for a service account, most specific first.
    public func resource(namespace: String, serviceAccount: String) -> String? {
        resources["\(namespace)/\(serviceAccount)"] ?? resources[namespace]
    }
}

/// A trace being shown: the run, its steps so far, and auto re-run state.
public struct TraceSession: Sendable, Hashable {
    public var runID: Int
    public var namespace: String
    public var pod: String
    public var identityKey: String
    public var provider: Provider?
    public var resource: String?
    public var steps: [TraceStep]
    public var startedAt: Date
    public var stepStartedAt: Date?
    public var finishedAt: Date?
    public var result: TraceResult?
    public var autoRerun: Bool
    public var nextRunAt: Date?
    /// Steps 2–5 present the pod's own token file (read with pods/exec), not a TokenRequest's.
    public var podToken: Bool = false

    public var isRunning: Bool { result == nil }
}

/// The whole state of the dashboard: a value that `update` changes and views render.
public struct AppState: Sendable {
    public var width: Int
    public var height: Int
    public var now: Date
    /// Animation frame counter (spinners).
    public var frame: Int = 0
    public var theme: Theme
    public var options: DashboardOptions

    public var header: HeaderFacts?
    public var inventory = Inventory(issuer: nil, webhooks: [], identities: [], clusterFindings: []) {
        didSet { inventoryGeneration &+= 1 }
    }
    /// Moves whenever `inventory` is set or changed, so that caches computed from it are dropped.
    public private(set) var inventoryGeneration = 0
    public var loaded = 0
    public var expected = 0
    /// A problem of the live feed (list/watch, unreadable reads), shown while the rest keeps working.
    public var banner: String?
    /// A problem found at start that lasts (a bad config file: the dashboard runs on defaults).
    public var startupProblem: String?
    /// The banner line: the lasting start-up problem first, then the feed's.
    public var bannerText: String? {
        let parts = [startupProblem, banner].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }
    public var lastRefresh: Date?
    /// Identity keys changed by the last updates, highlighted until the date.
    public var changedUntil: [String: Date] = [:]

    public var stack: [Screen] = [Screen(.identities)]
    public var mode: InputMode = .normal
    public var filter = ""
    public var sort = SortState()
    /// Cached filtered and sorted rows; recomputed only when data, filter or sort change.
    public private(set) var index = TableIndex()
    /// What `reindex` reuses between calls (per-inventory facts, sorted orders, recent filters).
    private(set) var tableCache = TableCache()

    public var trace: TraceSession?
    public var nextRunID = 1
    /// The last finished trace per identity key (its step-3 mismatches mark the detail view).
    public var traceReports: [String: TraceReport] = [:]
    /// `d` in the trace view: the trace as a sequence diagram instead of the step timeline.
    public var traceShowsDiagram = false
    /// Step durations over the recent runs of the trace's seed (the trace view's sparklines).
    public var stepHistory = StepDurationHistory()
    /// The pods the token timeline shows (`:timeline`, `e`/`E` in the pods view).
    public var timelineSelection = TimelineSelection()
    /// Pods' own token files read by traces (`p`), by pod key: shown in the detail next to the
    /// estimate, with their finding, until the context changes.
    public var podTokenFiles: [String: ProjectedTokenFile] = [:]
    /// Watched Kubernetes events by identity key (EventsFollow), and the key being watched.
    public var identityEvents: [String: IdentityEventsUpdate] = [:]
    public var eventsFollowed: String?
    /// The pods view's pane target seen at the last reconcile, followed when it is still the same at a tick.
    var eventsCandidate: String?
    public var traceResources: [String] = []
    public var token: TokenInspection?
    public var tokenLoading = false
    public var doctorChecks: [DoctorCheck]?
    /// What the `.text(title:)` views show, by title.
    public var textDetails: [String: TextDetail] = [:]
    /// The fleet view's cluster summaries, filter and sort (kept across context switches).
    public var fleet = FleetState()
    /// Whether the current context's inventory watch was started (`--fleet` starts without it).
    public var inventoryWatched = true
    public var contexts: [String] = []
    public var namespaces: [String] = []
    /// Theme names and `.yaml` paths `:theme`/`:skin` suggest (filled at start by the runner).
    public var themeNames: [String] = []
    /// Tab cycling through the `:` prompt's suggestions (nil: not cycling).
    public var promptCycle: PromptCycle?
    public var flash: Flash?
    public var quitting = false

    public init(width: Int, height: Int, now: Date = Date(), theme: Theme = BuiltinThemes.defaultTheme,
                options: DashboardOptions = DashboardOptions()) {
        self.width = width
        self.height = height
        self.now = now
        self.theme = theme
        self.options = options
    }

    /// The screen on top of the stack.
    public var screen: Screen {
        get { stack.last ?? Screen(.identities) }
        set { if stack.isEmpty { stack = [newValue] } else { stack[stack.count - 1] = newValue } }
    }

    /// Rebuilds the cached table index (call after the inventory, filter or sort changed).
    public mutating func reindex() {
        index = tableCache.index(inventory: inventory, generation: inventoryGeneration, filter: filter, sort: sort,
                                 pods: stack.contains { $0.kind == .pods })
    }

    /// Adds the pods view's rows to the index when the pods view has been opened since the index
    /// was made (the identities view alone does not search them).
    mutating func includePodRowsIfShown() {
        if !index.podRowsIncluded && stack.contains(where: { $0.kind == .pods }) { reindex() }
    }

    /// Uses facts prepared off the UI thread for the current inventory.
    mutating func installTableFacts(_ prepared: PreparedTableFacts) {
        tableCache.install(prepared.facts, generation: inventoryGeneration, touched: prepared.touched)
    }


    /// Precomputes one slice of what filtering and sorting will need (see `TableCache.warmUp`);
    /// false when everything is warm.
    @discardableResult
    public mutating func warmTableCache() -> Bool {
        tableCache.warmUp(inventory: inventory, generation: inventoryGeneration)
    }

    /// The identity under the cursor in the identities view.
    public var selectedIdentity: IdentityEntry? {
        let rows = index.identityRows
        let cursor = stack.last(where: { $0.kind == .identities })?.cursor ?? 0
        guard cursor >= 0, cursor < rows.count else { return nil }
        return inventory.identities[rows[cursor]]
    }

    /// Identities with status error and warning (the status line's counts), cached per inventory.
    var statusCounts: (errors: Int, warnings: Int) {
        if let counts = tableCache.statusCounts(generation: inventoryGeneration) { return counts }
        let ids = inventory.identities
        return (ids.filter { $0.status == .error }.count, ids.filter { $0.status == .warning }.count)
    }

    public func identity(key: String) -> IdentityEntry? {
        inventory.identities.first { $0.key == key }
    }
}
