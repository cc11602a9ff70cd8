import CCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// libcurl's process-wide setup, done once before the first handle exists.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe; a `static let` initializer runs exactly once, under
    /// the runtime's lock, before any worker thread can create an easy handle.
    ///
    /// SIGPIPE is ignored here because every handle sets `CURLOPT_NOSIGNAL` (required with
    /// threads), and then libcurl no longer masks SIGPIPE itself: a peer closing a TLS connection
    /// mid-write would otherwise kill the daemon.
    static let isReady: Bool = {
        signal(SIGPIPE, SIG_IGN)
        // CURL_GLOBAL_ALL (SSL | WIN32) is a macro expression Swift does not import.
        return curl_global_init(3) == CURLE_OK
    }()
}
