import Foundation

/// Everything one transfer needs, worked out before any thread or libcurl handle exists, so that
/// bad input fails fast and the transfer thread only applies settings.
struct CurlRequestPlan: Sendable {
    var request: HTTPRequest
    var route: RequestRoute
    var proxy: ProxySettings
    var timeouts: HTTPTimeouts
    var tls: TLSOptions
    var userAgent: String
    /// The URL as shown in errors (no query, no user info).
    var displayURL: String
    /// Header lines for `CURLOPT_HTTPHEADER`.
    var headerLines: [String]
    /// The body limit in force: the request's, else `defaultMaxBodyBytes`.
    var maxBodyBytes: Int?

    init(request: HTTPRequest, options: HTTPClientOptions, environment: [String: String],
         defaultMaxBodyBytes: Int? = nil) throws(HTTPError) {
        let route = try RequestRoute.make(url: request.url, serverName: options.tls.serverName,
                                          connectTo: options.connectTo)
        self.request = request
        self.route = route
        self.proxy = ProxySettings.resolve(scheme: route.scheme, explicitProxy: options.proxyURL,
                                           environment: environment)
        self.timeouts = request.timeouts ?? options.timeouts
        self.tls = options.tls
        self.userAgent = options.userAgent
        self.displayURL = redactedURL(request.url)
        self.maxBodyBytes = request.maxBodyBytes ?? defaultMaxBodyBytes
        self.headerLines = try Self.headerLines(for: request, hostHeader: route.hostHeader, url: displayURL)
    }

    var viaProxy: Bool { proxy.appliesTo(host: route.host) }

    private static func headerLines(for request: HTTPRequest, hostHeader: String?, url: String) throws(HTTPError) -> [String] {
        var lines: [String] = []
        var names = Set<String>()
        for (name, value) in request.headers {
            // A line break would let a value smuggle extra headers; refuse rather than send it.
            guard !name.isEmpty, !(name + value).utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }),
                  !name.contains(":") else {
                throw HTTPError.other(url: url, code: 43, detail: "header \"\(name.prefix(40))\" is not a valid header line")
            }
            names.insert(name.lowercased())
            // libcurl sends "Name;" as a header with an empty value ("Name:" would remove it).
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if let hostHeader, !names.contains("host") { lines.append("Host: \(hostHeader)") }
        // libcurl would add "Expect: 100-continue" to larger POSTs and wait for servers that never answer it.
        if !names.contains("expect") { lines.append("Expect:") }
        return lines
    }
}

extension Duration {
    /// Whole milliseconds, never negative.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(0, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// Whole seconds rounded up, at least 1 (libcurl's LOW_SPEED_TIME has second granularity).
    var secondsRoundedUp: Int {
        max(1, (milliseconds + 999) / 1000)
    }
}
