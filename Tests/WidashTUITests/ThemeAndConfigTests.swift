import XCTest
import WidashService
@testable import WidashTUI

final class ThemeTests: XCTestCase {
    func testEveryThemeFileLoadsAndNamesEveryRole() throws {
        let dir = TestSupport.themesDirectory
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertEqual(Set(files).intersection(["default.yaml", "dark.yaml", "light.yaml", "high-contrast.yaml", "monochrome.yaml"]).count, 5)
        let loader = ThemeLoader(searchDirectories: [dir])
        for f in files {
            let theme = try loader.load(String(f.dropLast(5)))
            XCTAssertEqual(theme.name, String(f.dropLast(5)), f)
            XCTAssertEqual(theme.missingRoles, [], "\(f) must name every colour role")
        }
    }

    func testEmbeddedThemesMatchTheFiles() throws {
        let loader = ThemeLoader(searchDirectories: [TestSupport.themesDirectory])
        XCTAssertEqual(try loader.load("default"), BuiltinThemes.defaultTheme)
        XCTAssertEqual(try loader.load("monochrome"), BuiltinThemes.monochrome)
        // Without a themes folder the built-in default still works.
        XCTAssertEqual(try ThemeLoader(searchDirectories: ["/nonexistent"]).load("default"), BuiltinThemes.defaultTheme)
    }

    func testBadThemeNamesTheLine() {
        let yaml = "name: broken\nroles:\n  header: { fg: blu, bg: blue }\n"
        XCTAssertThrowsError(try ThemeParser.parse(yaml, fileName: "broken.yaml")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("broken.yaml, line 3"), message)
            XCTAssertTrue(message.contains("unknown colour 'blu'"), message)
        }
        XCTAssertThrowsError(try ThemeParser.parse("roles:\n  tabelHeader: { fg: red }\n", fileName: "t.yaml")) { error in
            XCTAssertTrue("\(error)".contains("line 2: unknown colour role 'tabelHeader'"), "\(error)")
        }
        XCTAssertThrowsError(try ThemeParser.parse("roles: [\n", fileName: "t.yaml")) { error in
            XCTAssertTrue("\(error)".contains("t.yaml, line"), "\(error)")
        }
        XCTAssertThrowsError(try ThemeLoader(searchDirectories: [TestSupport.themesDirectory]).load("nope")) { error in
            XCTAssertTrue("\(error)".contains("theme 'nope' not found"), "\(error)")
        }
    }

    func testColourParsingAndMappingDown() {
        XCTAssertEqual(TerminalColor.parse("bright-red"), .index(9))
        XCTAssertEqual(TerminalColor.parse("208"), .index(208))
        XCTAssertEqual(TerminalColor.parse("#ff0000"), .index(196))
        XCTAssertNil(TerminalColor.parse("256"))
        XCTAssertEqual(TerminalColor.index(196).mapped(toColors: 8), .index(1), "pure red maps to red")
        XCTAssertEqual(TerminalColor.index(9).mapped(toColors: 8), .index(1))
        XCTAssertEqual(TerminalColor.index(9).mapped(toColors: 16), .index(9))
        XCTAssertEqual(TerminalColor.index(255).mapped(toColors: 8), .index(7))
        XCTAssertEqual(TerminalColor.index(33).mapped(toColors: 256), .index(33))
        let dark = (try? ThemeLoader(searchDirectories: [TestSupport.themesDirectory]).load("dark")) ?? BuiltinThemes.defaultTheme
        let eight = dark.adapted(toColors: 8)
        for role in ColorRole.allCases {
            for c in [eight.style(role).foreground, eight.style(role).background] {
                if case .index(let i) = c { XCTAssertLessThan(i, 8, "\(role)") }
            }
        }
        XCTAssertEqual(dark.adapted(toColors: 0), BuiltinThemes.monochrome)
    }
}

final class ConfigTests: XCTestCase {
    func testParsesAllSettings() throws {
        let yaml = """
            theme: dark
            readOnly: true
            refreshSeconds: 15
            autoRerunSeconds: 5
            resources:
              shop: https://shop-kv.vault.azure.net/secrets/x
              shop/backend: https://shop-cosmos.documents.azure.com/dbs
            """
        let c = try WidashConfig.parse(yaml, path: "c.yaml")
        XCTAssertEqual(c.theme, "dark")
        XCTAssertEqual(c.readOnly, true)
        XCTAssertEqual(c.refreshSeconds, 15)
        XCTAssertEqual(c.autoRerunSeconds, 5)
        let o = DashboardOptions(resources: c.resources)
        XCTAssertEqual(o.resource(namespace: "shop", serviceAccount: "backend"), "https://shop-cosmos.documents.azure.com/dbs")
        XCTAssertEqual(o.resource(namespace: "shop", serviceAccount: "frontend"), "https://shop-kv.vault.azure.net/secrets/x")
        XCTAssertNil(o.resource(namespace: "other", serviceAccount: "x"))
    }

    func testErrorsNameTheLine() {
        func message(_ yaml: String) -> String {
            do { _ = try WidashConfig.parse(yaml, path: "/cfg/config.yaml"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("theme: dark\nrefreshSeconds: soon\n").hasPrefix("config file /cfg/config.yaml, line 2: refreshSeconds must be"))
        XCTAssertTrue(message("theme: dark\nreadOnly: maybe\n").contains("line 2: readOnly must be true or false"))
        XCTAssertTrue(message("theme: dark\n\ncolour: red\n").contains("line 3: unknown setting 'colour'"))
        XCTAssertTrue(message("theme: dark\nresources: [a\n").contains("line 3"), message("theme: dark\nresources: [a\n"))
        XCTAssertTrue(message("theme: [dark\n  x: y: z\n").contains("/cfg/config.yaml, line"))
    }

    func testLoadFromXDGAndMissingFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("widash-cfg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try WidashConfig.load(env: ["XDG_CONFIG_HOME": dir.path]), WidashConfig())
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("widash"), withIntermediateDirectories: true)
        try "theme: light\n".write(to: dir.appendingPathComponent("widash/config.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try WidashConfig.load(env: ["XDG_CONFIG_HOME": dir.path]).theme, "light")
        XCTAssertEqual(WidashConfig.path(env: ["HOME": "/home/u"]), "/home/u/.config/widash/config.yaml")
    }
}
