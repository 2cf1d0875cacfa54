import XCTest
import WidashCore
@testable import WidashTUI

/// `y` (OSC 52), `n`/`N`, the full text of a cut doctor row, and `:save` through `update` with a
/// real write into a temporary directory.
final class CopyAndSaveTests: XCTestCase {
    static let fix = "az identity federated-credential update -g rg-widash-demo --identity-name id-wrong-subject "
        + "-n aks-wrong-subject --subject system:serviceaccount:broken:wrong-subject"

    private func failedTrace(width: Int = 100, height: Int = 30) -> AppState {
        var s = TestSupport.loadedState(width: width, height: height)
        TestSupport.send(&s, "/wrong-subject")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        TestSupport.feedTrace(&s, upToStep: nil)
        return s
    }

    private func lines(_ s: AppState) -> [StyledLine] {
        Documents.lines(for: s.screen.kind, state: s, width: Layout(s).innerWidth)
    }

    // MARK: OSC 52

    func testOSC52SequenceIsEscBracket52SemicolonCBase64Bel() {
        XCTAssertEqual(Array(OSC52.sequence(for: "hello").utf8),
                       [0x1B, 0x5D, 0x35, 0x32, 0x3B, 0x63, 0x3B] + Array("aGVsbG8=".utf8) + [0x07])
        // UTF-8 bytes are encoded, not characters; the payload has no ESC or BEL that could end it early.
        XCTAssertEqual(OSC52.sequence(for: "名前 ✓"), "\u{1B}]52;c;5ZCN5YmNIOKckw==\u{07}")
        let payload = OSC52.sequence(for: "a\u{07}b\u{1B}c").dropFirst(7).dropLast()
        XCTAssertFalse(payload.contains("\u{07}") || payload.contains("\u{1B}"))
    }

    // MARK: y and n in documents

    func testFailedTracePutsTheCursorOnTheFixAndYCopiesItWhole() throws {
        var s = failedTrace()
        let cursorLine = lines(s)[s.screen.cursor]
        XCTAssertEqual(cursorLine.copyLabel, "fix command")
        XCTAssertTrue(cursorLine.text.contains("fix: az identity federated-credential update"), cursorLine.text)
        let page = Layout(s).documentPageSize
        XCTAssertTrue(s.screen.cursor >= s.screen.offset && s.screen.cursor < s.screen.offset + page, "the fix is on screen")
        let commands = TestSupport.send(&s, "y")
        XCTAssertEqual(commands, [.copyToClipboard(text: Self.fix, label: "fix command")])
        XCTAssertEqual(s.flash?.text, "copied fix command (\(Self.fix.count) chars)")
        XCTAssertEqual(s.flash?.isError, false)
        // The cursor line is highlighted like a table's cursor row.
        let buf = DashboardView.render(s)
        let y = Layout(s).innerTop + s.screen.cursor - s.screen.offset
        XCTAssertEqual(buf[3, y].role, .tableCursor)
        XCTAssertTrue(buf.line(y).contains("fix: az identity"))
    }

    func testNJumpsBetweenValuesAndLandsOnTheFix() throws {
        var s = failedTrace()
        TestSupport.send(&s, "g")
        XCTAssertEqual(s.screen.cursor, 0)
        var labels: [String] = []
        for _ in 0..<30 {
            let before = s.screen.cursor
            TestSupport.send(&s, "n")
            if s.screen.cursor == before { break }
            labels.append(lines(s)[s.screen.cursor].copyLabel ?? "?")
        }
        XCTAssertEqual(labels.first, "iss", "the first value is step 1's evidence")
        XCTAssertTrue(labels.contains("fix command"), "n reaches the fix: \(labels)")
        XCTAssertTrue(labels.contains("expected subject") && labels.contains("got subject"), "\(labels)")
        XCTAssertEqual(s.flash?.text, "no value to copy below")
        // A value wrapped over several lines is one stop; N goes back to the start of the previous one.
        let fixLine = try XCTUnwrap(lines(s).firstIndex { $0.copyLabel == "fix command" })
        s.screen.cursor = fixLine + 1
        TestSupport.send(&s, "N")
        XCTAssertEqual(s.screen.cursor, fixLine)
        TestSupport.send(&s, "N")
        XCTAssertEqual(lines(s)[s.screen.cursor].copyLabel, "got subject")
    }

    func testJAndKMoveTheDocumentCursorAndTheOffsetFollows() {
        var s = TestSupport.loadedState(width: 80, height: 12)
        TestSupport.send(&s, "?")
        let page = Layout(s).documentPageSize
        for _ in 0..<(page + 3) { TestSupport.send(&s, "j") }
        XCTAssertEqual(s.screen.cursor, page + 3)
        XCTAssertEqual(s.screen.offset, 4, "the offset follows the cursor")
        TestSupport.send(&s, "G")
        XCTAssertEqual(s.screen.cursor, lines(s).count - 1)
        TestSupport.send(&s, "g")
        XCTAssertEqual(s.screen.cursor, 0)
        XCTAssertEqual(s.screen.offset, 0)
    }

    func testYOnALineWithoutAValueCopiesItsTextWithoutTheLabel() {
        XCTAssertEqual(CopyActions.withoutLabel(StyledLine([Segment(" │ ", .border), Segment("    "), Segment("response", .dim),
                                                            Segment("  400 invalid_request")])), "400 invalid_request")
        XCTAssertEqual(CopyActions.withoutLabel(StyledLine([Segment("    │ ", .stepFailed), Segment("The token was issued"),
                                                            Segment(" │", .stepFailed)])), "The token was issued")
        var s = failedTrace()
        let header = lines(s).firstIndex { $0.text.contains("✗ 3  trust checked") } ?? 0
        s.screen.cursor = header
        let commands = TestSupport.send(&s, "y")
        guard case .copyToClipboard(let text, let label)? = commands.first else { return XCTFail("\(commands)") }
        XCTAssertEqual(label, "line")
        XCTAssertTrue(text.hasPrefix("✗ 3  trust checked  ") && text.hasSuffix(" 515 ms"), text)
    }

    func testAWholeTokenIsNotCopiedUnlessShowToken() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpmcm9udGVuZCJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
        var hidden = TestSupport.loadedState()
        XCTAssertEqual(CopyActions.copy(&hidden, jwt, label: "token"), [])
        XCTAssertEqual(hidden.flash?.isError, true)
        XCTAssertTrue(hidden.flash?.text.contains("--show-token") ?? false)
        var shown = TestSupport.loadedState(options: DashboardOptions(showToken: true))
        XCTAssertEqual(CopyActions.copy(&shown, jwt, label: "token"), [.copyToClipboard(text: jwt, label: "token")])
        // A redacted form is not a token and copies.
        XCTAssertEqual(CopyActions.copy(&hidden, SampleTrace.redactedAssertion, label: "client_assertion").count, 1)
    }

    // MARK: y in tables

    func testYInTablesCopiesTheRowsMainValue() {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong-subject")
        TestSupport.press(&s, .enter)
        let id = s.selectedIdentity?.bindings.first?.cloudIdentity ?? ""
        XCTAssertFalse(id.isEmpty)
        XCTAssertEqual(TestSupport.send(&s, "y"), [.copyToClipboard(text: id, label: "client id")])
        TestSupport.press(&s, .escape)
        TestSupport.send(&s, ":pods")
        TestSupport.press(&s, .enter)
        let ref = s.index.podRows[0]
        let pod = s.inventory.identities[ref.identity].pods[ref.pod]
        XCTAssertEqual(TestSupport.send(&s, "y"), [.copyToClipboard(text: "\(pod.namespace)/\(pod.name)", label: "pod")])
    }

    // MARK: cut doctor rows

    static let longDetail = "DaemonSet kube-system/eks-pod-identity-agent is missing but 3 pod(s) use EKS Pod Identity "
        + "(aws/pod-identity-ok, aws/pod-identity-other, shop/legacy): install the EKS Pod Identity Agent add-on "
        + "(aws eks create-addon --cluster-name demo --addon-name eks-pod-identity-agent)"

    func testEnterOnADoctorRowShowsTheWholeTextWrappedAndEscReturns() {
        var s = TestSupport.loadedState(width: 80, height: 24)
        TestSupport.send(&s, ":doctor")
        TestSupport.press(&s, .enter)
        _ = update(&s, .doctor([DoctorCheck(name: "API server", status: .pass, detail: "answers"),
                                DoctorCheck(name: "EKS Pod Identity Agent", status: .fail, detail: Self.longDetail)]))
        TestSupport.send(&s, "j")
        let table = DashboardView.render(s).lines.joined(separator: "\n")
        XCTAssertFalse(table.contains("eks-pod-identity-agent)"), "the table cuts the detail")
        TestSupport.press(&s, .enter)
        XCTAssertEqual(s.screen.kind, .text(title: "doctor: EKS Pod Identity Agent"))
        let shown = DashboardView.render(s).lines
        let body = shown.filter { $0.hasPrefix("│   ") }.map { $0.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: " │")) }
        XCTAssertTrue(body.joined(separator: " ").contains(Self.longDetail), body.joined(separator: "\n"))
        XCTAssertTrue(shown.contains { $0.contains("│ detail") })
        // Wrapped at word boundaries: no line ends inside a word of the detail.
        let words = Set(Self.longDetail.split(separator: " ").map(String.init))
        for line in body where line.contains("pod-identity") {
            XCTAssertTrue(line.split(separator: " ").allSatisfy { words.contains(String($0)) || ["EKS", "Agent", "fail", "check", "status"].contains(String($0)) }, line)
        }
        s.screen.cursor = lines(s).firstIndex { $0.copyLabel == "detail" } ?? 0
        XCTAssertEqual(TestSupport.send(&s, "y"), [.copyToClipboard(text: Self.longDetail, label: "detail")])
        TestSupport.press(&s, .escape)
        XCTAssertEqual(s.screen.kind, .doctor)
        XCTAssertEqual(TestSupport.send(&s, "y"), [.copyToClipboard(text: Self.longDetail, label: "doctor detail")])
    }

    // MARK: :save

    private func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("widash-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Runs the commands `update` returned as the executor would (the write itself is real).
    private func perform(_ commands: [Command], _ s: inout AppState) {
        for case .saveFile(let path, let contents, let lines) in commands {
            _ = update(&s, ExportWriter.write(contents, to: path, lines: lines))
        }
    }

    func testSaveTraceAsMarkdownAndReadItBack() throws {
        let dir = try temporaryDirectory()
        var s = failedTrace()
        let path = dir.appendingPathComponent("trace.md").path
        let commands = TestSupport.send(&s, ":save \(path)") + TestSupport.press(&s, .enter)
        guard case .saveFile(let p, let contents, let n)? = commands.last else { return XCTFail("\(commands)") }
        XCTAssertEqual(p, path)
        perform(commands, &s)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(written, contents)
        XCTAssertEqual(written, MarkdownExport.trace(try XCTUnwrap(s.trace), now: s.now))
        XCTAssertEqual(s.flash?.text, "saved \(path) (\(n) lines)")
        XCTAssertEqual(n, written.split(separator: "\n", omittingEmptySubsequences: false).count - 1)
        XCTAssertTrue(written.contains("```sh\n\(Self.fix)\n```"), written)
    }

    func testSaveTablesAsCSVOrJSONByExtensionAndDefaultName() throws {
        let dir = try temporaryDirectory()
        var s = TestSupport.loadedState()
        let csvPath = dir.appendingPathComponent("ids.csv").path
        var commands = TestSupport.send(&s, ":save \(csvPath)") + TestSupport.press(&s, .enter)
        perform(commands, &s)
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("NAMESPACE,NAME,PROVIDER,IDENTITY,"), csv)
        XCTAssertEqual(csv.components(separatedBy: "\r\n").count - 1, 1 + s.index.identityRows.count)
        let jsonPath = dir.appendingPathComponent("ids.json").path
        commands = TestSupport.send(&s, ":save \(jsonPath)") + TestSupport.press(&s, .enter)
        perform(commands, &s)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jsonPath))) as? [[String: String]]
        XCTAssertEqual(json?.count, s.index.identityRows.count)
        XCTAssertEqual(json?.first?["namespace"], "aws")
        // No name: widash-<view>-<UTC stamp>.csv in the current directory.
        commands = TestSupport.send(&s, ":save") + TestSupport.press(&s, .enter)
        guard case .saveFile(let p, _, _)? = commands.last else { return XCTFail("\(commands)") }
        XCTAssertEqual(p, "widash-identities-20250615-150640.csv")
    }

    func testSaveErrorsAreFlashedNotThrown() throws {
        let dir = try temporaryDirectory()
        var s = failedTrace()
        let missing = dir.appendingPathComponent("no/such/dir/t.md").path
        perform(TestSupport.send(&s, ":save \(missing)") + TestSupport.press(&s, .enter), &s)
        XCTAssertEqual(s.flash?.isError, true)
        XCTAssertTrue(s.flash?.text.contains("does not exist") ?? false, s.flash?.text ?? "")
        perform(TestSupport.send(&s, ":save \(dir.path)") + TestSupport.press(&s, .enter), &s)
        XCTAssertTrue(s.flash?.text.contains("is a directory") ?? false, s.flash?.text ?? "")
        // A file where a directory should be: the write fails and says why.
        let file = dir.appendingPathComponent("plain")
        try Data().write(to: file)
        perform(TestSupport.send(&s, ":save \(file.path)/t.md") + TestSupport.press(&s, .enter), &s)
        XCTAssertTrue(s.flash?.text.hasPrefix("cannot save") ?? false, s.flash?.text ?? "")
        // Views without anything to save say so.
        TestSupport.send(&s, "?")
        XCTAssertFalse((TestSupport.send(&s, ":save") + TestSupport.press(&s, .enter)).contains { if case .saveFile = $0 { return true } else { return false } })
        XCTAssertTrue(s.flash?.text.hasPrefix("nothing to save in this view") ?? false)
    }

    func testNoWholeTokenReachesAFile() throws {
        let dir = try temporaryDirectory()
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpmcm9udGVuZCJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
        let path = dir.appendingPathComponent("t.md").path
        var s = TestSupport.loadedState()
        _ = update(&s, ExportWriter.write("token \(jwt)\n", to: path, lines: 1))
        let written = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertFalse(written.contains(jwt))
        XCTAssertTrue(written.hasPrefix("token eyJhbGciOi"))
    }
}
