import XCTest
import WidashCore
import WidashService
@testable import WidashTUI

/// The `:` prompt's suggestions and Tab completion, and per-context themes.
final class CommandCompletionTests: XCTestCase {
    private func state() -> AppState {
        var s = TestSupport.loadedState(width: 80, height: 12)
        _ = update(&s, .contexts(["prod-eu", "prod-us", "staging"]))
        _ = update(&s, .namespaces(["aws", "broken", "shop"]))
        s.themeNames = ["dark", "default", "high-contrast", "./harbour.yaml"]
        return s
    }

    private func line(_ s: AppState) -> String? {
        if case .command(let text) = s.mode { return text }
        return nil
    }

    func testOpeningThePromptLoadsContextsAndNamespaces() {
        var s = TestSupport.loadedState()
        XCTAssertEqual(TestSupport.send(&s, ":"), [.loadContexts, .loadNamespaces])
        TestSupport.press(&s, .escape)
        _ = update(&s, .contexts(["a"]))
        _ = update(&s, .namespaces(["b"]))
        XCTAssertEqual(TestSupport.send(&s, ":"), [], "known already")
    }

    func testSuggestionsFollowTheLine() {
        let s = state()
        func values(_ text: String) -> [String] { CommandCompletion.suggestions(s, line: text).candidates.map(\.value) }
        XCTAssertEqual(values("t"), ["trace", "token", "timeline", "theme"])
        XCTAssertEqual(values("con"), ["context"], "an alias when the name does not fit")
        XCTAssertEqual(values("ctx "), ["prod-eu", "prod-us", "staging"])
        XCTAssertEqual(values("ctx PROD"), ["prod-eu", "prod-us"])
        XCTAssertEqual(values("ns "), ["all", "aws", "broken", "shop"])
        XCTAssertEqual(values("skin ./"), ["./harbour.yaml"])
        XCTAssertEqual(values("theme d"), ["dark", "default"])
        XCTAssertEqual(values("zz"), [])
        XCTAssertEqual(CommandCompletion.suggestions(s, line: "save ").argumentHint, "FILE")
        XCTAssertEqual(CommandCompletion.suggestions(s, line: "t").candidates.first?.about, "trace the selected pod's token exchange")
    }

    func testTabCompletesThenCycles() {
        var s = state()
        TestSupport.send(&s, ":th")
        TestSupport.press(&s, .tab)
        XCTAssertEqual(line(s), "theme ", "one candidate: completed, with the space for its argument")
        TestSupport.send(&s, "h")
        TestSupport.press(&s, .tab)
        XCTAssertEqual(line(s), "theme high-contrast", "an argument gets no space after it")
        TestSupport.press(&s, .escape)

        TestSupport.send(&s, ":ctx p")
        TestSupport.press(&s, .tab)
        XCTAssertEqual(line(s), "ctx prod-", "the longest common prefix first")
        TestSupport.press(&s, .tab)
        XCTAssertEqual(line(s), "ctx prod-eu", "then the candidates in turn")
        TestSupport.press(&s, .tab)
        XCTAssertEqual(line(s), "ctx prod-us")
        TestSupport.press(&s, .tab)
        XCTAssertEqual(line(s), "ctx prod-eu", "round again")
        TestSupport.press(&s, .backTab)
        XCTAssertEqual(line(s), "ctx prod-us", "shift-Tab goes back")
        XCTAssertEqual(TestSupport.press(&s, .enter), [.switchContext("prod-us")])
        XCTAssertNil(s.promptCycle)

        TestSupport.send(&s, ":t")
        TestSupport.press(&s, .backTab)
        XCTAssertEqual(line(s), "theme", "shift-Tab starts from the last")
        TestSupport.send(&s, " ")
        XCTAssertNil(s.promptCycle, "typing ends the cycle")
        TestSupport.send(&s, "d")
        TestSupport.press(&s, .tab)
        XCTAssertEqual(line(s), "theme dark", "nothing in common to add beyond `d`: the first candidate")
        TestSupport.press(&s, .escape)

        TestSupport.send(&s, "/x")
        TestSupport.press(&s, .tab)
        XCTAssertEqual(s.mode, .filter("x"), "Tab does nothing in the filter")
    }

    func testEveryListedCommandRuns() {
        for spec in CommandPrompt.commands {
            for word in [spec.name] + spec.aliases {
                var s = state()
                _ = CommandPrompt.run(&s, word)
                XCTAssertFalse(s.flash?.text.contains("unknown command") ?? false, "\(word): \(s.flash?.text ?? "")")
            }
        }
        XCTAssertTrue(CommandPrompt.summary.contains(":timeline"))
        XCTAssertTrue(CommandPrompt.summary.contains(":save FILE"))
        XCTAssertTrue(CommandPrompt.summary.contains(":skin NAME"))
    }

    func testPromptLineSnapshots() {
        for unicode in [true, false] {
            var s = state()
            var lines: [String] = []
            func capture() { lines.append(DashboardView.render(s, unicode: unicode).lines[11]) }
            for typed in ["", "t", "th", "ctx ", "ctx st", "save ", "zz", "q x"] {
                TestSupport.send(&s, ":" + typed)
                capture()
                TestSupport.press(&s, .escape)
            }
            TestSupport.send(&s, ":t")
            TestSupport.press(&s, .tab)
            TestSupport.press(&s, .tab)
            capture()
            TestSupport.press(&s, .escape)
            TestSupport.send(&s, ":ctx ")
            TestSupport.press(&s, .tab)
            TestSupport.press(&s, .tab)
            capture()
            HabitSnapshot.assertLines(lines, unicode ? [
            ":█  sa: service accounts and their identities  pods  ctx  ns  doctor  audit  tr…",
            ":t█  trace: trace the selected pod's token exchange  token  timeline  theme",
            ":th█  theme: colour theme by name or .yaml path",
            ":ctx █  prod-eu  prod-us  staging",
            ":ctx st█  staging",
            ":save █  <FILE>",
            ":zz█  no command starts with 'zz' (? for help)",
            ":q x█",
            ":token█  trace  token: fetch a test token for the selection  timeline  theme",
            ":ctx prod-us█  prod-eu  prod-us  staging",
            ] : [
            ":_  sa: service accounts and their identities  pods  ctx  ns  doctor  audit  tr~",
            ":t_  trace: trace the selected pod's token exchange  token  timeline  theme",
            ":th_  theme: colour theme by name or .yaml path",
            ":ctx _  prod-eu  prod-us  staging",
            ":ctx st_  staging",
            ":save _  <FILE>",
            ":zz_  no command starts with 'zz' (? for help)",
            ":q x_",
            ":token_  trace  token: fetch a test token for the selection  timeline  theme",
            ":ctx prod-us_  prod-eu  prod-us  staging",
            ], "prompt suggestions 80 wide \(unicode ? "UTF-8" : "ASCII")")
            let cycling = DashboardView.render(s, unicode: unicode)
            let last = cycling.lines[11]
            let at = last.range(of: "prod-us", options: .backwards).map { last.distance(from: last.startIndex, to: $0.lowerBound) }
            XCTAssertEqual(at.map { cycling[$0, 11].role }, .tableCursor, "the candidate on the line is highlighted")
            XCTAssertEqual(cycling[0, 11].role, .commandLine)
        }
    }

    func testPerContextThemes() throws {
        var options = DashboardOptions()
        options.contextThemes = ["prod-eu": "high-contrast"]
        options.baseTheme = "dark"
        var s = AppState(width: 80, height: 12, now: TestSupport.now, options: options)
        let header = { (context: String) in
            HeaderFacts(context: context, cluster: "c", apiServer: "https://127.0.0.1:6443", issuer: nil, user: "u", readOnly: false, tlsInsecure: false)
        }
        XCTAssertEqual(update(&s, .header(header("staging"))), [], "no theme of its own: the start theme stays")
        XCTAssertEqual(update(&s, .header(header("prod-eu"))), [.loadTheme("high-contrast")])
        XCTAssertEqual(update(&s, .header(header("prod-eu"))), [], "a refresh of the same context changes nothing")
        XCTAssertEqual(update(&s, .header(header("staging"))), [.loadTheme("dark")], "leaving it: back to the base theme")
        XCTAssertEqual(ContextTheme.commands(DashboardOptions(), previous: nil, context: "prod-eu"), [])
    }

    func testConfigSkinAndContexts() throws {
        let yaml = """
            theme: dark
            skin: ~/.config/k9s/skins/harbour.yaml
            contexts:
              prod-eu: { theme: high-contrast }
              staging:
                theme: light
                skin: ./staging.yaml
            """
        let config = try WidashConfig.parse(yaml, path: "/tmp/config.yaml")
        XCTAssertEqual(config.skin, NSHomeDirectory() + "/.config/k9s/skins/harbour.yaml")
        XCTAssertEqual(config.startTheme, config.skin, "skin wins over theme")
        XCTAssertEqual(config.contextThemes, ["prod-eu": "high-contrast", "staging": "./staging.yaml"])
        func message(_ yaml: String) -> String {
            do { _ = try WidashConfig.parse(yaml, path: "c.yaml"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("contexts:\n  prod: { colour: red }\n"),
                       "config file c.yaml, line 2: unknown setting 'contexts.prod.colour' (known: theme, skin)")
        XCTAssertTrue(message("contexts: [prod]\n").contains("line 1: contexts must map a kubeconfig context name"))
        XCTAssertTrue(message("contexts:\n  prod: dark\n").contains("line 2: contexts.prod must be a mapping"))
        XCTAssertTrue(message("skin: \"\"\n").contains("skin must be the path"))
    }
}
