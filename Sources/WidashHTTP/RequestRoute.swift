import Foundation

/// Where a request's URL points, where its TCP connection really goes, and which name TLS verifies.
///
/// libcurl (OpenSSL flavour) has no option to verify a certificate against a name other than the URL's
/// host. kubeconfig's `tls-server-name` asks for exactly that, so widash does what Go's client does on
/// the wire: the URL handed to libcurl carries the server name (hence SNI and verification use it), a
/// `CONNECT_TO` entry sends the connection to the real host and port, and a `Host` header keeps the
/// original authority. Example: `https://10.0.0.1:6443/api` with server name `kubernetes` becomes URL
/// `https://kubernetes:6443/api`, `CONNECT_TO kubernetes:6443:10.0.0.1:6443`, `Host: 10.0.0.1:6443`.
struct RequestRoute: Sendable, Equatable {
    /// `http` or `https`, lower-cased.
    var scheme: String
    /// The host of the request URL as given (for messages and proxy matching).
    var host: String
    /// The URL handed to libcurl.
    var curlURL: String
    /// `CURLOPT_CONNECT_TO` entries, the server-name entry (if any) first.
    var connectTo: [String]
    /// The `Host` header to send when the URL was rewritten for a server name.
    var hostHeader: String?

    static func make(url: String, serverName: String?, connectTo: [String]) throws(HTTPError) -> RequestRoute {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let rawHost = components.host, !rawHost.isEmpty
        else { throw HTTPError.invalidURL(redactedURL(url)) }
        let host = rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))

        guard let name = serverName?.trimmed, !name.isEmpty, name.lowercased() != host.lowercased() else {
            return RequestRoute(scheme: scheme, host: host, curlURL: url, connectTo: connectTo, hostHeader: nil)
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        // Honour a user CONNECT_TO for the real host: libcurl applies only one entry per connection.
        var target = (host: host, port: port)
        for entry in connectTo {
            guard let parsed = ConnectToEntry(entry) else { continue }
            if parsed.matches(host: host, port: port) {
                target = (parsed.toHost.isEmpty ? host : parsed.toHost, parsed.toPort ?? port)
                break
            }
        }
        var rewritten = components
        rewritten.host = name
        guard let curlURL = rewritten.string else { throw HTTPError.invalidURL(redactedURL(url)) }
        let entry = "\(name):\(port):\(bracketed(target.host)):\(target.port)"
        let authority = components.port.map { "\(bracketed(host)):\($0)" } ?? bracketed(host)
        return RequestRoute(scheme: scheme, host: host, curlURL: curlURL, connectTo: [entry] + connectTo,
                            hostHeader: authority)
    }
}

/// One `HOST:PORT:CONNECT-HOST:CONNECT-PORT` entry; empty HOST or PORT match any, IPv6 in brackets.
struct ConnectToEntry: Equatable {
    var host: String
    var port: Int?
    var toHost: String
    var toPort: Int?

    init(host: String, port: Int?, toHost: String, toPort: Int?) {
        self.host = host
        self.port = port
        self.toHost = toHost
        self.toPort = toPort
    }

    init?(_ text: String) {
        var fields: [String] = []
        var current = ""
        var inBrackets = false
        for character in text {
            switch character {
            case "[": inBrackets = true
            case "]": inBrackets = false
            case ":" where !inBrackets:
                fields.append(current)
                current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        guard fields.count == 4 else { return nil }
        host = fields[0]
        port = Int(fields[1])
        toHost = fields[2]
        toPort = Int(fields[3])
        if !fields[1].isEmpty && port == nil { return nil }
    }

    func matches(host other: String, port otherPort: Int) -> Bool {
        (host.isEmpty || host.lowercased() == other.lowercased()) && (port == nil || port == otherPort)
    }
}

/// IPv6 literals need brackets wherever a port may follow.
func bracketed(_ host: String) -> String {
    host.contains(":") ? "[\(host)]" : host
}

/// A URL safe to show in messages: no user info, no query (SAS tokens and signed URLs live there), no fragment.
func redactedURL(_ url: String) -> String {
    var text = Substring(url)
    if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<cut] }
    if let schemeEnd = text.range(of: "://") {
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@") {
            text = text[..<schemeEnd.upperBound] + rest[rest.index(after: at)...]
        }
    }
    return String(text)
}
