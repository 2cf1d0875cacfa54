import Foundation
import Synchronization
import WidashCore
import WidashHTTP
import XCTest
@testable import WidashKube

func watchLine(_ type: String, _ object: String) -> String { #"{"type":"\#(type)","object":\#(object)}"# + "\n" }
func bookmark(_ rv: String) -> String { watchLine("BOOKMARK", #"{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"\#(rv)"}}"#) }

final class WatchTests: XCTestCase {
    func testSplitterHandlesChunksSplitAnywhere() throws {
        let text = watchLine("ADDED", podJSON("a", rv: "2")) + watchLine("MODIFIED", podJSON("a", rv: "3")) + bookmark("4") + "\n"
        let bytes = Array(text.utf8)
        // Every split point, and one byte at a time, must give the same three lines.
        for cut in 0...bytes.count {
            var splitter = WatchLineSplitter()
            var lines = try splitter.append(Data(bytes[..<cut]))
            lines += try splitter.append(Data(bytes[cut...]))
            XCTAssertEqual(lines.count, 3, "cut at \(cut)")
            XCTAssertNil(splitter.finish())
        }
        var splitter = WatchLineSplitter()
        var lines: [Data] = []
        for byte in bytes { lines += try splitter.append(Data([byte])) }
        XCTAssertEqual(lines.map { String(decoding: $0, as: UTF8.self) + "\n" },
                       [watchLine("ADDED", podJSON("a", rv: "2")), watchLine("MODIFIED", podJSON("a", rv: "3")), bookmark("4")])
    }

    func testSplitterReturnsUnterminatedLastLine() throws {
        var splitter = WatchLineSplitter()
        XCTAssertEqual(try splitter.append(Data("{\"a\":1}\n{\"b\"".utf8)).count, 1)
        XCTAssertEqual(try splitter.append(Data(":2}".utf8)).count, 0)
        XCTAssertEqual(splitter.finish().map { String(decoding: $0, as: UTF8.self) }, #"{"b":2}"#)
    }

    func testSplitterRejectsEndlessLine() {
        var splitter = WatchLineSplitter(maxLineBytes: 10)
        XCTAssertThrowsError(try splitter.append(Data(repeating: 0x41, count: 11)))
    }

    func testEventDecoding() throws {
        let added = try WatchEventDecoder.decode(Data(watchLine("ADDED", podJSON("a", rv: "2")).utf8), as: Pod.self)
        guard case .added(let pod) = added else { return XCTFail("\(String(describing: added))") }
        XCTAssertEqual(pod.metadata.name, "a")
        let mark = try WatchEventDecoder.decode(Data(bookmark("77").utf8), as: Pod.self)
        guard case .bookmark(let rv) = mark else { return XCTFail("\(String(describing: mark))") }
        XCTAssertEqual(rv, "77")
        let error = try WatchEventDecoder.decode(Data(watchLine("ERROR", statusJSON(code: 410, reason: "Expired", message: "too old resource version: 5 (90)")).utf8), as: Pod.self)
        guard case .error(let status) = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(status.code, 410)
        XCTAssertNil(try WatchEventDecoder.decode(Data(watchLine("SOMETHING_NEW", "{}").utf8), as: Pod.self))
        XCTAssertThrowsError(try WatchEventDecoder.decode(Data(#"{"type":"ADDED","object":{"metadata":{}}}"#.utf8), as: Pod.self))
    }

    func testWatchRequestAndEventsAcrossChunkSplits() async throws {
        let payload = watchLine("ADDED", podJSON("a", rv: "11")) + bookmark("12") + watchLine("DELETED", podJSON("a", rv: "13"))
        let mid = payload.index(payload.startIndex, offsetBy: 37)
        let transport = FakeTransport(stream: { _, _ in
            [.head(), .body(String(payload[..<mid])), .body(String(payload[mid...]))]
        })
        let client = makeClient(transport)
        var events: [String] = []
        for try await event in client.watch(.pods, namespace: "shop", resourceVersion: "10", as: Pod.self) {
            switch event {
            case .added(let pod): events.append("added \(pod.metadata.name)")
            case .modified(let pod): events.append("modified \(pod.metadata.name)")
            case .deleted(let pod): events.append("deleted \(pod.metadata.name)")
            case .bookmark(let rv): events.append("bookmark \(rv)")
            case .opened: events.append("opened")
            case .error(let status): events.append("error \(status.code ?? 0)")
            }
        }
        XCTAssertEqual(events, ["opened", "added a", "bookmark 12", "deleted a"])
        let request = try XCTUnwrap(transport.streamRequests.first)
        XCTAssertEqual(pathOf(request), "/api/v1/namespaces/shop/pods?watch=1&allowWatchBookmarks=true&resourceVersion=10&timeoutSeconds=300")
        XCTAssertEqual(header(request, "Authorization"), "Bearer test-bearer-token-0123456789")
        XCTAssertNil(request.timeouts?.total, "watches have no total timeout")
    }

    func testWatchHTTP410Throws() async throws {
        let transport = FakeTransport(stream: { _, _ in
            [.head(410), .body(statusJSON(code: 410, reason: "Expired", message: "too old resource version"))]
        })
        do {
            for try await _ in makeClient(transport).watch(.pods, resourceVersion: "1", as: Pod.self) {}
            XCTFail("expected 410")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.statusCode, 410)
            XCTAssertEqual(error.status?.reason, "Expired")
        }
    }

    // MARK: - ListWatch

    /// Collects events as text until `count` arrived, then stops the ListWatch. A whole list
    /// (`listing`, its pages, `listed`) counts as one event, "relisted[names]".
    private func collect(_ listWatch: ListWatch<Pod>, count: Int) async -> [String] {
        var names: [String] = []
        var listing: [String]?
        for await event in listWatch.events() {
            switch event {
            case .listing: listing = []
            case .page(let pods, _): listing? += pods.map(\.metadata.name)
            case .listed: names.append("relisted[\((listing ?? []).joined(separator: ","))]")
            case .added(let pod): names.append("added \(pod.metadata.name)")
            case .modified(let pod): names.append("modified \(pod.metadata.name)@\(pod.metadata.resourceVersion ?? "")")
            case .deleted(let pod): names.append("deleted \(pod.metadata.name)")
            case .problem(let text): names.append("problem \(text)")
            case .resumed: names.append("resumed")
            }
            if names.count == count { break }
        }
        return names
    }

    func testListWatchResumesFromBookmarkAfterStreamEnd() async throws {
        let sleeps = SleepRecorder()
        let transport = FakeTransport(
            handler: { _, _ in json(listJSON([podJSON("a", rv: "5"), podJSON("b", rv: "6")], rv: "10")) },
            stream: { _, index in
                switch index {
                case 0: return [.head(), .body(watchLine("MODIFIED", podJSON("a", rv: "11")) + bookmark("15"))]
                case 1: return [.head(), .body(watchLine("ADDED", podJSON("c", rv: "16"))), .fail(HTTPError.timeout(url: "u", detail: "cut"))]
                default: return [.head(), .body(watchLine("DELETED", podJSON("b", rv: "17")))]
                }
            })
        let listWatch = ListWatch<Pod>(client: makeClient(transport, sleeps: sleeps), resource: .pods, namespace: nil)
        let events = await collect(listWatch, count: 6)
        XCTAssertEqual(events, [
            "relisted[a,b]", "modified a@11", "added c",
            "problem watching pods: \(testServerTimeoutText)", "resumed", "deleted b",
        ], "the banner's problem is withdrawn once the reconnected watch delivers again")
        // The loop may reconnect a few more times before it sees the cancellation: check the first three.
        let resumedFrom = transport.streamRequests.prefix(3).map { pathOf($0) }.map { path in
            path.split(separator: "&").first { $0.hasPrefix("resourceVersion=") }.map(String.init) ?? ""
        }
        XCTAssertEqual(resumedFrom, ["resourceVersion=10", "resourceVersion=15", "resourceVersion=16"],
                       "each reconnect resumes from the last resourceVersion (the bookmark's after the first)")
        XCTAssertEqual(transport.requests.count, 1, "no relist after a plain disconnect")
        XCTAssertFalse(sleeps.recorded.isEmpty, "reconnects back off")
    }

    private var testServerTimeoutText: String { HTTPError.timeout(url: "u", detail: "cut").description }

    func testListWatchRelistsOnErrorEvent410() async throws {
        let lists = Mutex(0)
        let transport = FakeTransport(
            handler: { _, _ in
                let n = lists.withLock { $0 += 1; return $0 }
                return n == 1 ? json(listJSON([podJSON("a", rv: "5")], rv: "10"))
                              : json(listJSON([podJSON("b", rv: "50")], rv: "60"))
            },
            stream: { _, index in
                index == 0
                    ? [.head(), .body(watchLine("ERROR", statusJSON(code: 410, reason: "Expired", message: "too old resource version: 10 (40)")))]
                    : [.head(), .body(watchLine("ADDED", podJSON("c", rv: "61")))]
            })
        let listWatch = ListWatch<Pod>(client: makeClient(transport), resource: .pods, namespace: "shop")
        let events = await collect(listWatch, count: 3)
        XCTAssertEqual(events, ["relisted[a]", "relisted[b]", "added c"])
        XCTAssertEqual(listWatch.listCount, 2)
        XCTAssertEqual(pathOf(transport.streamRequests[1]).contains("resourceVersion=60"), true)
    }

    func testListWatchRelistsOnHTTP410() async throws {
        let lists = Mutex(0)
        let transport = FakeTransport(
            handler: { _, _ in
                let n = lists.withLock { $0 += 1; return $0 }
                return json(listJSON([podJSON(n == 1 ? "a" : "z", rv: "5")], rv: n == 1 ? "10" : "70"))
            },
            stream: { _, index in
                index == 0 ? [.head(410), .body(statusJSON(code: 410, reason: "Gone", message: "gone"))]
                           : [.head(), .body(bookmark("71"))]
            })
        let listWatch = ListWatch<Pod>(client: makeClient(transport), resource: .pods)
        let events = await collect(listWatch, count: 2)
        XCTAssertEqual(events, ["relisted[a]", "relisted[z]"])
    }

    func testListWatchReportsListFailureAndRetries() async throws {
        let sleeps = SleepRecorder()
        let transport = FakeTransport(
            handler: { _, index in
                index == 0 ? json(statusJSON(code: 403, reason: "Forbidden", message: "nope"), status: 403)
                           : json(listJSON([podJSON("a")], rv: "3"))
            },
            stream: { _, _ in [.head()] })
        let listWatch = ListWatch<Pod>(client: makeClient(transport, sleeps: sleeps), resource: .pods, namespace: "shop")
        let events = await collect(listWatch, count: 2)
        XCTAssertEqual(events.first?.hasPrefix(#"problem listing pods: forbidden (403) on GET /api/v1/namespaces/shop/pods: user "alice" needs RBAC permission "list pods" in namespace "shop""#), true, "\(events)")
        XCTAssertEqual(events.last, "relisted[a]")
        XCTAssertEqual(sleeps.recorded.first, .milliseconds(800))
    }
}
