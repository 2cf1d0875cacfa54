/// Where each part of the screen goes for a given size. Shared by the views and by `update`
/// (which needs the page size to keep the cursor visible).
public struct Layout: Sendable, Hashable {
    /// Below this size only "terminal too small" is shown.
    public static let minWidth = 40
    public static let minHeight = 10

    public var width: Int
    public var height: Int
    public var bannerRow: Int?
    /// The main box, borders included.
    public var mainTop: Int
    public var mainHeight: Int
    public var crumbsRow: Int
    public var statusRow: Int
    /// Rows under a table kept for a pane (the pods view's events of the selected pod), 0 for none.
    public var paneRows = 0

    public init(width: Int, height: Int, hasBanner: Bool) {
        self.width = width
        self.height = height
        bannerRow = hasBanner ? 3 : nil
        mainTop = hasBanner ? 4 : 3
        crumbsRow = height - 2
        statusRow = height - 1
        mainHeight = max(0, crumbsRow - mainTop)
    }

    public init(_ state: AppState) {
        self.init(width: state.width, height: state.height, hasBanner: state.bannerText != nil)
        if state.screen.kind == .pods { paneRows = Self.podEventsPaneRows(innerHeight: innerHeight) }
    }

    /// The pods view's events pane: only when the table keeps at least a dozen rows beside it.
    static func podEventsPaneRows(innerHeight: Int) -> Int { innerHeight >= 20 ? 8 : 0 }

    public var isTooSmall: Bool { width < Layout.minWidth || height < Layout.minHeight }

    /// Rows inside the main box.
    public var innerTop: Int { mainTop + 1 }
    public var innerHeight: Int { max(0, mainHeight - 2) }
    public var innerWidth: Int { max(0, width - 2) }

    /// Data rows of a table (one row is the column header).
    public var tablePageSize: Int { max(1, innerHeight - 1 - paneRows) }
    /// First row of the pane under a table.
    public var paneTop: Int { innerTop + innerHeight - paneRows }
    /// First data row of a table.
    public var tableFirstRow: Int { innerTop + 1 }
    /// Rows of a scrolling document.
    public var documentPageSize: Int { max(1, innerHeight) }
}
