internal import CPangoCairo
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A photo as a cairo image surface. PNG is decoded by cairo; JPEG is not decoded at all: the
/// surface carries the JPEG bytes as mime data and cairo's PDF backend embeds them unchanged
/// (smaller and sharper than re-encoding), while the preview is made from the PDF.
final class FaxPhoto {
    let surface: OpaquePointer
    let width: Double
    let height: Double

    /// More pixels than any camera photo (a 4 MiB PNG can declare a 1.6 GB bitmap).
    static let maxPixels = 50_000_000

    init(_ photo: FaxDocument.Photo) throws(OutletError) {
        let bytes = [UInt8](photo.bytes)
        switch photo.mediaType.lowercased() {
        case "image/png":
            guard let size = Self.pngSize(bytes) else { throw .invalidInput("photo is not a readable PNG") }
            guard Self.withinPixelLimit(size) else { throw .invalidInput("photo is too large") }
            let source = ByteSource(bytes)
            let surface = withExtendedLifetime(source) {
                cairo_image_surface_create_from_png_stream(
                    CairoCallbacks.read, Unmanaged.passUnretained(source).toOpaque())
            }
            guard let surface, cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                if let surface { cairo_surface_destroy(surface) }
                throw .invalidInput("photo is not a readable PNG")
            }
            self.surface = surface
            width = Double(cairo_image_surface_get_width(surface))
            height = Double(cairo_image_surface_get_height(surface))
        case "image/jpeg", "image/jpg":
            guard let size = Self.jpegSize(bytes) else { throw .invalidInput("photo is not a readable JPEG") }
            guard Self.withinPixelLimit(size) else { throw .invalidInput("photo is too large") }
            guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(size.width), Int32(size.height)),
                cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
            else { throw .invalidInput("photo is too large") }
            // cairo keeps the pointer until the surface dies, then calls `free`.
            guard let copy = malloc(bytes.count) else { throw .invalidInput("photo is too large") }
            copy.copyMemory(from: bytes, byteCount: bytes.count)
            let status = cairo_surface_set_mime_data(
                surface, "image/jpeg", copy.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
                free, copy)
            guard status == CAIRO_STATUS_SUCCESS else {
                free(copy)
                cairo_surface_destroy(surface)
                throw .invalidInput("photo could not be attached")
            }
            self.surface = surface
            width = Double(size.width)
            height = Double(size.height)
        default:
            throw .invalidInput("photo must be image/png or image/jpeg")
        }
    }

    deinit { cairo_surface_destroy(surface) }

    /// Width × height without overflow: a header may declare 0xFFFFFFFF × 0xFFFFFFFF, and a trap
    /// here, after the event was acked, would crash the daemon at every restart.
    static func withinPixelLimit(_ size: (width: Int, height: Int)) -> Bool {
        let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height)
        return !overflow && pixels <= maxPixels
    }

    /// Width and height from the PNG signature and IHDR, before anything is decoded.
    static func pngSize(_ b: [UInt8]) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard b.count >= 24, Array(b[0..<8]) == signature, b[12..<16].elementsEqual("IHDR".utf8) else { return nil }
        func int(_ at: Int) -> Int { b[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let (width, height) = (int(16), int(20))
        return width > 0 && height > 0 ? (width, height) : nil
    }

    /// Width and height from the first SOFn marker of a baseline or progressive JPEG.
    static func jpegSize(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count > 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF {
                i += 1
                continue
            }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                i += 2
                continue
            }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                let height = Int(b[i + 5]) << 8 | Int(b[i + 6])
                let width = Int(b[i + 7]) << 8 | Int(b[i + 8])
                return width > 0 && height > 0 ? (width, height) : nil
            }
            i += 2 + length
        }
        return nil
    }
}
