import CCurl
import Foundation

/// `curl_slist`s owned by one transfer; libcurl keeps pointers to them until the handle is cleaned up.
final class CurlStringLists {
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    /// Builds a list; `nil` for an empty one (or when libcurl is out of memory).
    func make(_ lines: [String]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                return nil
            }
            list = appended
        }
        if let list { lists.append(list) }
        return list
    }

    /// Call only after `curl_easy_cleanup`.
    func freeAll() {
        for list in lists { curl_slist_free_all(list) }
        lists.removeAll()
    }
}

/// Applies a `CurlRequestPlan` to a fresh easy handle (everything except the callbacks).
struct CurlHandleSetup {
    let easy: UnsafeMutableRawPointer
    let plan: CurlRequestPlan
    let lists: CurlStringLists

    func apply() throws(HTTPError) {
        try set(CURLOPT_URL, plan.route.curlURL)
        try set(CURLOPT_NOSIGNAL, 1)  // signals and threads do not mix
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 1)
        try set(CURLOPT_MAXREDIRS, 10)
        try set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        try set(CURLOPT_ACCEPT_ENCODING, "")  // every encoding libcurl can decode; bodies arrive decoded
        try set(CURLOPT_USERAGENT, plan.userAgent)
        try set(CURLOPT_TCP_KEEPALIVE, 1)  // long watch streams through NATs and load balancers
        try set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)  // the proxy's CONNECT reply is not the response
        try applyMethodAndBody()
        try applyHeaders()
        try applyTimeouts()
        try applyProxy()
        try applyTLS()
        if !plan.route.connectTo.isEmpty {
            try setList(CURLOPT_CONNECT_TO, plan.route.connectTo)
        }
        if plan.request.capturesCertificateChain {
            try set(CURLOPT_CERTINFO, 1)
            // The chain is only seen in a handshake: never answer this from a reused connection.
            try set(CURLOPT_FRESH_CONNECT, 1)
        }
    }

    private func applyMethodAndBody() throws(HTTPError) {
        let method = plan.request.method.uppercased()
        if plan.request.body != nil || method == "POST" {
            let body = plan.request.body ?? Data()
            try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
            // COPYPOSTFIELDS copies the bytes now, so the Data need not outlive this call.
            let code = body.withUnsafeBytes { raw -> CURLcode in
                if let base = raw.baseAddress, raw.count > 0 {
                    return widash_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                }
                return widash_curl_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            }
            try check(code, "request body")
            if method != "POST" { try set(CURLOPT_CUSTOMREQUEST, method) }
            return
        }
        switch method {
        case "GET": try set(CURLOPT_HTTPGET, 1)
        case "HEAD": try set(CURLOPT_NOBODY, 1)
        default: try set(CURLOPT_CUSTOMREQUEST, method)
        }
    }

    private func applyHeaders() throws(HTTPError) {
        try setList(CURLOPT_HTTPHEADER, plan.headerLines)
    }

    private func applyTimeouts() throws(HTTPError) {
        let timeouts = plan.timeouts
        try set(CURLOPT_CONNECTTIMEOUT_MS, max(1, timeouts.connect.milliseconds))
        try set(CURLOPT_TIMEOUT_MS, timeouts.total.map { max(1, $0.milliseconds) } ?? 0)
        if timeouts.lowSpeedBytes > 0 {
            try set(CURLOPT_LOW_SPEED_LIMIT, timeouts.lowSpeedBytes)
            try set(CURLOPT_LOW_SPEED_TIME, timeouts.lowSpeedTime.secondsRoundedUp)
        }
    }

    private func applyProxy() throws(HTTPError) {
        // Always explicit: an empty CURLOPT_PROXY stops libcurl from reading the environment itself.
        try set(CURLOPT_PROXY, plan.proxy.proxy)
        try set(CURLOPT_NOPROXY, plan.proxy.noProxy)
    }

    private func applyTLS() throws(HTTPError) {
        let tls = plan.tls
        try set(CURLOPT_SSL_VERIFYPEER, tls.insecureSkipVerify ? 0 : 1)
        try set(CURLOPT_SSL_VERIFYHOST, tls.insecureSkipVerify ? 0 : 2)
        if let ca = tls.caPEM {
            try setBlob(CURLOPT_CAINFO_BLOB, ca, "certificate-authority-data")
        } else if let file = tls.caFile {
            try set(CURLOPT_CAINFO, file)
        }
        if tls.caPEM != nil || tls.caFile != nil {
            // Like client-go: a configured CA replaces the system trust store rather than adding to it.
            try check(widash_curl_setopt_string(easy, CURLOPT_CAPATH, nil), "CAPATH")
        }
        if let certificate = tls.clientCertificatePEM {
            try setBlob(CURLOPT_SSLCERT_BLOB, certificate, "client-certificate-data")
            try set(CURLOPT_SSLCERTTYPE, "PEM")
        } else if let file = tls.clientCertificateFile {
            try set(CURLOPT_SSLCERT, file)
            try set(CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let key = tls.clientKeyPEM {
            try setBlob(CURLOPT_SSLKEY_BLOB, key, "client-key-data")
            try set(CURLOPT_SSLKEYTYPE, "PEM")
        } else if let file = tls.clientKeyFile {
            try set(CURLOPT_SSLKEY, file)
            try set(CURLOPT_SSLKEYTYPE, "PEM")
        }
    }

    // MARK: typed setters

    func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(widash_curl_setopt_long(easy, option, value), "option \(option.rawValue)")
    }

    func set(_ option: CURLoption, _ value: String) throws(HTTPError) {
        try check(widash_curl_setopt_string(easy, option, value), "option \(option.rawValue)")
    }

    func set(_ option: CURLoption, offset value: curl_off_t) throws(HTTPError) {
        try check(widash_curl_setopt_off(easy, option, value), "option \(option.rawValue)")
    }

    private func setList(_ option: CURLoption, _ lines: [String]) throws(HTTPError) {
        guard let list = lists.make(lines) else {
            throw HTTPError.other(url: plan.displayURL, code: Int(CURLE_OUT_OF_MEMORY.rawValue), detail: "out of memory building a header list")
        }
        try check(widash_curl_setopt_slist(easy, option, list), "option \(option.rawValue)")
    }

    /// Hands PEM bytes to libcurl in memory; CURL_BLOB_COPY makes libcurl keep its own copy.
    private func setBlob(_ option: CURLoption, _ data: Data, _ what: String) throws(HTTPError) {
        let code = data.withUnsafeBytes { raw -> CURLcode in
            guard let base = raw.baseAddress, raw.count > 0 else { return CURLE_BAD_FUNCTION_ARGUMENT }
            var blob = curl_blob(data: UnsafeMutableRawPointer(mutating: base), len: raw.count,
                                 flags: UInt32(CURL_BLOB_COPY))
            return widash_curl_setopt_blob(easy, option, &blob)
        }
        if code == CURLE_BAD_FUNCTION_ARGUMENT {
            throw HTTPError.tls(url: plan.displayURL, detail: "\(what) is empty; check the kubeconfig")
        }
        try check(code, what)
    }

    func check(_ code: CURLcode, _ what: String) throws(HTTPError) {
        guard code != CURLE_OK else { return }
        let text = curl_easy_strerror(code).map { String(cString: $0) } ?? "error"
        throw HTTPError.other(url: plan.displayURL, code: Int(code.rawValue),
                              detail: "libcurl rejected \(what): \(text); is libcurl (OpenSSL flavour) recent enough?")
    }
}
