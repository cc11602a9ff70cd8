/// The bytes of one upload, read by libcurl in chunks from a worker thread.
final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// The body of one response, bounded so that a misbehaving server cannot fill our memory.
final class ResponseSink {
    private(set) var bytes: [UInt8] = []
    let limit: Int

    init(limit: Int = 1 << 20) { self.limit = limit }

    func append(_ pointer: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count + pointer.count <= limit else { return false }
        bytes.append(contentsOf: pointer)
        return true
    }
}

/// C callbacks for libcurl. They are static members of a nonisolated type in a library target:
/// a closure written in top-level code would inherit main-actor isolation, and Swift 6 traps at
/// run time when libcurl calls it from a worker thread. Per-transfer state arrives through
/// `CURLOPT_READDATA` / `CURLOPT_WRITEDATA` as an unretained pointer that the caller keeps alive.
enum CurlCallbacks {
    typealias Function =
        @convention(c) (
            UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?
        ) -> Int

    /// Copies the next chunk of the upload; 0 tells libcurl the body is complete.
    static let read: Function = { buffer, size, count, userdata in
        guard let buffer, let userdata else { return 0 }
        let source = Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue()
        let n = min(size * count, source.bytes.count - source.offset)
        guard n > 0 else { return 0 }
        source.bytes.withUnsafeBytes { all in
            UnsafeMutableRawPointer(buffer).copyMemory(
                from: all.baseAddress! + source.offset, byteCount: n)
        }
        source.offset += n
        return n
    }

    /// Appends a chunk of the response body.
    static let write: Function = { pointer, size, count, userdata in
        guard let pointer, let userdata else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
        let n = size * count
        // Returning less than n makes libcurl abort the transfer with CURLE_WRITE_ERROR.
        return sink.append(UnsafeRawBufferPointer(start: pointer, count: n)) ? n : 0
    }
}
