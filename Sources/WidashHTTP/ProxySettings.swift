import Foundation

/// The proxy a request goes through, resolved by widash itself rather than by libcurl.
///
/// Why not let libcurl read the environment: libcurl honours only the lower-case `http_proxy` (a CGI
/// safety rule), while kubectl (Go's `httpproxy.FromEnvironment`) reads `HTTPS_PROXY`/`https_proxy`,
/// `HTTP_PROXY`/`http_proxy` and `NO_PROXY`/`no_proxy`, upper case first. widash follows kubectl and
/// always hands libcurl an explicit `CURLOPT_PROXY` (empty = no proxy) and `CURLOPT_NOPROXY`.
public struct ProxySettings: Sendable, Equatable {
    /// The proxy URL given to `CURLOPT_PROXY`; empty for a direct connection.
    public var proxy: String
    /// The exclusion list given to `CURLOPT_NOPROXY` (comma separated, `*` for all).
    public var noProxy: String

    public init(proxy: String, noProxy: String) {
        self.proxy = proxy
        self.noProxy = noProxy
    }

    /// Resolves the proxy for a URL scheme.
    /// - Parameters:
    ///   - scheme: `http` or `https` (of the request URL).
    ///   - explicitProxy: kubeconfig `proxy-url`; when set it wins and `NO_PROXY` does not apply (as in client-go).
    ///   - environment: the process environment (injected so tests need not mutate the real one).
    public static func resolve(scheme: String, explicitProxy: String?, environment: [String: String]) -> ProxySettings {
        if let explicit = explicitProxy?.trimmed, !explicit.isEmpty {
            return ProxySettings(proxy: explicit, noProxy: "")
        }
        let names = scheme.lowercased() == "https" ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"]
        let proxy = firstValue(names, in: environment) ?? ""
        let noProxy = (firstValue(["NO_PROXY", "no_proxy"], in: environment) ?? "")
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: ",")
        return ProxySettings(proxy: proxy, noProxy: proxy.isEmpty ? "" : noProxy)
    }

    /// Whether a request to `host` goes through the proxy. Mirrors libcurl's `NO_PROXY` matching closely
    /// enough to classify errors (a refused connection to the proxy is a proxy error, not the server's).
    public func appliesTo(host: String) -> Bool {
        guard !proxy.isEmpty else { return false }
        let target = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        for rawEntry in noProxy.split(separator: ",") {
            var entry = rawEntry.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " []"))
            if entry == "*" { return false }
            if entry.hasPrefix(".") { entry.removeFirst() }
            if entry.isEmpty { continue }
            if target == entry || target.hasSuffix("." + entry) { return false }
        }
        return true
    }

    /// The proxy's host name, for messages.
    var proxyHost: String? {
        let withScheme = proxy.contains("://") ? proxy : "http://" + proxy
        return URLComponents(string: withScheme)?.host
    }

    private static func firstValue(_ names: [String], in environment: [String: String]) -> String? {
        for name in names {
            if let value = environment[name]?.trimmed, !value.isEmpty { return value }
        }
        return nil
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
