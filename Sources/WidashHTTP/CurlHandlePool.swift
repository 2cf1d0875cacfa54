import CCurl
import Foundation

/// Idle libcurl handles of one transport, kept so that the next request reuses their open
/// connections (TCP and TLS, with the CA parsed once) instead of opening one each: a trust audit
/// sends thousands of reads to a few hosts, and a new TLS connection costs more than the read.
///
/// A pair is an easy handle and the multi handle it is driven by; with the multi interface the
/// connection cache lives in the multi handle, so the two are kept together. A pair is used by one
/// transfer thread at a time (libcurl's rule), taken and given back under the lock. Only completed
/// `send` transfers give their pair back; streams (watches) and failed or cancelled transfers free
/// theirs. `curl_easy_reset` clears every option before a pair goes idle (it keeps connections and
/// the TLS session cache), so no pointer set for one request outlives it.
final class CurlHandlePool: @unchecked Sendable {
    struct Pair: @unchecked Sendable {
        let easy: UnsafeMutableRawPointer
        let multi: UnsafeMutableRawPointer
    }

    // Safety: `idle` is only touched while `lock` is held.
    private let lock = NSLock()
    private var idle: [Pair] = []
    private let limit: Int

    /// - Parameter limit: idle pairs kept at most (each may hold an open connection).
    init(limit: Int = 32) { self.limit = limit }

    /// An idle pair, or a new one; nil when libcurl cannot make handles.
    func take() -> Pair? {
        lock.withLock { idle.popLast() } ?? Self.newPair()
    }

    /// Fresh handles (no connection yet); nil when libcurl cannot make them.
    static func newPair() -> Pair? {
        guard let easy = curl_easy_init() else { return nil }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(easy)
            return nil
        }
        return Pair(easy: easy, multi: multi)
    }

    /// Takes back a pair whose transfer completed and whose easy handle is no longer in its multi.
    func give(_ pair: Pair) {
        curl_easy_reset(pair.easy)
        let kept = lock.withLock { () -> Bool in
            guard idle.count < limit else { return false }
            idle.append(pair)
            return true
        }
        if !kept { Self.free(pair) }
    }

    static func free(_ pair: Pair) {
        curl_easy_cleanup(pair.easy)
        _ = curl_multi_cleanup(pair.multi)
    }

    deinit {
        for pair in idle { Self.free(pair) }
    }
}
