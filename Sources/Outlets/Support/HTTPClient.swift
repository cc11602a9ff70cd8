import CCurl
import Foundation

/// A POST to an HTTP endpoint (fax API, radio gateway) through libcurl, on dedicated session
/// threads that keep connections alive between requests.
final class HTTPClient: Sendable {
    struct Part: Sendable {
        var name: String
        var bytes: [UInt8]
        var filename: String?
        var contentType: String?
    }

    enum Body: Sendable {
        case bytes([UInt8], contentType: String)
        /// multipart/form-data built by libcurl's mime API (boundary and encoding are its job).
        case multipart([Part])
    }

    struct Request: Sendable {
        var url: String
        var headers: [String] = []
        var body: Body
        var timeouts: OutletTimeouts
        var caFile: String?
    }

    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    private let pool: CurlSessionPool

    init(sessions: Int, name: String) {
        pool = CurlSessionPool(sessions: sessions, name: name)
    }

    func post(_ request: Request, hint: String) async -> Result<Response, OutletError> {
        let outcome = await pool.run { easy in Self.perform(easy, request, hint: hint) }
        return outcome
            ?? .failure(
                OutletError(
                    code: .shutDown, isRetriable: true, message: "outlet is shut down",
                    operatorHint: "the daemon is stopping; the delivery resumes after restart"))
    }

    func shutdown() async { await pool.shutdown() }

    private static func perform(_ easy: CurlEasy, _ request: Request, hint: String) -> Result<Response, OutletError> {
        easy.applyCommon(request.timeouts)
        easy.set(CURLOPT_URL, request.url)
        // Only http and https: a settings typo must not turn into file:// or another protocol.
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        if let caFile = request.caFile { easy.set(CURLOPT_CAINFO, caFile) }
        easy.set(CURLOPT_POST, true)
        // No "Expect: 100-continue" round trip (a one-second stall with servers that ignore it).
        var headers = request.headers + ["Expect:"]
        let sink = ResponseSink()
        easy.setResponse(sink)
        var source: UploadSource?
        var mime: OpaquePointer?
        defer { if let mime { curl_mime_free(mime) } }
        switch request.body {
        case .bytes(let bytes, let contentType):
            headers.append("Content-Type: \(contentType)")
            let upload = UploadSource(bytes)
            source = upload
            easy.setUpload(upload)
            easy.set(CURLOPT_POSTFIELDSIZE_LARGE, large: Int64(bytes.count))
        case .multipart(let parts):
            mime = curl_mime_init(easy.handle)
            for part in parts {
                let handle = curl_mime_addpart(mime)
                curl_mime_name(handle, part.name)
                // curl_mime_data copies the bytes.
                part.bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) {
                        _ = curl_mime_data(handle, $0.baseAddress, $0.count)
                    }
                }
                if let filename = part.filename { curl_mime_filename(handle, filename) }
                if let contentType = part.contentType { curl_mime_type(handle, contentType) }
            }
            easy.set(mimePost: mime)
        }
        let list = CurlStringList(headers)
        easy.set(CURLOPT_HTTPHEADER, list: list)
        let result = withExtendedLifetime((sink, source, list)) { easy.perform() }
        guard result == CURLE_OK else {
            return .failure(SMTPTransfer.curlFailure(result, reply: 0, hint: hint))
        }
        let status = easy.responseCode
        if let error = classify(status: status, hint: hint) { return .failure(error) }
        return .success(Response(status: status, body: sink.bytes))
    }

    /// 2xx: done. Otherwise who the answer concerns:
    ///
    /// - 401, 403, 407: the token or account (the channel): every request would be refused alike.
    /// - 408, 429, 5xx: the server is busy or failing (the channel).
    /// - 3xx, 404, 405, 410: the configured URL is wrong (the channel; we never follow redirects).
    /// - 413, 415: the document itself (the message).
    /// - other 4xx (400, 422, …): this request, i.e. the number or fields of this recipient.
    ///
    /// Channel faults are retriable: the dispatcher pauses the channel and probes, instead of
    /// failing every recipient after one attempt.
    static func classify(status: Int, hint: String) -> OutletError? {
        switch status {
        case 200..<300:
            return nil
        case 401, 403, 407:
            return OutletError(
                code: .authenticationFailed, isRetriable: true, message: "server answered \(status)",
                operatorHint: "the token was refused; check the credential. " + hint,
                httpStatus: status, scope: .channel)
        case 408, 429, 500..<600:
            return OutletError(
                code: .httpStatus, isRetriable: true, message: "server answered \(status)",
                operatorHint: "the server is busy or failing; retries continue. " + hint,
                httpStatus: status, scope: .channel)
        case 300..<400, 404, 405, 410:
            return OutletError(
                code: .configuration, isRetriable: true, message: "server answered \(status)",
                operatorHint: "the URL does not take our requests; " + hint,
                httpStatus: status, scope: .channel)
        case 413, 415:
            return OutletError(
                code: .httpStatus, isRetriable: false, message: "server answered \(status)",
                operatorHint: "the server refused the document (size or type); " + hint,
                httpStatus: status, scope: .message)
        default:
            return OutletError(
                code: .httpStatus, isRetriable: false, message: "server answered \(status)",
                operatorHint: "the server refused the request for this recipient (number or fields); " + hint,
                httpStatus: status, scope: .recipient)
        }
    }
}
