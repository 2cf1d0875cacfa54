import Foundation
import WidashCloud
import WidashHTTP

/// AWS responses: the Query-protocol XML of STS and IAM (`XMLTree`, `AWSServiceError.parseQuery`,
/// the AssumeRoleWithWebIdentity parser) and, on the same bytes, the rest-json forms (eks-auth).
/// Invariant: a parsed credential's description never shows its secret key or session token.
enum STSXMLFuzz {
    static let url = "https://sts.amazonaws.com/"
    static let requestLine = "POST https://sts.amazonaws.com/"

    /// `WIDASH_FUZZ_SKIP_KNOWN=1` keeps two kinds of body away from Foundation's `XMLParser` on Linux,
    /// so that a long run can look past known crashes (reproducers in Tests/FuzzCorpus/crashes/sts-xml):
    /// a name that is not valid UTF-8 traps (swift-corelibs-foundation issue 5534), and a processing
    /// instruction without data (`<?x?>`) makes it call `strlen(NULL)`.
    static let skipKnownCrashes = ProcessInfo.processInfo.environment["WIDASH_FUZZ_SKIP_KNOWN"] == "1"

    static func knownToCrashXMLParser(_ data: Data) -> Bool {
        guard String(data: data, encoding: .utf8) != nil else { return true }
        // `<?target?>`: a processing instruction with nothing after its target.
        var searchFrom = data.startIndex
        while let open = data[searchFrom...].firstRange(of: Data("<?".utf8)) {
            guard let close = data[open.upperBound...].firstRange(of: Data("?>".utf8)) else { return false }
            if !data[open.upperBound..<close.lowerBound].contains(where: { [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return true }
            searchFrom = close.upperBound
        }
        return false
    }

    static func run(_ data: Data) {
        let reachesXMLParser = !skipKnownCrashes || !knownToCrashXMLParser(data)
        if reachesXMLParser {
            if let tree = XMLTree.parse(data) { walk(tree) }
            if let error = AWSServiceError.parseQuery(service: "sts", status: 400, body: data) { _ = error.description }
        }
        for status in [200, 400] {
            let response = HTTPResponse(status: status, headers: [:], body: data)
            if reachesXMLParser {
                check(try? STSClient.parseAssumeRoleWithWebIdentity(requestLine: requestLine, url: url, response: response))
            }
            check(try? EKSAuthClient.parse(requestLine: requestLine, url: url, response: response))
            if let error = AWSServiceError.parseRestJSON(service: "eks-auth", response: response) { _ = error.description }
        }
    }

    /// Reads every node, as the STS/IAM clients' `find`/`text` lookups do.
    static func walk(_ tree: XMLTree) {
        var pending = [tree]
        var visited = 0
        while let node = pending.popLast(), visited < 10_000 {
            visited += 1
            _ = node.text(node.name)
            _ = node.find("Error/Code")
            pending.append(contentsOf: node.children)
        }
    }

    static func check(_ exchange: AWSExchange<AssumedRoleCredentials>?) {
        guard let exchange else { return }
        switch exchange.result {
        case .failure(let error):
            _ = error.description
        case .success(let assumed):
            let shown = assumed.description + " " + assumed.credentials.description
            let visible = [assumed.credentials.accessKeyID, assumed.assumedRoleARN ?? "", assumed.credentials.source].joined(separator: " ")
            for secret in [assumed.credentials.secretAccessKey, assumed.credentials.sessionToken ?? ""]
            where secret.count >= 12 && !visible.contains(secret) {
                fuzzExpect(!shown.contains(secret), "AWS credentials description shows a secret: \(shown)")
            }
        }
    }
}
