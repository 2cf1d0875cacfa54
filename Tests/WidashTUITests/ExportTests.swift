import XCTest
import WidashCore
@testable import WidashTUI

/// The pure exporters behind `:save` (exact text), evidence claims as blocks, and word wrapping.
final class ExportTests: XCTestCase {
    private func failedTrace() -> AppState {
        var s = TestSupport.loadedState()
        TestSupport.send(&s, "/wrong-subject")
        TestSupport.press(&s, .enter)
        TestSupport.send(&s, "t")
        TestSupport.feedTrace(&s, upToStep: nil)
        return s
    }

    static let traceMarkdown = """
    # widash trace broken/wrong-subject-5c9d8b7f6-h2x7q

    - pod: `broken/wrong-subject-5c9d8b7f6-h2x7q`
    - service account: `broken/wrong-subject`
    - provider: Azure WI
    - resource: default
    - token: TokenRequest
    - started: 2025-06-15 15:06:40 UTC
    - result: FAILED at step 3 (trust checked) in 2.1 s

    ## ✓ 1. token projected: passed (312 ms)

    - iss: `https://oidc.widash-demo.local/6c3e9f70-aks`
    - sub: `system:serviceaccount:broken:wrong-subject`
    - aud: `api://AzureADTokenExchange`
    - exp: `in 3600 s`
    - kid: `demo-key-1`
    - claims:

      ```
      sub: system:serviceaccount:broken:wrong-subject
      exp: 1750003600  2025-06-15 16:06:40 UTC (in 1h)
      kubernetes.io:
        namespace: broken
      ```

    ## ✓ 2. token sent: passed (402 ms)

    - request: `POST https://login.microsoftonline.com/5f1c1f2e-7a8b-4c3d-9e0f-1a2b3c4d5e6f/oauth2/v2.0/token`
    - client_id: `c3f5e802-3f4d-4071-8cbd-2e3f4a5b6c73`
    - scope: `https://vault.azure.net/.default`
    - client_assertion: `eyJhbGciOiJSUzI1NiIsImtpZCI6ImRlbW8ta2V5LTEifQ.eyJhdWQiOi….…`

    ## ✗ 3. trust checked: failed (515 ms)

    - response: `400 invalid_request`
    - error: `AADSTS700213`

    ### Diagnosis

    AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:broken:wrong-subject'. The federated credential aks-wrong-subject of id-wrong-subject trusts another subject.

    | field | expected | got |
    |---|---|---|
    | subject | `system:serviceaccount:broken:wrongsubject` | `system:serviceaccount:broken:wrong-subject` |

    Fix:

    ```sh
    az identity federated-credential update -g rg-widash-demo --identity-name id-wrong-subject -n aks-wrong-subject --subject system:serviceaccount:broken:wrong-subject
    ```

    ## – 4. token issued: skipped

    ## – 5. resource called: skipped

    """

    static let claimsEvidence = #"{"sub":"system:serviceaccount:broken:wrong-subject","exp":1750003600,"kubernetes.io":{"namespace":"broken"}}"#

    func testTraceMarkdownExactText() throws {
        var s = failedTrace()
        s.trace?.steps[0].evidence["claims"] = Self.claimsEvidence
        XCTAssertEqual(MarkdownExport.trace(try XCTUnwrap(s.trace), now: s.now), Self.traceMarkdown)
    }

    func testTraceEvidenceClaimsAreAnIndentedBlockEachLineCopyingItsClaim() throws {
        var s = failedTrace()
        s.trace?.steps[0].evidence["claims"] = Self.claimsEvidence
        let lines = TraceDocument.lines(s, width: Layout(s).innerWidth)
        let texts = lines.map(\.text)
        let head = try XCTUnwrap(texts.firstIndex { $0.hasPrefix(" │     claims") })
        XCTAssertEqual(Array(texts[(head + 1)...(head + 4)]), [
            " │       sub: system:serviceaccount:broken:wrong-subject",
            " │       exp: 1750003600  2025-06-15 16:06:40 UTC (in 1h)",
            " │       kubernetes.io:",
            " │         namespace: broken",
        ])
        XCTAssertEqual(lines[head + 2].copyValue, "1750003600")
        XCTAssertEqual(lines[head + 4].copyLabel, "claim kubernetes.io.namespace")
        XCTAssertNil(lines[head + 3].copyValue)
    }

    func testIdentityMarkdownHasTheIdentityIdTheTraceAndTheFixes() throws {
        let s = failedTrace()
        let e = try XCTUnwrap(s.identity(key: "broken/wrong-subject"))
        let md = MarkdownExport.identity(e, report: s.traceReports[e.key], now: s.now)
        XCTAssertTrue(md.hasPrefix("# widash identity broken/wrong-subject\n\n- status: "), md)
        XCTAssertTrue(md.contains("- client id: `\(e.bindings[0].cloudIdentity ?? "?")`"), md)
        XCTAssertTrue(md.contains("## Last trace\n\n- pod: `wrong-subject-5c9d8b7f6-h2x7q`\n- result: failed at step 3 (trust checked)"), md)
        XCTAssertTrue(md.contains("```sh\n\(CopyAndSaveTests.fix)\n```"), md)
        XCTAssertTrue(md.contains("- `azure.workload.identity/client-id`: `"), md)
    }

    func testCSVQuotesPerRFC4180AndJSONKeepsColumnOrder() {
        let table = TableExport(titles: ["CHECK", "DETAIL"], rows: [["a,b", "say \"hi\""], ["line\nbreak", "plain"]])
        XCTAssertEqual(table.csv, "CHECK,DETAIL\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n\"line\nbreak\",plain\r\n")
        XCTAssertEqual(table.json, """
        [
          {
            "check": "a,b",
            "detail": "say \\"hi\\""
          },
          {
            "check": "line\\nbreak",
            "detail": "plain"
          }
        ]

        """)
        let doctor = TableExport.doctor([DoctorCheck(name: "issuer", status: .warn, detail: "GET x → 404")])
        XCTAssertEqual(doctor.csv, "STATUS,CHECK,DETAIL\r\nwarn,issuer,GET x → 404\r\n")
    }

    func testMarkdownCodeSpansAndBlocksSurviveBackticks() {
        XCTAssertEqual(MarkdownExport.code("a`b"), "``a`b``")
        XCTAssertEqual(MarkdownExport.code("`x"), "`` `x ``")
        XCTAssertEqual(MarkdownExport.block(["```", "x"]), ["````", "```", "x", "````"])
    }

    func testWrapBreaksAtWordBoundariesAndHardBreaksOnlyLongWords() {
        XCTAssertEqual(TextWrap.wrap("install the EKS Pod Identity Agent add-on", width: 16),
                       ["install the EKS", "Pod Identity", "Agent add-on"])
        XCTAssertEqual(TextWrap.wrap("see https://login.microsoftonline.com/tenant now", width: 20),
                       ["see https://login.mi", "crosoftonline.com/te", "nant now"])
        XCTAssertEqual(ReadableLines.wrapHanging("scp: one two three four five six", width: 16, hang: 5),
                       ["scp: one two", "     three four", "     five six"])
    }
}
