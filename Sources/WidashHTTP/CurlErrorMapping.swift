import CCurl
import Foundation

/// What is known about a failed transfer when it is turned into an `HTTPError`.
struct CurlFailure: Sendable {
    /// The raw `CURLcode` value.
    var code: UInt32
    /// `CURLOPT_ERRORBUFFER` text (may be empty).
    var errorText: String
    /// `CURLINFO_SSL_VERIFYRESULT`: OpenSSL's X509_V_ERR code of the peer verification (0 = ok).
    var verifyResult: Int
    /// The user cancelled (task cancelled or stream consumer gone).
    var cancelled: Bool
    /// The body limit that was exceeded, if the write callback cut the body off.
    var exceededBodyLimit: Int?
    /// Whether the request went through a proxy.
    var viaProxy: Bool
}

/// Maps libcurl failures to `HTTPError`.
///
/// | CURLcode | condition | HTTPError |
/// |---|---|---|
/// | any | cancel flag set | `.cancelled` |
/// | 23 WRITE_ERROR | body limit exceeded | `.bodyTooLarge` |
/// | 1, 3 UNSUPPORTED_PROTOCOL, URL_MALFORMAT | | `.invalidURL` |
/// | 5 COULDNT_RESOLVE_PROXY, 97 PROXY | | `.proxy` |
/// | 6 COULDNT_RESOLVE_HOST | | `.dnsFailure` |
/// | 7 COULDNT_CONNECT | via a proxy | `.proxy` |
/// | 7 COULDNT_CONNECT | direct | `.connectionRefused` |
/// | 28 OPERATION_TIMEDOUT | (connect, total or low-speed) | `.timeout` |
/// | 47 TOO_MANY_REDIRECTS | | `.tooManyRedirects` |
/// | 60 PEER_FAILED_VERIFICATION | X509 9/10 or "expired"/"not yet valid" | `.tlsCertificateExpired` |
/// | 60 | X509 2/18/19/20/21 or "issuer"/"self-signed" | `.tlsUnknownCA` |
/// | 60 | "subject name"/"host name" (libcurl's own name check) | `.tlsHostnameMismatch` |
/// | 35, 55, 56 | a TLS alert about a certificate from the server (certificate required, bad/unknown certificate, unknown ca, …) | `.tlsClientCertificateRejected` |
/// | 35 SSL_CONNECT_ERROR, 58 SSL_CERTPROBLEM, 59, 64, 66, 77, 80, 83, 90, 91 and other 60s | | `.tls` |
/// | 35/55/56 | "CONNECT tunnel"/"proxy" in the text | `.proxy` |
/// | other | | `.other` |
enum CurlErrorMapping {
    static func map(_ failure: CurlFailure, url: String, host: String) -> HTTPError {
        if failure.cancelled { return .cancelled(url: url) }
        if let limit = failure.exceededBodyLimit { return .bodyTooLarge(url: url, limit: limit) }
        let detail = oneLine(failure.errorText, code: failure.code)
        let text = detail.lowercased()
        let code = CURLcode(rawValue: failure.code)

        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidURL(url)
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY:
            return .proxy(url: url, detail: detail)
        case CURLE_COULDNT_RESOLVE_HOST:
            return .dnsFailure(host: host, detail: detail)
        case CURLE_COULDNT_CONNECT:
            return failure.viaProxy ? .proxy(url: url, detail: detail) : .connectionRefused(url: url, detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(url: url, detail: detail)
        case CURLE_TOO_MANY_REDIRECTS:
            return .tooManyRedirects(url: url)
        case CURLE_PEER_FAILED_VERIFICATION:
            return peerVerificationError(verifyResult: failure.verifyResult, text: text, url: url, detail: detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            if failure.viaProxy && (text.contains("connect tunnel") || text.contains("proxy")) {
                return .proxy(url: url, detail: detail)
            }
            if isClientCertificateAlert(text) { return .tlsClientCertificateRejected(url: url, detail: detail) }
            if code == CURLE_SSL_CONNECT_ERROR { return .tls(url: url, detail: detail) }
            return .other(url: url, code: Int(failure.code), detail: detail)
        case CURLE_SSL_CERTPROBLEM:
            return .tls(url: url, detail: "cannot use the client certificate or key (\(detail)); check that they are PEM and belong together")
        case CURLE_SSL_CACERT_BADFILE:
            return .tls(url: url, detail: "cannot load the certificate authority (\(detail)); check certificate-authority(-data)")
        case CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED:
            return .tls(url: url, detail: detail)
        default:
            if failure.viaProxy && text.contains("connect tunnel") { return .proxy(url: url, detail: detail) }
            return .other(url: url, code: Int(failure.code), detail: detail)
        }
    }

    /// OpenSSL X509_V_ERR codes that mean "no path to a trusted root".
    private static let unknownIssuerResults: Set<Int> = [2, 18, 19, 20, 21]
    /// X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED.
    private static let validityResults: Set<Int> = [9, 10]
    /// X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH.
    private static let nameResults: Set<Int> = [62, 64]

    private static func peerVerificationError(verifyResult: Int, text: String, url: String, detail: String) -> HTTPError {
        if validityResults.contains(verifyResult) || text.contains("expired") || text.contains("not yet valid") {
            return .tlsCertificateExpired(url: url, detail: detail)
        }
        if nameResults.contains(verifyResult) || text.contains("subject name") || text.contains("host name")
            || text.contains("hostname") {
            return .tlsHostnameMismatch(url: url, detail: detail)
        }
        if unknownIssuerResults.contains(verifyResult) || text.contains("issuer") || text.contains("self-signed")
            || text.contains("self signed") || text.contains("unable to verify") {
            return .tlsUnknownCA(url: url, detail: detail)
        }
        return .tls(url: url, detail: detail)
    }

    /// TLS alerts a server sends when it does not accept the client's certificate (or its absence).
    /// OpenSSL spells them "tlsv13 alert certificate required", "sslv3 alert bad certificate", "tlsv1 alert unknown ca".
    private static func isClientCertificateAlert(_ text: String) -> Bool {
        guard text.contains("alert") else { return false }
        let reasons = ["certificate required", "bad certificate", "unknown ca", "certificate unknown",
                       "certificate expired", "certificate revoked", "unsupported certificate", "access denied"]
        return reasons.contains { text.contains($0) }
    }

    /// The error buffer as one trimmed line, or libcurl's generic text for the code when it is empty.
    static func oneLine(_ text: String, code: UInt32) -> String {
        var line = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ").trimmed
        if line.isEmpty, let generic = curl_easy_strerror(CURLcode(rawValue: code)) {
            line = String(cString: generic)
        }
        if line.count > 300 { line = String(line.prefix(300)) + "…" }
        return line
    }
}
