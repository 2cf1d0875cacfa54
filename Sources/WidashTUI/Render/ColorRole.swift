/// The semantic roles views paint with. Themes map each role to colours and attributes; views never
/// name a colour directly.
public enum ColorRole: String, CaseIterable, Sendable, Hashable {
    case text
    case dim
    case title
    case header
    case headerLabel
    case headerWarning
    case hints
    case crumbs
    case tableHeader
    case tableRow
    case tableCursor
    case tableSelection
    case tableChanged
    case statusOK
    case statusWarn
    case statusError
    case stepPending
    case stepRunning
    case stepPassed
    case stepFailed
    case border
    case flash
    case flashError
    case banner
    case commandLine
}

/// Text attributes of a cell (bold, reverse, underline, dim) as a small option set.
public struct CellAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1)
    public static let reverse = CellAttributes(rawValue: 2)
    public static let underline = CellAttributes(rawValue: 4)
    public static let dim = CellAttributes(rawValue: 8)

    /// Attribute names as written in theme files.
    public static let names: [String: CellAttributes] = [
        "bold": .bold, "reverse": .reverse, "underline": .underline, "dim": .dim,
    ]
}
