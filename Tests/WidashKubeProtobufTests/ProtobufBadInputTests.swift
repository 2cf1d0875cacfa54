import XCTest
import WidashCore
import WidashKubeProtobuf

/// Every class of malformed input gives a `KubeProtobufError` naming the problem, never a crash.
final class ProtobufBadInputTests: XCTestCase {
    private func kind(of bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> KubeProtobufError.Kind? {
        do {
            _ = try KubeProtobufDecoder.decodePodList(bytes)
            XCTFail("decoded malformed input", file: file, line: line)
            return nil
        } catch let error as KubeProtobufError {
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
            return error.kind
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    /// A pod list holding one pod whose metadata is `metadata`.
    private func podList(metadata: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var list = ProtobufWriter()
        list.message(2) { pod in pod.message(1, metadata) }
        return ProtobufWriter.envelope(kind: "PodList", raw: list.bytes)
    }

    func testMissingMagic() {
        XCTAssertEqual(kind(of: []), .missingMagic)
        XCTAssertEqual(kind(of: Array(#"{"kind":"PodList"}"#.utf8)), .missingMagic)
        XCTAssertEqual(kind(of: [0x6B, 0x38, 0x73]), .missingMagic)
    }

    func testTruncatedVarint() {
        XCTAssertEqual(kind(of: [0x6B, 0x38, 0x73, 0x00, 0x80]), .truncatedVarint)
        var bytes = podList { $0.string(1, "web") }
        bytes += [0x28, 0xFF]  // field 5 (unknown to the envelope), a varint cut off
        XCTAssertEqual(kind(of: bytes), .truncatedVarint)
    }

    func testOverlongVarint() {
        XCTAssertEqual(kind(of: [0x6B, 0x38, 0x73, 0x00, 0x28] + Array(repeating: 0xFF, count: 10) + [0x01]), .overlongVarint)
    }

    func testLengthPastTheEnd() {
        // The envelope's raw field claims 100 bytes; 2 follow.
        XCTAssertEqual(kind(of: [0x6B, 0x38, 0x73, 0x00, 0x12, 100, 0x0A, 0x00]), .lengthPastEnd(length: 100, available: 2))
        // A string inside the metadata reaching past its message (but not past the response).
        var list = ProtobufWriter()
        list.lengthDelimited(2, [0x0A, 0x03, 0x0A, 0x09, 0x77])  // pod { metadata { name: 9 bytes, 1 present } }
        list.string(3, "padding to keep the response longer than the claim")
        XCTAssertEqual(kind(of: ProtobufWriter.envelope(kind: "PodList", raw: list.bytes)), .lengthPastEnd(length: 9, available: 1))
        XCTAssertEqual(kind(of: [0x6B, 0x38, 0x73, 0x00, 0x31, 1, 2, 3]), .lengthPastEnd(length: 8, available: 3))  // field 6, fixed64 cut off
    }

    func testEveryTruncationOfAValidPageFailsCleanly() {
        let page = SamplePods.protobuf
        // The envelope ends with `raw` and two empty strings; any cut before those ends inside `raw`.
        let rawEnd = page.count - 4
        for length in 0..<rawEnd {
            XCTAssertThrowsError(try KubeProtobufDecoder.decodePodList(page[0..<length]), "cut at \(length)") { error in
                XCTAssertTrue(error is KubeProtobufError, "cut at \(length): \(error)")
            }
        }
    }

    /// Every byte of a valid page overwritten with values that upset varints, tags and lengths:
    /// each decode either succeeds or throws a `KubeProtobufError` (a crash fails the run).
    func testCorruptedBytesNeverCrash() {
        let page = SamplePods.protobuf
        var failures = 0
        for index in page.indices {
            for replacement: UInt8 in [0x00, 0x07, 0x80, 0xFF] {
                var corrupted = page
                corrupted[index] = replacement
                do {
                    _ = try KubeProtobufDecoder.decodePodList(corrupted)
                } catch {
                    XCTAssertTrue(error is KubeProtobufError, "byte \(index) = \(replacement): \(error)")
                    failures += 1
                }
            }
        }
        // Bytes inside strings decode as other strings; corrupted tags and lengths must be caught.
        XCTAssertGreaterThan(failures, page.count / 2)
    }

    func testWrongWireTypeForAKeptField() {
        XCTAssertEqual(kind(of: podList { $0.int(1, 7) }), .wrongWireType(field: "ObjectMeta.name", found: 0))
        XCTAssertEqual(kind(of: podList { meta in
            meta.string(1, "web")
            // A string where a Time belongs: length-delimited as Time is, but its bytes read as
            // field 6 ("2"), 48 bytes long ("0"), of which 18 remain.
            meta.string(8, "2026-01-15T10:03:45Z")
        }), .lengthPastEnd(length: 48, available: 18))
        var list = ProtobufWriter()
        list.message(2) { pod in
            pod.message(1) { $0.string(1, "web") }
            pod.message(3) { status in status.message(8) { $0.string(4, "true") } }
        }
        XCTAssertEqual(kind(of: ProtobufWriter.envelope(kind: "PodList", raw: list.bytes)),
                       .wrongWireType(field: "ContainerStatus.ready", found: 2))
    }

    func testGroupsAndUndefinedWireTypes() {
        XCTAssertEqual(kind(of: podList { $0.tag(40, wireType: 3) }), .unsupportedWireType(3))
        XCTAssertEqual(kind(of: podList { $0.tag(40, wireType: 7) }), .unsupportedWireType(7))
    }

    func testFieldNumberZero() {
        XCTAssertEqual(kind(of: podList { $0.tag(0, wireType: 0); $0.varint(1) }), .invalidFieldNumber(0))
    }

    func testMissingNameAndMissingObject() {
        XCTAssertEqual(kind(of: podList { $0.string(3, "shop") }), .missingField("metadata.name"))
        var list = ProtobufWriter()
        list.message(2) { $0.message(2) { _ in } }  // a pod with a spec but no metadata
        XCTAssertEqual(kind(of: ProtobufWriter.envelope(kind: "PodList", raw: list.bytes)), .missingField("metadata"))
        XCTAssertEqual(kind(of: [0x6B, 0x38, 0x73, 0x00, 0x0A, 0x00]), .missingField("raw (the object in the envelope)"))
    }

    func testAStatusInsteadOfAList() {
        var status = ProtobufWriter()
        status.string(4, "Failure")
        let bytes = ProtobufWriter.envelope(kind: "Status", raw: status.bytes)
        XCTAssertEqual(kind(of: bytes), .unexpectedKind(expected: "PodList", found: "Status"))
    }

    func testContentEncodingIsRefused() {
        var unknown = ProtobufWriter()
        unknown.lengthDelimited(2, [])
        unknown.string(3, "gzip")
        XCTAssertEqual(kind(of: [0x6B, 0x38, 0x73, 0x00] + unknown.bytes), .unsupportedContentEncoding("gzip"))
    }

    func testTimestampOutsideRFC3339() {
        XCTAssertEqual(kind(of: podList { meta in
            meta.string(1, "web")
            meta.time(8, seconds: 253_402_300_800)  // 10000-01-01
        }), .timestampOutOfRange(253_402_300_800))
    }
}
