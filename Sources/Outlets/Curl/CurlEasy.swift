import CCurl
import CCurlShim
import Timing

/// One libcurl easy handle. Not thread-safe: it is created, used and cleaned up by exactly one
/// worker thread of a `CurlSessionPool`, which is what lets libcurl keep the connection (SMTP
/// session, HTTP keep-alive, TLS session) alive from one transfer to the next.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    /// The first option libcurl refused since the last `reset()`; `perform()` reports it instead
    /// of running a transfer with half its settings.
    private(set) var setupFailure: CURLcode?
    /// libcurl's detailed error text of the last transfer (CURLOPT_ERRORBUFFER). It may quote the
    /// server's reply, which may echo an address: read it through `errorText` only to classify,
    /// never to log or report.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard CurlGlobal.isReady, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        setErrorBuffer()
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Forgets every option but keeps live connections, the DNS cache and TLS sessions, so each
    /// transfer starts from known settings on a warm connection.
    func reset() {
        curl_easy_reset(handle)
        setupFailure = nil
        setErrorBuffer()
    }

    /// `curl_easy_reset` forgets the error buffer too; the buffer lives as long as the handle.
    private func setErrorBuffer() {
        errorBuffer[0] = 0
        set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    /// The error text libcurl left for the last `perform()` ("MAIL failed: 530", "RCPT failed:
    /// 550", …), empty when it left none. For classification only (see `errorBuffer`).
    var errorText: String {
        errorBuffer[Int(CURL_ERROR_SIZE) - 1] = 0
        return String(cString: errorBuffer)
    }

    /// Bytes of the upload body libcurl sent in the last transfer (SMTP DATA, HTTP POST).
    var uploadedBytes: Int64 {
        var value: curl_off_t = 0
        _ = mimamori_curl_easy_getinfo_off_t(handle, CURLINFO_SIZE_UPLOAD_T, &value)
        return Int64(value)
    }

    func set(_ option: CURLoption, _ value: Int) {
        record(mimamori_curl_easy_setopt_long(handle, option, value))
    }

    func set(_ option: CURLoption, _ value: Bool) {
        set(option, value ? 1 : 0)
    }

    /// libcurl copies string options (except POSTFIELDS, which we never use), so lending the
    /// C string for the duration of the call is enough.
    func set(_ option: CURLoption, _ value: String) {
        record(value.withCString { mimamori_curl_easy_setopt_string(handle, option, $0) })
    }

    func set(_ option: CURLoption, large value: Int64) {
        record(mimamori_curl_easy_setopt_off_t(handle, option, curl_off_t(value)))
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) {
        record(mimamori_curl_easy_setopt_pointer(handle, option, value))
    }

    /// The list must stay alive until the transfer is over; the caller frees it.
    func set(_ option: CURLoption, list value: CurlStringList) {
        record(mimamori_curl_easy_setopt_slist(handle, option, value.pointer))
    }

    func set(mimePost mime: OpaquePointer?) {
        record(mimamori_curl_easy_setopt_mime(handle, CURLOPT_MIMEPOST, mime))
    }

    /// Connect and total timeouts, and no signals: libcurl's default DNS timeout uses SIGALRM,
    /// which is unsafe with several threads.
    func applyCommon(_ timeouts: OutletTimeouts) {
        set(CURLOPT_NOSIGNAL, true)
        // At least 1 ms: a tiny timeout must never mean "no timeout" (0).
        set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(timeouts.connect.milliseconds)))
        set(CURLOPT_TIMEOUT_MS, max(1, Int(timeouts.total.milliseconds)))
    }

    /// Sends `bytes` as the upload body (SMTP DATA, HTTP POST) through `CurlCallbacks.read`.
    /// The source must outlive `perform()`; the caller keeps it in scope.
    func setUpload(_ source: UploadSource) {
        record(mimamori_curl_easy_setopt_read_function(handle, CurlCallbacks.read))
        set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(source).toOpaque())
    }

    /// Collects the response body into `sink` (bounded), which must outlive `perform()`.
    func setResponse(_ sink: ResponseSink) {
        record(mimamori_curl_easy_setopt_write_function(handle, CurlCallbacks.write))
        set(CURLOPT_WRITEDATA, pointer: Unmanaged.passUnretained(sink).toOpaque())
    }

    func perform() -> CURLcode {
        if let setupFailure { return setupFailure }
        errorBuffer[0] = 0
        return curl_easy_perform(handle)
    }

    /// The last SMTP reply code or HTTP status (`CURLINFO_RESPONSE_CODE`), 0 if none arrived.
    var responseCode: Int {
        var code = 0
        _ = mimamori_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func record(_ code: CURLcode) {
        if code != CURLE_OK, setupFailure == nil { setupFailure = code }
    }
}

/// A `curl_slist` owned by Swift: libcurl copies each string on append, and the list is freed
/// when this object goes away, after the transfer that used it.
final class CurlStringList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    init(_ items: [String]) {
        for item in items { pointer = curl_slist_append(pointer, item) }
    }

    deinit { curl_slist_free_all(pointer) }
}
