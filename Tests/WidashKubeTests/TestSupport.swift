import Crypto
import Foundation
import Synchronization
import WidashHTTP
import X509
@testable import WidashKube

/// A scripted `HTTPTransport`: each request goes to a handler the test writes; every request is
/// recorded so tests can assert on what was sent.
final class FakeTransport: HTTPTransport, Sendable {
    typealias Handler = @Sendable (HTTPRequest, Int) async throws -> HTTPResponse
    typealias StreamHandler = @Sendable (HTTPRequest, Int) -> [FakeStreamStep]

    private let handler: Handler
    private let streamHandler: StreamHandler
    private let log = Mutex<[HTTPRequest]>([])
    private let streamLog = Mutex<[HTTPRequest]>([])

    init(handler: @escaping Handler = { request, _ in HTTPResponse(status: 404, headers: [:], body: Data()) },
         stream: @escaping StreamHandler = { _, _ in [] }) {
        self.handler = handler
        self.streamHandler = stream
    }

    var requests: [HTTPRequest] { log.withLock { $0 } }
    var streamRequests: [HTTPRequest] { streamLog.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = log.withLock { log in log.append(request); return log.count - 1 }
        return try await handler(request, index)
    }

    func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        let index = streamLog.withLock { log in log.append(request); return log.count - 1 }
        let steps = streamHandler(request, index)
        return AsyncThrowingStream { continuation in
            for step in steps {
                switch step {
                case .event(let event): continuation.yield(event)
                case .fail(let error): continuation.finish(throwing: error); return
                }
            }
            continuation.finish()
        }
    }
}

enum FakeStreamStep: Sendable {
    case event(HTTPStreamEvent)
    case fail(Error)

    static func head(_ status: Int = 200) -> FakeStreamStep { .event(.head(status: status, headers: ["content-type": "application/json"])) }
    static func body(_ text: String) -> FakeStreamStep { .event(.body(Data(text.utf8))) }
}

func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: ["content-type": "application/json"].merging(headers) { _, new in new },
                 body: Data(text.utf8))
}

func statusJSON(code: Int, reason: String, message: String) -> String {
    #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","code":\#(code)}"#
}

/// The path and query of a recorded request (the fake server is always https://k8s.test).
func pathOf(_ request: HTTPRequest) -> String {
    request.url.replacingOccurrences(of: testServer, with: "")
}

func header(_ request: HTTPRequest, _ name: String) -> String? {
    request.headers.first { $0.name.lowercased() == name.lowercased() }?.value
}

let testServer = "https://k8s.test:6443"

/// Options for tests: no real sleeping, sleeps recorded.
final class SleepRecorder: Sendable {
    private let sleeps = Mutex<[Duration]>([])
    var recorded: [Duration] { sleeps.withLock { $0 } }
    var sleeper: @Sendable (Duration) async throws -> Void {
        { duration in
            self.sleeps.withLock { $0.append(duration) }
            try Task.checkCancellation()
            await Task.yield()
        }
    }
}

func makeClient(_ transport: FakeTransport, auth: KubeAuth = .token("test-bearer-token-0123456789"),
                readOnly: Bool = false, sleeps: SleepRecorder = SleepRecorder(), pageSize: Int = 500,
                followingPageSize: Int? = nil, configure: (inout KubeClientOptions) -> Void = { _ in }) -> KubeClient {
    let config = ResolvedKubeConfig(contextName: "test", clusterName: "test", userName: "alice",
                                    server: testServer, auth: auth)
    var options = KubeClientOptions(readOnly: readOnly, pageSize: pageSize,
                                    followingPageSize: followingPageSize ?? pageSize, sleep: sleeps.sleeper)
    configure(&options)
    return KubeClient(config: config, options: options, transportFactory: { _ in transport })
}

/// A temporary folder removed when the test ends.
final class TempDir {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "widash-kube-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }
        return file
    }
}

/// Certificates generated per test run with swift-certificates (P-256).
struct TestPKI {
    let caPEM: String
    let clientCertificatePEM: String
    let clientKeyPEM: String
    /// A valid key that belongs to no certificate here.
    let otherKeyPEM: String

    static func make(commonName: String = "alice") throws -> TestPKI {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("widash test CA") }
        let now = Date()
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 60, notValidAfter: now + 3600, issuer: caName, subject: caName,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            },
            issuerPrivateKey: .init(caKey))
        let clientKey = P256.Signing.PrivateKey()
        let client = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(clientKey.publicKey),
            notValidBefore: now - 60, notValidAfter: now + 3600, issuer: caName,
            subject: try DistinguishedName { OrganizationName("system:masters"); CommonName(commonName) },
            extensions: Certificate.Extensions(), issuerPrivateKey: .init(caKey))
        return TestPKI(caPEM: try ca.serializeAsPEM().pemString,
                       clientCertificatePEM: try client.serializeAsPEM().pemString,
                       clientKeyPEM: clientKey.pemRepresentation,
                       otherKeyPEM: P256.Signing.PrivateKey().pemRepresentation)
    }
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

/// An environment with only the given variables and home directory, on the real file system.
func testEnvironment(_ variables: [String: String] = [:], home: String? = nil) -> KubeEnvironment {
    KubeEnvironment(variables: variables, homeDirectory: home)
}

/// A minimal kubeconfig with one cluster, user and context.
func simpleKubeconfig(context: String = "dev", cluster: String = "dev-cluster", user: String = "dev-user",
                      server: String = "https://dev.example:6443", namespace: String? = nil,
                      userBody: String = "    token: dev-token-abcdefghijkl", current: Bool = true,
                      clusterExtra: String = "") -> String {
    """
    apiVersion: v1
    kind: Config
    clusters:
    - name: \(cluster)
      cluster:
        server: \(server)
    \(clusterExtra)
    users:
    - name: \(user)
      user:
    \(userBody)
    contexts:
    - name: \(context)
      context:
        cluster: \(cluster)
        user: \(user)
    \(namespace.map { "    namespace: \($0)" } ?? "")
    \(current ? "current-context: \(context)" : "")

    """
}
