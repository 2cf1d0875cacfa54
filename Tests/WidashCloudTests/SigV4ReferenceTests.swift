import Foundation
import WidashCore
import XCTest
@testable import WidashCloud

/// The aws-c-auth SigV4 suite (`reference/aws-sigv4/v4`): every case's header-signing outputs.
final class SigV4ReferenceTests: XCTestCase {
    struct Context: Decodable {
        struct Creds: Decodable { var access_key_id: String; var secret_access_key: String; var token: String? }
        var credentials: Creds
        var region: String
        var service: String
        var timestamp: String
        var normalize: Bool
        var sign_body: Bool
        var omit_session_token: Bool?
    }

    /// request.txt: request line, headers (continuation lines start with whitespace), blank line, body.
    static func parseRequest(_ text: String) -> (method: String, path: String, query: String, headers: [(name: String, value: String)], body: Data) {
        var lines = text.components(separatedBy: "\n")
        let first = lines.removeFirst()
        let method = String(first.prefix { $0 != " " })
        var target = String(first.dropFirst(method.count + 1))
        if let r = target.range(of: " HTTP/", options: .backwards) { target = String(target[..<r.lowerBound]) }
        let pathAndQuery = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var headers: [(name: String, value: String)] = []
        var bodyLines: [String] = []
        var inBody = false
        for line in lines {
            if inBody { bodyLines.append(line); continue }
            if line.isEmpty { inBody = true; continue }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        return (method, String(pathAndQuery[0]), pathAndQuery.count > 1 ? String(pathAndQuery[1]) : "",
                headers, Data(bodyLines.joined(separator: "\n").utf8))
    }

    func testEveryHeaderSigningCase() throws {
        let suite = try requireReference("aws-sigv4/v4")
        let cases = try FileManager.default.contentsOfDirectory(atPath: suite.path).sorted()
        var checked = 0
        for name in cases {
            let dir = suite.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("header-signature.txt").path) else { continue }
            let read = { (file: String) throws -> String in try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) }
            let context = try JSONDecoder().decode(Context.self, from: Data(read("context.json").utf8))
            let request = Self.parseRequest(try read("request.txt"))
            guard let date = TokenClock.parseTimestamp(context.timestamp) else { return XCTFail("\(name): bad timestamp") }
            let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: context.credentials.access_key_id,
                                                                 secretAccessKey: context.credentials.secret_access_key,
                                                                 sessionToken: context.credentials.token),
                                     region: context.region, service: context.service,
                                     addContentSHA256Header: context.sign_body,
                                     omitSessionTokenFromSignature: context.omit_session_token ?? false,
                                     normalizePath: context.normalize)
            let result = signer.signature(method: request.method, path: request.path, query: request.query,
                                          headers: request.headers, body: request.body, date: date)
            XCTAssertEqual(result.canonicalRequest, try read("header-canonical-request.txt"), "\(name): canonical request")
            XCTAssertEqual(result.stringToSign, try read("header-string-to-sign.txt"), "\(name): string to sign")
            XCTAssertEqual(result.signature, try read("header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines), "\(name): signature")
            let signed = try read("header-signed-request.txt")
            let expectedAuth = signed.components(separatedBy: "\n").first { $0.hasPrefix("Authorization:") }.map { String($0.dropFirst("Authorization:".count)) }
            XCTAssertEqual(result.authorization, expectedAuth, "\(name): Authorization header")
            // Every header the signer adds appears in the expected signed request with the same value.
            for added in result.addedHeaders {
                XCTAssertTrue(signed.lowercased().contains("\(added.name.lowercased()):\(added.value.lowercased())"), "\(name): \(added.name)")
            }
            checked += 1
        }
        XCTAssertEqual(checked, 38, "all 38 cases of the suite have header-signing files")
    }

    func testWrongSecretChangesSignature() {
        let a = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "x"), region: "us-east-1", service: "service")
        let b = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "y"), region: "us-east-1", service: "service")
        let date = Date(timeIntervalSince1970: 1_440_938_160)
        XCTAssertNotEqual(a.signature(method: "GET", path: "/", query: "", headers: [("Host", "h")], body: Data(), date: date).signature,
                          b.signature(method: "GET", path: "/", query: "", headers: [("Host", "h")], body: Data(), date: date).signature)
    }
}
