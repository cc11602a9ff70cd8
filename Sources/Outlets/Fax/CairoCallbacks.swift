internal import CPangoCairo

/// Bytes written by cairo's PDF surface, collected in memory so the caller decides where the
/// file goes (atomically) — cairo never writes a half-finished PDF to disk.
final class ByteSink {
    var bytes: [UInt8] = []
}

/// Bytes cairo reads a PNG photo from.
final class ByteSource {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// C callbacks for cairo, static members of a nonisolated type (see `CurlCallbacks`).
enum CairoCallbacks {
    static let write: cairo_write_func_t = { closure, data, length in
        guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
        let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
        return CAIRO_STATUS_SUCCESS
    }

    static let read: cairo_read_func_t = { closure, data, length in
        guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
        let source = Unmanaged<ByteSource>.fromOpaque(closure).takeUnretainedValue()
        let n = Int(length)
        guard source.offset + n <= source.bytes.count else { return CAIRO_STATUS_READ_ERROR }
        source.bytes.withUnsafeBufferPointer { all in
            data.update(from: all.baseAddress! + source.offset, count: n)
        }
        source.offset += n
        return CAIRO_STATUS_SUCCESS
    }
}
