import CCurl

/// Process-wide libcurl setup. `curl_global_init` is not thread-safe: call `initialize()` once at
/// start, before any thread exists (the executable does; transports call it too, harmlessly late).
public enum WidashHTTPRuntime {
    private static let once: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()
    public static func initialize() { _ = once }
}
