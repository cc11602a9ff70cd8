internal import CPangoCairo
import Foundation

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

/// One PDF drawn with cairo into memory: the surface, its metadata, the context, and the one
/// way a failure is told. `draw` lays the pages out and answers how many characters the font
/// had no glyph for (a notice with empty boxes must not go out).
enum CairoPDF {
    struct Settings {
        var width: Double
        var height: Double
        /// PDF 1.4, for the oldest FAX gateways' converters.
        var version14 = false
        var created: Date?
        var title: String?
        /// What the operator should do when it fails for another reason than a missing glyph.
        var failureHint: String
        /// Where a font with Japanese glyphs comes from.
        var fontHint = "install fonts-ipaexfont-gothic"
    }

    static func render(_ settings: Settings, draw: (OpaquePointer) -> Int) throws(OutletError) -> Data {
        let sink = ByteSink()
        let status: cairo_status_t = withExtendedLifetime(sink) {
            guard
                let surface = cairo_pdf_surface_create_for_stream(
                    CairoCallbacks.write, Unmanaged.passUnretained(sink).toOpaque(), settings.width, settings.height)
            else { return CAIRO_STATUS_NO_MEMORY }
            if settings.version14 { cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_4) }
            if let created = settings.created {
                cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, pdfDate(created))
            }
            if let title = settings.title { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
            let cr = cairo_create(surface)!
            let missing = draw(cr)
            cairo_destroy(cr)
            cairo_surface_finish(surface)
            let status = cairo_surface_status(surface)
            cairo_surface_destroy(surface)
            return missing > 0 ? CAIRO_STATUS_INVALID_STRING : status
        }
        guard status == CAIRO_STATUS_SUCCESS else {
            let missing = status == CAIRO_STATUS_INVALID_STRING
            throw OutletError(
                code: .renderingFailed, isRetriable: false,
                message: missing ? "the font has no glyphs for some characters" : String(cString: cairo_status_to_string(status)),
                operatorHint: missing ? settings.fontHint : settings.failureHint)
        }
        return Data(sink.bytes)
    }

    /// ISO 8601 in UTC, as `cairo_pdf_surface_set_metadata` takes dates (whole seconds).
    static func pdfDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String {
            let n = n ?? 0
            return n < 10 ? "0\(n)" : "\(n)"
        }
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }
}
