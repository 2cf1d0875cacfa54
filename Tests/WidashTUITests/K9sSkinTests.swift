import XCTest
import WidashService
@testable import WidashTUI

/// Exact-text snapshot helper of the k9s-habits tests (expected text inline). WIDASH_RECORD=1
/// prints the actual lines as a Swift array literal to paste after reviewing them.
enum HabitSnapshot {
    static func assertLines(_ actual: [String], _ expected: [String], _ name: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        if ProcessInfo.processInfo.environment["WIDASH_RECORD"] == "1" {
            print("// \(name)")
            for l in actual { print("            \"\(l.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\",") }
            return
        }
        XCTAssertEqual(actual.count, expected.count, "\(name): line count", file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() where a != e {
            XCTFail("\(name) line \(i):\n  expected: \(e)\n  actual:   \(a)", file: file, line: line)
        }
    }
}

/// `:skin FILE`: a k9s skin imported as a widash theme.
final class K9sSkinTests: XCTestCase {
    /// A skin in k9s' format (written for these tests), with anchors as k9s' own skins use them,
    /// keys widash has no role for, and a section (`prompt`) left to k9s' defaults.
    static let harbourSkin = """
        # harbour: a test skin in k9s format
        fg: &fg "#d0d0d0"
        bg: &bg "#1c1c1c"
        accent: &accent dodgerblue
        k9s:
          body:
            fgColor: *fg
            bgColor: *bg
            logoColor: orange
            logoColorWarn: red
          info:
            fgColor: white
          frame:
            border:
              fgColor: "#444444"
              focusColor: *accent
            menu:
              fgColor: *fg
              keyColor: *accent
              numKeyColor: fuchsia
            crumbs:
              fgColor: black
              bgColor: steelblue
              activeColor: orange
            status:
              newColor: aqua
              modifyColor: greenyellow
              addColor: lime
              errorColor: orangered
              highlightColor: yellow
              killColor: gray
              completedColor: "#808080"
            title:
              fgColor: aqua
              bgColor: default
              highlightColor: fuchsia
              counterColor: papayawhip
              filterColor: seagreen
          views:
            charts:
              defaultDialColors: [linegreen, orangered]
            table:
              fgColor: *fg
              bgColor: "-"
              cursorFgColor: black
              cursorBgColor: *accent
              markColor: darkgoldenrod
              header:
                fgColor: white
                bgColor: default
                sorterColor: orange
            xray:
              showIcons: false
        """

    func testSkinMapsOntoEveryRole() throws {
        let theme = try ThemeParser.parse(Self.harbourSkin, fileName: "/tmp/skins/harbour.yaml")
        XCTAssertEqual(theme.name, "harbour")
        XCTAssertEqual(theme.missingRoles, [])
        HabitSnapshot.assertLines(K9sSkin.describe(theme).components(separatedBy: "\n"), [
            "text           fg 252     bg 234     -     <- body.fgColor / body.bgColor",
            "dim            fg 244     bg 234     -     <- frame.status.completedColor / body.bgColor",
            "title          fg 14      bg default bold  <- frame.title.fgColor / frame.title.bgColor",
            "header         fg 252     bg 234     -     <- body.fgColor / body.bgColor",
            "headerLabel    fg 214     bg 234     bold  <- body.logoColor / body.bgColor",
            "headerWarning  fg 234     bg 202     bold  <- body.bgColor / frame.status.errorColor",
            "hints          fg 33      bg 234     -     <- frame.menu.keyColor / body.bgColor",
            "crumbs         fg 0       bg 214     -     <- frame.crumbs.fgColor / frame.crumbs.activeColor|frame.crumbs.bgColor",
            "tableHeader    fg 15      bg default bold  <- views.table.header.fgColor / views.table.header.bgColor",
            "tableRow       fg 252     bg default -     <- views.table.fgColor / views.table.bgColor",
            "tableCursor    fg 0       bg 33      -     <- views.table.cursorFgColor / views.table.cursorBgColor",
            "tableSelection fg 136     bg default bold  <- views.table.markColor / views.table.bgColor",
            "tableChanged   fg 154     bg default -     <- frame.status.modifyColor / views.table.bgColor",
            "statusOK       fg 10      bg default -     <- frame.status.addColor / views.table.bgColor",
            "statusWarn     fg 11      bg default -     <- frame.status.pendingColor|frame.status.highlightColor / views.table.bgColor",
            "statusError    fg 202     bg default bold  <- frame.status.errorColor / views.table.bgColor",
            "stepPending    fg 244     bg 234     -     <- frame.status.completedColor / body.bgColor",
            "stepRunning    fg 14      bg 234     bold  <- frame.status.newColor / body.bgColor",
            "stepPassed     fg 10      bg 234     -     <- frame.status.addColor / body.bgColor",
            "stepFailed     fg 202     bg 234     bold  <- frame.status.errorColor / body.bgColor",
            "border         fg 33      bg 234     -     <- frame.border.focusColor|frame.border.fgColor / body.bgColor",
            "flash          fg 13      bg 234     -     <- frame.title.highlightColor / body.bgColor",
            "flashError     fg 234     bg 202     bold  <- body.bgColor / frame.status.errorColor",
            "banner         fg 234     bg 202     bold  <- body.bgColor / frame.status.errorColor",
            "commandLine    fg 29      bg 234     bold  <- prompt.fgColor|frame.title.filterColor / prompt.bgColor|body.bgColor",
        ], "harbour skin as widash roles")
    }

    func testColoursAsK9sReadsThem() {
        XCTAssertEqual(K9sSkin.color("default"), .default)
        XCTAssertEqual(K9sSkin.color("-"), .default, "k9s' transparent colour is the terminal's own")
        XCTAssertEqual(K9sSkin.color("red"), .index(9), "tcell's red is palette entry 9")
        XCTAssertEqual(K9sSkin.color("Navy"), .index(4))
        XCTAssertEqual(K9sSkin.color("dodgerblue"), .index(33), "#1e90ff is nearest cube entry 33")
        XCTAssertEqual(K9sSkin.color("#ff0000"), .index(196))
        XCTAssertEqual(K9sSkin.color("#1c1c1c"), .index(234), "dark grey goes to the grey ramp")
        XCTAssertNil(K9sSkin.color("linegreen"))
        XCTAssertNil(K9sSkin.color("#12345"))
    }

    func testMissingKeysTakeK9sDefaults() throws {
        let theme = try ThemeParser.parse("k9s:\n  body:\n    bgColor: navy\n", fileName: "tiny.yaml")
        XCTAssertEqual(theme.style(.text).background, .index(4))
        // k9s' default body fgColor is cadetblue (#5f9ea0), table cursor black on aqua.
        XCTAssertEqual(theme.style(.text).foreground, K9sSkin.color("cadetblue"))
        XCTAssertEqual(theme.style(.tableCursor), RoleStyle(foreground: .index(0), background: .index(14)))
        // An empty section leaves the defaults too.
        XCTAssertNoThrow(try ThemeParser.parse("k9s:\n  frame:\n  views:\n    table:\n", fileName: "empty.yaml"))
        // pendingColor first, then the skin's highlightColor, then k9s' default pending colour.
        let warn = try ThemeParser.parse("k9s:\n  frame:\n    status:\n      highlightColor: yellow\n", fileName: "w.yaml")
        XCTAssertEqual(warn.style(.statusWarn).foreground, .index(11))
        XCTAssertEqual(try ThemeParser.parse("k9s: {}\n", fileName: "d.yaml").style(.statusWarn).foreground, K9sSkin.color("darkorange"))
    }

    func testBadSkinsNameTheFileAndTheKey() {
        func message(_ yaml: String, _ file: String = "bad.yaml") -> String {
            do {
                _ = try ThemeParser.parse(yaml, fileName: file)
                return "no error"
            } catch {
                return error.message
            }
        }
        let colour = message("k9s:\n  frame:\n    status:\n      errorColor: redish\n")
        XCTAssertEqual(colour, "k9s skin bad.yaml, line 4: unknown colour 'redish' for k9s.frame.status.errorColor "
                       + "(use a colour name like dodgerblue, #rrggbb or default)")
        XCTAssertTrue(message("k9s:\n  body: [red]\n").contains("bad.yaml, line 2: k9s.body must be a mapping"))
        XCTAssertTrue(message("k9s:\n  body:\n    fgColor: { a: b }\n").contains("line 3: k9s.body.fgColor must be a colour"))
        XCTAssertTrue(message("k9s: [\n").contains("bad.yaml, line"), "not YAML names the file and line")
        XCTAssertTrue(message("skin:\n  body:\n    fgColor: red\n").contains("theme bad.yaml, line 1: neither a widash theme (no `roles:`) nor a k9s skin (no `k9s:` key"))
        XCTAssertTrue(message("just text").contains("bad.yaml"))
        XCTAssertThrowsError(try ThemeLoader(searchDirectories: []).load("/nonexistent/skin.yaml")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/skin.yaml cannot be read"), "\(error)")
        }
    }

    func testSkinCommandLoadsAFileAndABadOneKeepsTheTheme() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("widash-skin-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("harbour.yaml").path
        try Self.harbourSkin.write(toFile: path, atomically: true, encoding: .utf8)
        // The loader finds a skin by path and by name in its folders, and still reads widash themes.
        let loader = ThemeLoader(searchDirectories: [dir.path, TestSupport.themesDirectory])
        XCTAssertEqual(try loader.load(path).name, "harbour")
        XCTAssertEqual(try loader.load("harbour"), try loader.load(path))
        XCTAssertEqual(try loader.load("dark").name, "dark")
        XCTAssertTrue(loader.availableNames().contains("harbour"))

        var s = TestSupport.loadedState()
        TestSupport.send(&s, ":skin \(path)")
        XCTAssertEqual(TestSupport.press(&s, .enter), [.loadTheme(path)])
        let skin = try loader.load(path)
        _ = update(&s, .themeLoaded(skin))
        XCTAssertEqual(s.theme, skin)
        _ = update(&s, .themeFailed("k9s skin bad.yaml, line 4: unknown colour 'redish' for k9s.frame.status.errorColor"))
        XCTAssertEqual(s.theme, skin, "a bad skin keeps the theme in use")
        XCTAssertEqual(s.flash?.isError, true)
        XCTAssertTrue(s.flash?.text.contains("keeping theme harbour") ?? false, s.flash?.text ?? "")
    }

    /// The dashboard with the skin applied: the text is the theme's name on the status line, and
    /// the roles it paints with resolve to the skin's colours.
    func testDashboardWithSkinApplied() throws {
        let skin = try ThemeParser.parse(Self.harbourSkin, fileName: "harbour.yaml")
        for unicode in [true, false] {
            var s = TestSupport.loadedState(width: 80, height: 12)
            _ = update(&s, .themeLoaded(skin))
            _ = update(&s, .tick(TestSupport.now.addingTimeInterval(10)))
            let buf = DashboardView.render(s, unicode: unicode)
            HabitSnapshot.assertLines(buf.lines, unicode ? [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo… refreshed 13s ago",
            " <enter> open  <t> trace  <f> token  </> filter  <s> sort  <?> help  <:> cmd  <…",
            "┌──────────────────────────── Identities(all)[14] ─────────────────────────────┐",
            "│ NAMES… NAME          PROVI… IDENTITY TENAN… PODS TTL EXPIRE… TRUST  STATUS  …│",
            "│ aws    irsa-bad-tru… AWS I… arn:aws… 11112… 1/1  24h 21h29m  -      ✗ role t…│",
            "│ aws    irsa-ok       AWS I… arn:aws… 11112… 1/1  24h 21h59m  -      ✓ ok    …│",
            "│ aws    podid-ok      EKS P… arn:aws… 11112… 1/1  24h 22h53m  -      ✓ ok    …│",
            "│ broken no-label      Azure… f6c8b13… 5f1c1… 1/1  1h  -       -      ⚠ pod is…│",
            "└──────────────────────────────────────────────────────────────────────────────┘",
            "  identities",
            " 14 service accounts  ✗ 4 errors  ⚠ 3 warnings  theme harbour",
            ] : [
            " widash  context widash-demo  cluster widash-demo  user demo-admin",
            " api https://127.0.0.1:6443  issuer https://oidc.widash-demo~ refreshed 13s ago",
            " <enter> open  <t> trace  <f> token  </> filter  <s> sort  <?> help  <:> cmd  <~",
            "+---------------------------- Identities(all)[14] -----------------------------+",
            "| NAMES~ NAME          PROVI~ IDENTITY TENAN~ PODS TTL EXPIRE~ TRUST  STATUS  ~|",
            "| aws    irsa-bad-tru~ AWS I~ arn:aws~ 11112~ 1/1  24h 21h29m  -      x role t~|",
            "| aws    irsa-ok       AWS I~ arn:aws~ 11112~ 1/1  24h 21h59m  -      v ok    ~|",
            "| aws    podid-ok      EKS P~ arn:aws~ 11112~ 1/1  24h 22h53m  -      v ok    ~|",
            "| broken no-label      Azure~ f6c8b13~ 5f1c1~ 1/1  1h  -       -      ! pod is~|",
            "+------------------------------------------------------------------------------+",
            "  identities",
            " 14 service accounts  x 4 errors  ! 3 warnings  theme harbour",
            ], "identities with the harbour skin, 80x12 \(unicode ? "UTF-8" : "ASCII")")
            XCTAssertEqual(buf[2, 5].role, .tableCursor, "the first row carries the cursor")
            let cursor = s.theme.style(buf[2, 5].role)
            XCTAssertEqual(cursor, RoleStyle(foreground: .index(0), background: .index(33)), "cursor: black on the skin's dodgerblue")
            XCTAssertEqual(s.theme.style(buf[0, 0].role).background, .index(234), "header on the skin's body background")
        }
    }
}
