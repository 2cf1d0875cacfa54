import Foundation
import Synchronization
import WidashHTTP
import XCTest
@testable import WidashKube

/// `pods/exec` over WebSocket `v5.channel.k8s.io`: the request kubectl sends, the channel bytes
/// and the status decoding of client-go (`tools/remotecommand/v4.go`, `websocket.go`), refusals.
final class PodExecTests: XCTestCase {
    /// A server side scripted as the messages it sends, then a normal close.
    final class ScriptedSocket: WebSocketConnection, @unchecked Sendable {
        let subprotocol: String?
        private let messages: Mutex<[WebSocketMessage]>
        private let hangs: Bool
        let closed = Mutex<UInt16?>(nil)

        init(subprotocol: String? = KubeClient.execSubprotocol, messages: [WebSocketMessage], hangs: Bool = false) {
            self.subprotocol = subprotocol
            self.messages = Mutex(messages)
            self.hangs = hangs
        }

        func send(_ message: WebSocketMessage) async throws {}

        func receive() async throws -> WebSocketMessage? {
            if let next = messages.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return next }
            if hangs { try await Task.sleep(for: .seconds(3600)) }
            return nil
        }

        func close(code: UInt16, reason: String) async { closed.withLock { $0 = code } }
    }

    final class SocketTransport: HTTPTransport, Sendable {
        let answer: @Sendable (HTTPRequest) throws -> any WebSocketConnection
        let upgrades = Mutex<[HTTPRequest]>([])
        let protocolsOffered = Mutex<[[String]]>([])
        init(_ answer: @escaping @Sendable (HTTPRequest) throws -> any WebSocketConnection) { self.answer = answer }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse { HTTPResponse(status: 404, headers: [:], body: Data()) }
        func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> { AsyncThrowingStream { $0.finish() } }
        func webSocket(_ request: HTTPRequest, protocols: [String]) async throws -> any WebSocketConnection {
            upgrades.withLock { $0.append(request) }
            protocolsOffered.withLock { $0.append(protocols) }
            return try answer(request)
        }
    }

    private func client(_ transport: SocketTransport, readOnly: Bool = false) -> KubeClient {
        let config = ResolvedKubeConfig(contextName: "test", clusterName: "test", userName: "alice", server: testServer,
                                        auth: .token("test-bearer-token-0123456789"))
        return KubeClient(config: config, options: KubeClientOptions(readOnly: readOnly), transportFactory: { _ in transport })
    }

    private static func channel(_ id: UInt8, _ text: String) -> WebSocketMessage { .binary(Data([id]) + Data(text.utf8)) }

    /// The bare Status a 1.32 API server writes on channel 3 for exit code 1 (streamtranslator.go).
    static let exitOne = #"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code 1","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"1"}]}}"#

    func testTheRequestIsWhatKubectlSendsAndStdoutIsCollected() async throws {
        let socket = ScriptedSocket(messages: [.binary(Data([1])),  // the empty "connected" message on the lowest writable channel
                                               Self.channel(1, "eyJhbGciOi"), Self.channel(1, "JSUzI1NiJ9.e30.sig"),
                                               Self.channel(3, #"{"metadata":{},"status":"Success"}"#)])
        let transport = SocketTransport { _ in socket }
        let result = try await client(transport).exec(namespace: "shop", pod: "frontend-1", container: "app",
                                                      command: ["cat", "/var/run/secrets/azure/tokens/azure-identity-token"])
        XCTAssertEqual(String(decoding: result.stdout, as: UTF8.self), "eyJhbGciOiJSUzI1NiJ9.e30.sig")
        XCTAssertEqual(result.outcome, .exited(0))
        XCTAssertTrue(result.succeeded)
        let request = try XCTUnwrap(transport.upgrades.withLock { $0.first })
        XCTAssertEqual(request.method, "GET", "RFC 6455 §4.1: the upgrade is a GET (kubectl exec.go)")
        XCTAssertEqual(request.url, testServer + "/api/v1/namespaces/shop/pods/frontend-1/exec?command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fazure%2Ftokens%2Fazure-identity-token&container=app&stdout=true&stderr=true")
        XCTAssertTrue(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer test-bearer-token-0123456789" })
        XCTAssertEqual(transport.protocolsOffered.withLock { $0 }, [["v5.channel.k8s.io"]], "kubectl ≥ 1.30 offers only v5")
        XCTAssertEqual(socket.closed.withLock { $0 }, 1000)
    }

    func testANonZeroExitCodeAndStderrAreDecoded() async throws {
        let socket = ScriptedSocket(messages: [Self.channel(2, "cat: /nope: No such file or directory\n"), Self.channel(3, Self.exitOne)])
        let result = try await client(SocketTransport { _ in socket }).exec(namespace: "shop", pod: "p", container: nil, command: ["cat", "/nope"])
        XCTAssertEqual(result.outcome, .exited(1))
        XCTAssertFalse(result.programMissing)
        XCTAssertEqual(result.summary, "`cat /nope` exited with 1: cat: /nope: No such file or directory")
    }

    func testAMissingProgramIsAnInternalErrorWithoutExitCode() async throws {
        // What a 1.32 API server relays from containerd (research: the prefix appears twice).
        let status = #"{"metadata":{},"status":"Failure","message":"Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"4f\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"cat\": executable file not found in $PATH: unknown","reason":"InternalError","details":{"causes":[{"message":"x"}]},"code":500}"#
        let socket = ScriptedSocket(messages: [Self.channel(3, status)])
        let result = try await client(SocketTransport { _ in socket }).exec(namespace: "shop", pod: "p", container: nil, command: ["cat", "/t"])
        guard case .failed(let message) = result.outcome else { return XCTFail("\(result.outcome)") }
        XCTAssertTrue(message.contains("executable file not found in $PATH"), message)
        XCTAssertTrue(result.programMissing)
    }

    func testStatusAndStreamEdgeCases() throws {
        var streams = ExecStreams(limit: 8)
        try streams.take(Data([255, 1]), isText: false)  // a close signal from the server is ignored (client-go)
        try streams.take(Data([9]) + Data("x".utf8), isText: false)  // unknown stream id: discarded
        try streams.take(Data(), isText: false)
        try streams.take(Data([1]) + Data("0123456789".utf8), isText: false)
        XCTAssertEqual(String(decoding: streams.stdout, as: UTF8.self), "01234567")
        XCTAssertTrue(streams.truncated)
        XCTAssertTrue(streams.isFull)
        XCTAssertEqual(streams.outcome(), .exited(0), "an empty error stream is success (errorstream.go)")
        XCTAssertThrowsError(try streams.take(Data("1hello".utf8), isText: true), "a text message is fatal in v5")

        var garbage = ExecStreams(limit: 100)
        try garbage.take(Data([3]) + Data("not json".utf8), isText: false)
        guard case .failed(let message) = garbage.outcome() else { return XCTFail() }
        XCTAssertTrue(message.contains("no Status"), message)

        var code = ExecStreams(limit: 1000)
        try code.take(Data([3]) + Data(Self.exitOne.replacingOccurrences(of: #""message":"1""#, with: #""message":"127""#).utf8), isText: false)
        XCTAssertEqual(code.outcome(), .exited(127))
    }

    func testReadOnlyIsRefusedBeforeAnyRequest() async throws {
        let transport = SocketTransport { _ in ScriptedSocket(messages: []) }
        do {
            _ = try await client(transport, readOnly: true).exec(namespace: "shop", pod: "p", container: nil, command: ["cat", "/t"])
            XCTFail("expected a refusal")
        } catch let error as KubeClientError {
            XCTAssertTrue(error.description.contains("read-only"), error.description)
            XCTAssertTrue(error.description.contains("pods/exec"), error.description)
        }
        XCTAssertEqual(transport.upgrades.withLock { $0.count }, 0)
    }

    func testARefusedUpgradeIsAnAPIErrorNamingThePermission() async throws {
        let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: User \"viewer\" cannot get resource \"pods/exec\" in API group \"\" in the namespace \"shop\"","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403}"#
        let transport = SocketTransport { request in
            throw WebSocketUpgradeRefused(url: request.url, response: HTTPResponse(status: 403, headers: ["content-type": "application/json"], body: Data(body.utf8)))
        }
        do {
            _ = try await client(transport).exec(namespace: "shop", pod: "p", container: nil, command: ["cat", "/t"])
            XCTFail("expected forbidden")
        } catch let error as KubeAPIError {
            XCTAssertEqual(error.statusCode, 403)
            XCTAssertEqual(error.missingPermission?.description, #""get pods/exec" in namespace "shop""#)
        }
    }

    func testAServerThatDoesNotChooseV5IsRefused() async throws {
        let socket = ScriptedSocket(subprotocol: nil, messages: [])
        do {
            _ = try await client(SocketTransport { _ in socket }).exec(namespace: "shop", pod: "p", container: nil, command: ["date"])
            XCTFail("expected a refusal")
        } catch let error as PodExecError {
            XCTAssertEqual(error, .protocolNotAccepted(offered: "v5.channel.k8s.io", chosen: nil))
            XCTAssertTrue(error.description.contains("1.30"), error.description)
        }
    }

    func testASilentSessionTimesOut() async throws {
        let socket = ScriptedSocket(messages: [.binary(Data([1]))], hangs: true)
        let started = ContinuousClock.now
        do {
            _ = try await client(SocketTransport { _ in socket }).exec(namespace: "shop", pod: "p", container: nil, command: ["cat", "/t"],
                                                                       timeout: .milliseconds(200))
            XCTFail("expected a timeout")
        } catch let error as PodExecError {
            XCTAssertEqual(error, .timedOut(command: "cat /t", seconds: 0))
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(30), "no hang")
    }

    func testReadFileFallsBackWhenCatIsMissingAndSaysWhatToDoWhenNothingIs() async throws {
        let missing = #"{"metadata":{},"status":"Failure","message":"Internal error occurred: exec: \"X\": executable file not found in $PATH: unknown","reason":"InternalError","code":500}"#
        let transport = SocketTransport { request in
            if request.url.contains("command=head") {
                return ScriptedSocket(messages: [Self.channel(1, "token-bytes"), Self.channel(3, #"{"metadata":{},"status":"Success"}"#)])
            }
            return ScriptedSocket(messages: [Self.channel(3, missing)])
        }
        let read = try await client(transport).readFile(namespace: "shop", pod: "p", container: "app", path: "/t")
        XCTAssertEqual(read.command, ["head", "-c", "65536", "/t"])
        XCTAssertEqual(String(decoding: read.contents, as: UTF8.self), "token-bytes")

        let distroless = SocketTransport { _ in ScriptedSocket(messages: [Self.channel(3, missing)]) }
        do {
            _ = try await client(distroless).readFile(namespace: "shop", pod: "p", container: "app", path: "/t")
            XCTFail("expected no reader")
        } catch let error as PodFileReadError {
            XCTAssertTrue(error.description.contains("the image has no cat, head, dd"), error.description)
            XCTAssertTrue(error.description.contains("kubectl debug -it -n shop p --image=busybox --target=app"), error.description)
        }
        XCTAssertEqual(distroless.upgrades.withLock { $0.count }, 3)
    }
}
