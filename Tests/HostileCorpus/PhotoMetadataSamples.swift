import Foundation

/// Photos that carry what a family's phone puts in them: a JPEG with an EXIF APP1 (GPS IFD with
/// the home's coordinates, an ImageDescription naming the home, an orientation) and a comment,
/// a PNG with tEXt, iTXt, tIME and eXIf chunks and bytes after IEND. Built by hand from the
/// outlets' portrait and the sample event's PNG, so every byte is known; `markers` are the byte
/// strings of which none may reach a notice, a mail, a FAX page or the stored event.
public enum PhotoMetadataSamples {
    public static let home = "自宅: 海南市日方1525-1"
    public static let gps = "GPS 34.15899N 135.19812E"

    /// 34° 9′ 32.36″ and 135° 11′ 53.23″ as EXIF rationals (little endian).
    public static let latitude: [UInt8] = rationals([(34, 1), (9, 1), (3236, 100)])
    public static let longitude: [UInt8] = rationals([(135, 1), (11, 1), (5323, 100)])

    public static var markers: [(label: String, bytes: [UInt8])] {
        [
            ("home", Array(home.utf8)), ("gps text", Array(gps.utf8)), ("GPS latitude", latitude),
            ("GPS longitude", longitude), ("Exif header", Array("Exif\0\0".utf8)),
        ]
    }

    /// The portrait (300 × 400), with EXIF (`orientation` nil: no orientation tag) and a COM.
    public static func jpeg(orientation: Int? = nil) throws -> [UInt8] {
        let portrait = [UInt8](
            try Data(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("Servers/portrait.jpg")))
        let exif = Array("Exif\0\0".utf8) + tiff(orientation: orientation)
        let app1 = [0xFF, 0xE1] + be16(exif.count + 2) + exif
        let comment = Array(home.utf8)
        let com = [0xFF, 0xFE] + be16(comment.count + 2) + comment
        // After the JFIF APP0 (bytes 2 to 20), where cameras put theirs.
        return Array(portrait[0..<20]) + app1 + com + Array(portrait[20...])
    }

    /// The sample event's PNG with text, time and EXIF chunks after IHDR and text after IEND.
    public static func png(_ plain: [UInt8]) -> [UInt8] {
        let text = chunk("tEXt", Array("Comment\0".utf8) + Array(home.utf8))
        let itxt = chunk("iTXt", Array("Comment\0\0\0\0\0".utf8) + Array(gps.utf8))
        let time = chunk("tIME", [0x07, 0xEA, 11, 27, 15, 30, 0])
        let exif = chunk("eXIf", tiff(orientation: nil))
        // Signature (8) and IHDR (25).
        return Array(plain[0..<33]) + text + itxt + time + exif + Array(plain[33...]) + Array(home.utf8)
    }

    /// A little-endian TIFF block: IFD0 (ImageDescription, Orientation, GPS pointer), a GPS IFD.
    static func tiff(orientation: Int?) -> [UInt8] {
        let description = Array("\(home) \(gps)".utf8) + [0]
        let entries = orientation == nil ? 2 : 3
        let ifd0Size = 2 + 12 * entries + 4
        let descriptionAt = 8 + ifd0Size
        var gpsAt = descriptionAt + description.count
        gpsAt += gpsAt % 2
        let gpsSize = 2 + 12 * 4 + 4
        var t: [UInt8] = [0x49, 0x49, 42, 0] + le32(8)
        t += le16(entries)
        t += le16(0x010E) + le16(2) + le32(description.count) + le32(descriptionAt)
        if let orientation { t += le16(0x0112) + le16(3) + le32(1) + le16(orientation) + [0, 0] }
        t += le16(0x8825) + le16(4) + le32(1) + le32(gpsAt)
        t += le32(0)
        t += description
        if t.count % 2 == 1 { t.append(0) }
        t += le16(4)
        t += le16(1) + le16(2) + le32(2) + [0x4E, 0, 0, 0]
        t += le16(2) + le16(5) + le32(3) + le32(gpsAt + gpsSize)
        t += le16(3) + le16(2) + le32(2) + [0x45, 0, 0, 0]
        t += le16(4) + le16(5) + le32(3) + le32(gpsAt + gpsSize + 24)
        t += le32(0)
        return t + latitude + longitude
    }

    static func rationals(_ values: [(UInt32, UInt32)]) -> [UInt8] {
        values.flatMap { le32(Int($0.0)) + le32(Int($0.1)) }
    }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16((v >> 16) & 0xFFFF) }
    static func be16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    /// Whether `needle` occurs in `haystack`.
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
