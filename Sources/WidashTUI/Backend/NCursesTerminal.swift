import CNCurses
import Foundation

/// Why the terminal cannot host the dashboard.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// The only code that touches ncurses. Must be created, used and shut down on one thread.
final class NCursesTerminal {
    private(set) var unicode = true
    private(set) var colors = 0
    private var last: ScreenBuffer?
    private var theme: Theme = BuiltinThemes.defaultTheme
    private var pairs: [ColorRole: Int16] = [:]
    private var isOpen = false
    private let noColor: Bool

    init(noColor: Bool) throws {
        self.noColor = noColor
        // The locale must be set before ncurses starts so that wide characters work.
        widash_setlocale_all()
        unicode = widash_locale_is_utf8() != 0
        if getenv("ESCDELAY") == nil { widash_set_escdelay(25) }
        guard widash_newterm() != nil else {
            throw TerminalError("cannot start the terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset") is unknown "
                                + "or the terminal is unusable): set TERM to your terminal's type (e.g. xterm-256color), or "
                                + DashboardRunner.nonInteractiveHint)
        }
        isOpen = true
        TerminalRestorer.install()
        raw()
        noecho()
        nonl()
        keypad(widash_stdscr(), true)
        curs_set(0)
        mousemask(widash_click_mouse_events(), nil)
        mouseinterval(0)
        wtimeout(widash_stdscr(), 50)
        if has_colors() && !noColor {
            start_color()
            use_default_colors()
            colors = Int(widash_colors())
        }
    }

    var size: (width: Int, height: Int) { (Int(widash_cols()), Int(widash_lines())) }

    /// Sets the theme: colours adapted to what the terminal has (monochrome under NO_COLOR).
    func apply(theme newTheme: Theme) {
        theme = (noColor || colors < 8) ? BuiltinThemes.monochrome : newTheme.adapted(toColors: colors)
        pairs = [:]
        if colors >= 8 {
            for (i, role) in ColorRole.allCases.enumerated() {
                let style = theme.style(role)
                let pair = Int16(i + 1)
                guard Int(pair) < Int(widash_color_pairs()) else { break }
                init_pair(pair, Self.index(style.foreground), Self.index(style.background))
                pairs[role] = pair
            }
        }
        last = nil
    }

    private static func index(_ c: TerminalColor) -> Int16 {
        switch c {
        case .default: return -1
        case .index(let i): return Int16(i)
        }
    }

    /// Draws the cells that changed since the last frame.
    func draw(_ buf: ScreenBuffer) {
        if last == nil || last?.width != buf.width || last?.height != buf.height { erase() }
        let changed = buf.changedPositions(since: last)
        var drawn = Set<Int>()
        for (x0, y) in changed {
            // A changed continuation cell means its wide character must be redrawn.
            var x = x0
            if buf[x, y].isContinuation { x -= 1 }
            guard x >= 0, drawn.insert(y * buf.width + x).inserted else { continue }
            let cell = buf[x, y]
            let style = theme.style(cell.role)
            let attrs = ncursesAttributes(style.attributes.union(cell.attributes))
            let pair = pairs[cell.role] ?? 0
            _ = widash_put_wch(Int32(y), Int32(x), wchar_t(bitPattern: cell.scalar.value), Int32(attrs), pair)
        }
        last = buf
        refresh()
    }

    private func ncursesAttributes(_ a: CellAttributes) -> Int32 {
        var out: Int32 = 0
        if a.contains(.bold) { out |= widash_attr_bold() }
        if a.contains(.reverse) { out |= widash_attr_reverse() }
        if a.contains(.underline) { out |= widash_attr_underline() }
        if a.contains(.dim) { out |= widash_attr_dim() }
        return out
    }

    /// Sets the system clipboard with OSC 52 (the terminal, tmux with `set-clipboard on`, or the
    /// terminal at the other end of SSH takes it). Written after the last frame was flushed: the
    /// sequence moves no cursor and draws nothing, so the screen ncurses keeps stays right.
    func writeClipboard(_ text: String) {
        fflush(nil)  // every stdio stream (ncurses writes through stdout)
        let bytes = Array(OSC52.sequence(for: text).utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n > 0 { sent += n } else if n < 0 && errno == EINTR { continue } else { break }
        }
    }

    /// Forces a full redraw next frame (after a resize).
    func invalidate() {
        last = nil
        clearok(widash_stdscr(), true)
    }

    /// Reads the keys and mouse events available within the input timeout, each with the
    /// CLOCK_MONOTONIC time (ns) it was read at (for the frame log). Throws when the terminal went
    /// away (hang-up) so the loop ends instead of spinning on a dead descriptor.
    func readInput() throws -> [(message: Message, readAt: UInt64)] {
        var out: [(message: Message, readAt: UInt64)] = []
        var first = true
        while out.count < 64 {
            if !first { wtimeout(widash_stdscr(), 0) }
            var ch: wint_t = 0
            let rc = widash_get_wch(&ch)
            if !first { wtimeout(widash_stdscr(), 50) }
            if rc == ERR {
                if first { try checkStillATerminal() }
                break
            }
            first = false
            if let m = decode(rc: rc, ch: ch) { out.append((m, FrameLog.now())) }
        }
        return out
    }

    /// A hung-up terminal makes every read fail at once. SIGHUP usually ends the dashboard first, but
    /// not when the input terminal belongs to another session (or the signal is lost), so check:
    /// `isatty` fails with EIO on a hung-up descriptor. One ioctl per idle poll.
    private func checkStillATerminal() throws {
        for (fd, name) in [(STDIN_FILENO, "input"), (STDOUT_FILENO, "output")] where isatty(fd) == 0 {
            throw TerminalError("the terminal went away (its \(name) was closed or hung up), so the dashboard stopped: "
                                + "start it again in an open terminal, or " + DashboardRunner.nonInteractiveHint)
        }
    }

    private func decode(rc: Int32, ch: wint_t) -> Message? {
        if rc == widash_key_code_yes() {
            let code = Int32(ch)
            switch code {
            case widash_key_resize():
                invalidate()
                return .resize(width: size.width, height: size.height)
            case widash_key_mouse(): return mouse()
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_BTAB: return .key(.backTab)
            default:
                if code >= KEY_F0 && code <= KEY_F0 + 63 { return .key(.function(Int(code - KEY_F0))) }
                return nil
            }
        }
        switch ch {
        case 3: return .key(.ctrl("c"))
        case 27: return .key(.escape)
        case 10, 13: return .key(.enter)
        case 8, 127: return .key(.backspace)
        case 9: return .key(.tab)
        case 1...26:
            guard let s = Unicode.Scalar(UInt32(ch) + 96) else { return nil }
            return .key(.ctrl(Character(s)))
        default:
            guard let s = Unicode.Scalar(UInt32(ch)) else { return nil }
            return .key(.char(Character(s)))
        }
    }

    private func mouse() -> Message? {
        var x: Int32 = 0, y: Int32 = 0
        var state: UInt = 0
        guard widash_getmouse(&x, &y, &state) == 0 else { return nil }
        if state & UInt(widash_button4_pressed()) != 0 { return .mouse(.wheelUp(x: Int(x), y: Int(y))) }
        if state & UInt(widash_button5_pressed()) != 0 { return .mouse(.wheelDown(x: Int(x), y: Int(y))) }
        let click = UInt(widash_button1_pressed()) | UInt(widash_button1_clicked_only())
        if state & click != 0 { return .mouse(.click(x: Int(x), y: Int(y))) }
        return nil
    }

    /// Restores the terminal. Safe to call more than once.
    func shutdown() {
        guard isOpen else { return }
        isOpen = false
        TerminalRestorer.restore()
    }

    deinit { shutdown() }
}

/// Restores the terminal when the process dies on a fatal signal, so a crash does not leave the
/// shell in raw mode.
enum TerminalRestorer {
    static func install() {
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            signal(sig) { s in
                endwin()
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }

    static func restore() {
        curs_set(1)
        endwin()
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] { signal(sig, SIG_DFL) }
    }
}
