internal import CPangoCairo
import Foundation

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
