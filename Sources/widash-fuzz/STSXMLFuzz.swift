import Foundation
import WidashCloud
import WidashHTTP

/// AWS responses: the Query-protocol XML of STS and IAM (`XMLTree`, `AWSServiceError.parseQuery`,
/// the AssumeRoleWithWebIdentity parser) and, on the same bytes, the rest-json forms (eks-auth).
/// Invariant: a parsed credential's description never shows its secret key or session token.
enum STSXMLFuzz {
    static let url = "https://sts.amazonaws.com/"
    static let requestLine = "POST https://sts.amazonaws.com/"

    /// Bodies that crashed Foundation's `XMLParser` on Linux (a name that is not UTF-8, a processing
    /// instruction without data) are refused by `XMLTree.parse` before the parser sees them; their
    /// reproducers are seeds in Tests/FuzzCorpus/sts-xml (`xmlparser-*`), so every run re-checks that.
    static func run(_ data: Data) {
        if let tree = XMLTree.parse(data) { walk(tree) }
        if let error = AWSServiceError.parseQuery(service: "sts", status: 400, body: data) { _ = error.description }
        for status in [200, 400] {
            let response = HTTPResponse(status: status, headers: [:], body: data)
            check(try? STSClient.parseAssumeRoleWithWebIdentity(requestLine: requestLine, url: url, response: response))
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
