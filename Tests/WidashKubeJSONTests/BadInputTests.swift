import Foundation
import WidashCore
import WidashKubeJSON
import XCTest

/// Broken or hostile input ends in a typed error with a byte offset — never a crash, a hang or
/// unbounded recursion.
final class BadInputTests: XCTestCase {
    private let pod = #"{"kind":"PodList","metadata":{"resourceVersion":"7","continue":"c"},"items":[{"metadata":{"name":"web-1","namespace":"shop","labels":{"app":"web"}},"spec":{"serviceAccountName":"web","containers":[{"name":"web","image":"nginx","env":[{"name":"A","value":"\u00e9"}]}],"volumes":[{"name":"t","projected":{"sources":[{"serviceAccountToken":{"audience":"api://AzureADTokenExchange","expirationSeconds":3600,"path":"token"}}]}}]},"status":{"phase":"Running","containerStatuses":[{"name":"web","ready":true,"restartCount":0}],"x":[1.5e3,-2,true,false,null,"s\"q"]}}]}"#

    private func decodeError(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> KubeJSONError? {
        decodeError(Array(json.utf8), file: file, line: line)
    }

    private func decodeError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> KubeJSONError? {
        do {
            _ = try KubeListDecoder.decodePodList(bytes)
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch let error as KubeJSONError {
            XCTAssertGreaterThanOrEqual(error.offset, 0, file: file, line: line)
            XCTAssertLessThanOrEqual(error.offset, bytes.count, file: file, line: line)
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
            return error
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line)
            return nil
        }
    }

    func testValidDocumentDecodes() throws {
        let page = try KubeListDecoder.decodePodList(Array(pod.utf8))
        XCTAssertEqual(page.items.count, 1)
        XCTAssertEqual(page.items.first?.spec.containers.first?.env?.first?.value, "é")
        XCTAssertEqual(page.continueToken, "c")
    }

    /// Every proper prefix of a valid document is an error (no prefix is a complete document).
    func testEveryTruncationIsAnError() {
        let bytes = Array(pod.utf8)
        for length in 0..<bytes.count {
            guard let error = decodeError(Array(bytes[..<length])) else { return }
            if case .unexpectedEnd = error.kind {} else if length > 0 {
                // A cut inside a number or literal may surface as another kind; all must be typed.
                XCTAssertNotEqual(error.kind, .trailingBytes, "prefix \(length)")
            }
        }
    }

    func testWrongTypes() {
        let cases: [(String, String)] = [
            (#"{"items":{}}"#, "$.items"),
            (#"{"items":[{"metadata":{"name":5},"spec":{"containers":[]}}]}"#, "$.items[0].metadata.name"),
            (#"{"items":[{"metadata":{"name":null},"spec":{"containers":[]}}]}"#, "$.items[0].metadata.name"),
            (#"{"items":[{"metadata":{"name":"p","labels":{"a":1}},"spec":{"containers":[]}}]}"#, "$.items[0].metadata.labels.a"),
            (#"{"items":[{"metadata":{"name":"p"},"spec":{"containers":null}}]}"#, "$.items[0].spec.containers"),
            (#"{"items":[{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","env":[{"name":true}]}]}}]}"#, "$.items[0].spec.containers[0].env[0].name"),
            (#"{"items":[{"metadata":{"name":"p"},"spec":{"containers":[]},"status":{"containerStatuses":[{"name":"c","ready":"yes"}]}}]}"#, "$.items[0].status.containerStatuses[0].ready"),
            (#"{"items":[{"metadata":{"name":"p"},"spec":{"containers":[],"volumes":[{"name":"v","projected":{"sources":[{"serviceAccountToken":{"path":"t","expirationSeconds":1.5}}]}}]}}]}"#, "expirationSeconds"),
            (#"{"items":[{"metadata":{"name":"p"},"spec":{"containers":[],"volumes":[{"name":"v","projected":{"sources":[{"serviceAccountToken":{"path":"t","expirationSeconds":99999999999999999999}}]}}]}}]}"#, "expirationSeconds"),
            ("[]", "$"),
            ("\"x\"", "$"),
        ]
        for (json, path) in cases {
            guard let error = decodeError(json) else { continue }
            XCTAssertTrue(error.path.hasPrefix(path) || error.path.contains(path), "\(json): path \(error.path), wanted \(path)")
        }
    }

    func testMissingRequiredFields() {
        for (json, field) in [
            (#"{"items":[{"spec":{"containers":[]}}]}"#, "metadata"),
            (#"{"items":[{"metadata":{"namespace":"x"},"spec":{"containers":[]}}]}"#, "name"),
            (#"{"items":[{"metadata":{"name":"p"}}]}"#, "spec"),
            (#"{"items":[{"metadata":{"name":"p"},"spec":{}}]}"#, "containers"),
            (#"{"items":[{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","volumeMounts":[{"name":"m"}]}]}}]}"#, "mountPath"),
        ] {
            guard let error = decodeError(json) else { continue }
            XCTAssertEqual(error.kind, .missingField(field), json)
        }
    }

    func testTrailingGarbage() {
        let error = decodeError(#"{"items":[]} x"#)
        XCTAssertEqual(error?.kind, .trailingBytes)
        XCTAssertEqual(error?.offset, 13)
        XCTAssertNil(decodeErrorIfAny(#"{"items":[]}  "# + "\n"), "trailing whitespace is fine")
        XCTAssertNotNil(decodeErrorIfAny(#"{"items":[]}{}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"items":[],}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"items":[1,]}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"items":[] "x":1}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"skip":[1 2],"items":[]}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"skip":{"a" 1},"items":[]}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"skip":01,"items":[]}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"skip":-,"items":[]}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"skip":tru,"items":[]}"#))
        XCTAssertNotNil(decodeErrorIfAny(#"{"skip":[}],"items":[]}"#))
    }

    private func decodeErrorIfAny(_ json: String) -> KubeJSONError? {
        do {
            _ = try KubeListDecoder.decodePodList(Array(json.utf8))
            return nil
        } catch {
            return error as? KubeJSONError
        }
    }

    /// 10 000 levels of nesting, in a skipped field and at the top: an error, not a stack overflow.
    func testDeepNestingIsAnErrorNotACrash() {
        let depth = 10_000
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let inSkipped = decodeError(#"{"deep":\#(nested),"items":[]}"#)
        XCTAssertEqual(inSkipped?.kind, .tooDeep(limit: KubeJSONLimits.default.maxDepth))
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        XCTAssertEqual(decodeError(#"{"items":[{"metadata":{"name":"p","x":\#(objects)},"spec":{"containers":[]}}]}"#)?.kind,
                       .tooDeep(limit: KubeJSONLimits.default.maxDepth))
        XCTAssertNotNil(decodeError(nested))
        XCTAssertNotNil(decodeError(String(repeating: "[", count: depth)))
        // Within the limit, deep skipped values are fine.
        let fine = String(repeating: "[", count: 400) + String(repeating: "]", count: 400)
        XCTAssertNil(decodeErrorIfAny(#"{"deep":\#(fine),"items":[]}"#))
    }

    func testInvalidUTF8InAKeptString() {
        var bytes = Array(#"{"items":[{"metadata":{"name":"ab"#.utf8)
        bytes += [0xC3, 0x28] // an invalid two-byte sequence
        bytes += Array(#""},"spec":{"containers":[]}}]}"#.utf8)
        let error = decodeError(bytes)
        if case .invalidString? = error?.kind {} else { XCTFail("\(String(describing: error))") }
        XCTAssertEqual(error?.path, "$.items[0].metadata.name")
        // In a skipped string, like JSONDecoder, invalid UTF-8 is not looked at.
        var skipped = Array(#"{"x":"a"#.utf8) + [0xFF] + Array(#"","items":[]}"#.utf8)
        XCTAssertNoThrow(try KubeListDecoder.decodePodList(skipped))
        skipped = Array(#"{"items":[{"metadata":{"name":"p","x":"\q"},"spec":{"containers":[]}}]}"#.utf8)
        XCTAssertNoThrow(try KubeListDecoder.decodePodList(skipped))
    }

    func testBadEscapesInAKeptString() {
        for escape in [#"\q"#, #"\u12"#, #"\u12G4"#, #"\ud800"#, #"\ud800\u0041"#, #"\udc00"#] {
            let error = decodeError(#"{"items":[{"metadata":{"name":"a\#(escape)b"},"spec":{"containers":[]}}]}"#)
            XCTAssertEqual(error?.kind, .invalidEscape, escape)
        }
        let raw = decodeError("{\"items\":[{\"metadata\":{\"name\":\"a\u{01}b\"},\"spec\":{\"containers\":[]}}]}")
        if case .invalidString? = raw?.kind {} else { XCTFail("raw control character: \(String(describing: raw))") }
    }

    func testMegabyteStrings() throws {
        let big = String(repeating: "abcdefghij", count: 100_000) + "é\\\"" // 1 MB, with an escape at the end
        let json = #"{"skipped":"\#(big)","items":[{"metadata":{"name":"p","annotations":{"big":"\#(big)"}},"spec":{"containers":[]}}]}"#
        let pod = try XCTUnwrap(KubeListDecoder.decodePodList(Array(json.utf8)).items.first)
        XCTAssertEqual(pod.metadata.annotations?["big"]?.utf8.count, 1_000_000 + 2 + 1)
        XCTAssertEqual(pod.metadata.annotations?["big"]?.hasSuffix("é\""), true)
        // Over a configured limit: a typed error naming the limit.
        XCTAssertThrowsError(try KubeListDecoder.decodePodList(Array(json.utf8), limits: KubeJSONLimits(maxStringBytes: 1000))) { error in
            XCTAssertEqual((error as? KubeJSONError)?.kind, .stringTooLong(limit: 1000))
        }
        // An unterminated huge string ends in unexpectedEnd.
        XCTAssertEqual(decodeError(#"{"items":[{"metadata":{"name":"\#(big)"#)?.kind, .unexpectedEnd)
    }

    func testRandomByteFlipsNeverCrash() {
        var rng = SeededRandom(seed: 5)
        let original = Array(pod.utf8)
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<rng.int(1...3) {
                bytes[rng.int(0...(bytes.count - 1))] = UInt8(truncatingIfNeeded: rng.next())
            }
            // Either decodes or throws a typed error; both are fine, crashing is not.
            do { _ = try KubeListDecoder.decodePodList(bytes) } catch { XCTAssertTrue(error is KubeJSONError) }
            do { _ = try KubeListDecoder.decodeWatchEvent(line: bytes, as: Pod.self) } catch { XCTAssertTrue(error is KubeJSONError) }
        }
    }

    func testErrorMessageSaysWhereAndWhat() {
        let error = decodeError(#"{"items":[{"metadata":{"name":"p"},"spec":{"containers":[{"name":7}]}}]}"#)
        let text = error?.description ?? ""
        XCTAssertTrue(text.contains("$.items[0].spec.containers[0].name"), text)
        XCTAssertTrue(text.contains("a number"), text)
        XCTAssertTrue(text.contains("a string"), text)
    }
}
