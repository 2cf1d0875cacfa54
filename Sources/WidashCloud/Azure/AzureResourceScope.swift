import Foundation

/// Which Entra resource (scope) a data-plane URL needs, and how to call it as a test.
public enum AzureResourceKind: String, Sendable, Hashable {
    case keyVault, blob, cosmos, serviceBus, arm, other

    public init(host: String) {
        let h = host.lowercased()
        if h.hasSuffix(".vault.azure.net") { self = .keyVault }
        else if h.hasSuffix(".blob.core.windows.net") { self = .blob }
        else if h.hasSuffix(".documents.azure.com") { self = .cosmos }
        else if h.hasSuffix(".servicebus.windows.net") { self = .serviceBus }
        else if h == "management.azure.com" { self = .arm }
        else { self = .other }
    }

    /// The `.default` scope for the resource, as the Azure SDKs request it.
    public func scope(host: String, scheme: String = "https") -> String {
        switch self {
        case .keyVault: return "https://vault.azure.net/.default"
        case .blob: return "https://storage.azure.com/.default"
        case .cosmos: return "https://cosmos.azure.com/.default"
        case .serviceBus: return "https://servicebus.azure.net/.default"
        case .arm: return "https://management.azure.com/.default"
        case .other: return "\(scheme)://\(host)/.default"
        }
    }
}

/// A test call against an Azure resource with an access token: the request the service's own SDK
/// would make for a harmless read (or, for Service Bus, a send to the queue the user named).
public enum AzureResourceRequest {
    public static let armSubscriptionsPath = "/subscriptions?api-version=2022-12-01"

    public static func build(url: String, accessToken: String, now: Date = Date()) -> HTTPRequestSpec? {
        guard var c = URLComponents(string: url), let host = c.host else { return nil }
        let kind = AzureResourceKind(host: host)
        var method = "GET"
        var headers: [(String, String)] = [("Authorization", "Bearer \(accessToken)"), ("Accept", "application/json")]
        var body: Data?
        let path = c.percentEncodedPath
        switch kind {
        case .keyVault:
            if path.isEmpty || path == "/" { c.percentEncodedPath = "/secrets" }
            if !(c.percentEncodedQuery ?? "").contains("api-version=") {
                c.percentEncodedQuery = [c.percentEncodedQuery, "api-version=7.4"].compactMap { $0 }.joined(separator: "&")
            }
        case .blob:
            headers += [("x-ms-version", "2021-08-06"), ("x-ms-date", rfc1123(now))]
            if path.isEmpty || path == "/" { c.percentEncodedPath = "/"; c.percentEncodedQuery = c.percentEncodedQuery ?? "comp=list" }
            else if c.percentEncodedQuery == nil && path.split(separator: "/").count == 1 { c.percentEncodedQuery = "restype=container&comp=list" }
        case .cosmos:
            // Cosmos DB takes the Entra token in its own header form, URL-encoded as a whole.
            headers = [("Authorization", FormEncoding.escape("type=aad&ver=1.0&sig=\(accessToken)")),
                       ("x-ms-version", "2018-12-31"), ("x-ms-date", rfc1123(now)), ("Accept", "application/json")]
            if path.isEmpty || path == "/" { c.percentEncodedPath = "/dbs" }
        case .serviceBus:
            method = "POST"
            var p = path
            while p.hasSuffix("/") { p.removeLast() }
            if !p.hasSuffix("/messages") { p += "/messages" }
            c.percentEncodedPath = p
            headers.append(("Content-Type", "application/atom+xml;type=entry;charset=utf-8"))
            body = Data("widash trace probe".utf8)
        case .arm:
            if path.isEmpty || path == "/" { return build(url: "https://\(host)\(armSubscriptionsPath)", accessToken: accessToken, now: now) }
        case .other:
            break
        }
        guard let final = c.string else { return nil }
        return HTTPRequestSpec(method: method, url: final, headers: headers, body: body, scope: kind.scope(host: host, scheme: c.scheme ?? "https"), kind: kind)
    }

    static func rfc1123(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: date)
    }
}

/// A request to make, with the scope its token needs.
public struct HTTPRequestSpec: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Data?
    public var scope: String
    public var kind: AzureResourceKind
}
