import Foundation
import WidashCore

/// `:save [FILE]`: the current view to a file — a trace, identity, token or text view as Markdown,
/// a table (identities, pods, doctor) as CSV or, for a `.json` name, JSON. Without a name:
/// `widash-<view>-<yyyyMMdd-HHmmss>.<md|csv>` (UTC) in the current directory. The file is written
/// off the UI thread (`Command.saveFile`); the result comes back as `Message.saved`.
enum SaveActions {
    static func save(_ state: inout AppState, file: String?) -> [Command] {
        let kind = state.screen.kind
        guard let (view, isTable) = viewName(kind) else {
            state.flash("nothing to save in this view: :save works in a trace, an identity, the token, a doctor row "
                        + "(Markdown) and the identities, pods and doctor tables (CSV, or JSON for a .json name)", error: true)
            return []
        }
        let path = file.map { NSString(string: $0).expandingTildeInPath } ?? defaultName(view: view, isTable: isTable, now: state.now)
        guard let contents = render(state, kind, json: path.lowercased().hasSuffix(".json")) else {
            state.flash("nothing to save yet in this view", error: true)
            return []
        }
        // Scalars, not Characters: "\r\n" (CSV) is one Character.
        let lines = contents.unicodeScalars.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        state.flash("saving \(path)…")
        return [.saveFile(path: path, contents: contents, lines: lines)]
    }

    static func viewName(_ kind: ViewKind) -> (String, Bool)? {
        switch kind {
        case .trace: return ("trace", false)
        case .detail: return ("identity", false)
        case .token: return ("token", false)
        case .text: return ("doctor-check", false)
        case .identities: return ("identities", true)
        case .pods: return ("pods", true)
        case .doctor: return ("doctor", true)
        default: return nil
        }
    }

    static func defaultName(view: String, isTable: Bool, now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        let stamp = String(format: "%04d%02d%02d-%02d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        return "widash-\(view)-\(stamp).\(isTable ? "csv" : "md")"
    }

    /// The file's text, or nil when the view has nothing yet.
    static func render(_ state: AppState, _ kind: ViewKind, json: Bool) -> String? {
        func table(_ t: TableExport) -> String { json ? t.json : t.csv }
        switch kind {
        case .trace:
            return state.trace.map { MarkdownExport.trace($0, now: state.now) }
        case .detail(let key):
            return state.identity(key: key).map { MarkdownExport.identity($0, report: state.traceReports[key], now: state.now) }
        case .token:
            return state.token.map { MarkdownExport.token($0, now: state.now) }
        case .text(let title):
            return state.textDetails[title].map(MarkdownExport.text)
        case .identities: return table(TableExport.identities(state))
        case .pods: return table(TableExport.pods(state))
        case .doctor: return state.doctorChecks.map { table(TableExport.doctor($0)) }
        default: return nil
        }
    }
}

/// Writes an export and says what happened as a message: never throws, never crashes.
enum ExportWriter {
    static func write(_ contents: String, to path: String, lines: Int) -> Message {
        // No token in any file widash writes: scrub once more whatever the view held.
        let safe = TokenRedaction.scrub(contents)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .saved(path: path, lines: 0, error: "cannot save \(path): the directory \(directory) does not exist (create it, or give another path)")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return .saved(path: path, lines: 0, error: "cannot save \(path): it is a directory (give a file name)")
        }
        do {
            try Data(safe.utf8).write(to: url, options: .atomic)
            return .saved(path: path, lines: lines, error: nil)
        } catch {
            return .saved(path: path, lines: 0, error: "cannot save \(path): \(reason(error)) (choose a writable directory)")
        }
    }

    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        let posix = (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0.code : nil }
        if ns.code == CocoaError.fileWriteNoPermission.rawValue || posix == Int(EACCES) || posix == Int(EPERM) { return "permission denied" }
        if ns.code == CocoaError.fileWriteVolumeReadOnly.rawValue || posix == Int(EROFS) { return "read-only file system" }
        if ns.code == CocoaError.fileWriteOutOfSpace.rawValue || posix == Int(ENOSPC) { return "no space left on the device" }
        return ns.localizedDescription
    }
}
