import XCTest
@testable import WidashTUI

/// Wrapping must terminate and keep every character at any width (tiny terminals, long URLs).
final class TextWrapTests: XCTestCase {
    func testEveryWidthTerminatesAndKeepsTheText() {
        let texts = ["system:serviceaccount:broken:wrong-subject https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
                     "a b c", "", "ｗｉｄｅ文字のテキスト", "x"]
        for text in texts {
            for width in 1...40 {
                let lines = TextWrap.wrap(text, width: width)
                let kept = lines.joined().filter { $0 != " " }
                XCTAssertEqual(kept, text.filter { $0 != " " }, "width \(width): \(lines)")
            }
        }
    }

    func testLinesFitTheWidthExceptASingleWideCharacter() {
        for width in 2...30 {
            for line in TextWrap.wrap("AADSTS700213: federated credential aks-wrong-subject subject is x", width: width) {
                XCTAssertLessThanOrEqual(CharWidth.of(line), width, line)
            }
        }
    }
}
