import Foundation
import WidashHTTP
import WidashKube

/// The inputs both front ends turn into a `SessionConfiguration`, read the same way for a real
/// cluster and for a sandbox: a kubeconfig (a file, or text held in memory), and how the cloud APIs
/// are reached (host mapping and trust store).
public enum SessionInputs {
    /// A kubeconfig held in memory (the demo sandbox's: it carries a bearer token, so it is never
    /// written to disk), resolved for `context` (nil: its current context).
    public static func kubeconfig(yaml: Data, origin: String, context: String?, namespace: String?) throws -> ResolvedKubeConfig {
        guard let file = try KubeConfigLoader.parse(yaml, path: origin) else {
            throw KubeConfigError.noConfiguration(searched: [origin])
        }
        return try KubeConfigLoader().resolve(MergedKubeConfig(config: file, sources: [origin]),
                                              options: KubeConfigOptions(kubeconfigPath: nil, context: context, namespace: namespace))
    }

    /// The environment variable with host mappings for the cloud APIs, comma-separated (what
    /// `widash sandbox serve --env-out` writes).
    public static let connectToVariable = "WIDASH_CONNECT_TO"

    /// Transport settings for the cloud APIs (Entra, Graph, ARM, AWS, Google):
    /// - `connectTo` (`--connect-to`) and `WIDASH_CONNECT_TO`: curl's `HOST:PORT:ADDR:PORT` entries;
    ///   the URL, Host header and TLS name stay the real ones while the connection goes to ADDR:PORT;
    /// - `SSL_CERT_FILE`: a CA bundle that replaces the system trust store for the cloud APIs, as it
    ///   does for OpenSSL, Python and Go clients (a corporate proxy's CA, or a sandbox's).
    /// The Kubernetes API keeps its kubeconfig's own CA and addresses.
    public static func cloudHTTP(connectTo: [String], environment: [String: String]) throws -> HTTPClientOptions {
        let fromEnvironment = environment[connectToVariable].map { $0.split(separator: ",").map(String.init) } ?? []
        let entries = (connectTo.flatMap { $0.split(separator: ",").map(String.init) } + fromEnvironment)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for entry in entries where !isConnectToEntry(entry) {
            throw SessionError.badArgument("connect-to entry '\(entry)' is not HOST:PORT:ADDRESS:PORT "
                + "(e.g. login.microsoftonline.com:443:127.0.0.1:8443; from --connect-to or \(connectToVariable))")
        }
        var tls = TLSOptions()
        if let caFile = environment["SSL_CERT_FILE"], !caFile.isEmpty {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw SessionError.badArgument("SSL_CERT_FILE names \(caFile), which cannot be read: fix the path or unset it")
            }
            tls.caFile = caFile
        }
        return HTTPClientOptions(tls: tls, connectTo: entries)
    }

    /// curl's CONNECT_TO syntax: `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT`, hosts possibly
    /// bracketed IPv6, ports numbers (either side may be empty, as curl allows).
    static func isConnectToEntry(_ text: String) -> Bool {
        var rest = Substring(text)
        func host() -> Bool {
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return false }
                rest = rest[rest.index(after: close)...]
                return true
            }
            rest = rest.drop { $0 != ":" }
            return true
        }
        func port(last: Bool) -> Bool {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard digits.count <= 5, digits.isEmpty || Int(digits).map({ (1...65_535).contains($0) }) == true else { return false }
            rest = rest.dropFirst(digits.count)
            return last ? rest.isEmpty : true
        }
        func colon() -> Bool {
            guard rest.first == ":" else { return false }
            rest = rest.dropFirst()
            return true
        }
        return host() && colon() && port(last: false) && colon() && host() && colon() && port(last: true)
    }
}
