import Foundation

/// What of a case photo may travel: the pixels, and only what a viewer needs to show them. A
/// camera JPEG carries EXIF (GPS coordinates of where it was taken, often the family's home, the
/// camera's serial number, the time) and a PNG carries text chunks; every volunteer's mail and
/// every FAX page would carry them too. Run on a photo that passed `PhotoCheck`, after any
/// rotation (`jpegOrientation` says which one the photo asks for; the rotation itself is done
/// by libjpeg-turbo at the intake, outside this pure core).
///
/// JPEG: every APPn segment and every COM segment goes, wherever it stands (progressive JPEGs
/// have segments between scans), and so does anything after EOI. The one APPn kept is a
/// well-formed Adobe APP14 (12 bytes of colour-transform flags, nothing else): without it a CMYK
/// or an RGB JPEG decodes with wrong colours. JFIF APP0 goes too: decoders assume what it says.
///
/// PNG: kept are the critical chunks (IHDR, PLTE, IDAT, IEND) and the ancillary chunks whose
/// numbers change how the pixels look (tRNS transparency; gAMA, cHRM, sRGB colour). Everything
/// else goes: tEXt, zTXt, iTXt, eXIf, tIME, pHYs, and iCCP (its profile name and the profile's
/// own description tags are free text; sRGB/gAMA say enough for a FAX page and a mail preview),
/// unknown and animation chunks (the default image is shown), and anything after IEND.
///
/// Pure: bytes in, bytes out; nil when the structure is not what `PhotoCheck` accepted.
public enum PhotoClean {
    /// The PNG chunks that survive.
    public static let keptPNGChunks: Set<String> = ["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB"]

    /// The photo without its metadata (same type, same pixels), or nil.
    public static func clean(_ photo: CaseEvent.Photo) -> CaseEvent.Photo? {
        let bytes = [UInt8](photo.data)
        let cleaned: [UInt8]? =
            switch photo.mediaType {
            case .png: png(bytes)
            case .jpeg: jpeg(bytes)
            }
        return cleaned.map { CaseEvent.Photo(mediaType: photo.mediaType, data: Data($0)) }
    }

    // MARK: PNG

    static func png(_ b: [UInt8]) -> [UInt8]? {
        guard b.count >= 8, Array(b[0..<8]) == PhotoCheck.pngSignature else { return nil }
        var out = PhotoCheck.pngSignature
        var at = 8
        while at <= b.count - 12 {
            let length = PhotoCheck.be32(b, at)
            guard length <= 0x7FFF_FFFF, length <= b.count - at - 12 else { return nil }
            let name = String(decoding: b[(at + 4)..<(at + 8)], as: UTF8.self)
            let end = at + 12 + length
            if keptPNGChunks.contains(name) { out += b[at..<end] }
            if name == "IEND" { return out }
            at = end
        }
        return nil
    }

    // MARK: JPEG

    /// A marker segment's body starts with this for an Adobe APP14 (then version, flags0,
    /// flags1 and the transform byte: 12 bytes in all).
    static let adobe: [UInt8] = Array("Adobe".utf8)

    static func jpeg(_ b: [UInt8]) -> [UInt8]? {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(b.count)
        var at = 2
        while at < b.count {
            guard b[at] == 0xFF else { return nil }
            var m = at + 1
            while m < b.count && b[m] == 0xFF { m += 1 }
            guard m < b.count else { return nil }
            let marker = b[m]
            at = m + 1
            switch marker {
            case 0xD9:
                return out + [0xFF, 0xD9]
            case 0x01, 0xD0...0xD7:
                out += [0xFF, marker]
                continue
            case 0x00, 0xD8:
                return nil
            default:
                break
            }
            guard at <= b.count - 2 else { return nil }
            let length = Int(b[at]) << 8 | Int(b[at + 1])
            guard length >= 2, length <= b.count - at else { return nil }
            let segment = b[at..<(at + length)]
            let isAdobe = marker == 0xEE && length == 14 && b[(at + 2)..<(at + 7)].elementsEqual(adobe)
            let isMetadata = (0xE0...0xEF).contains(marker) || marker == 0xFE
            if !isMetadata || isAdobe { out += [0xFF, marker] + segment }
            at += length
            if marker == 0xDA {
                // The entropy-coded data, as it is, up to the marker that ends the scan.
                var i = at
                while i < b.count - 1 {
                    if b[i] == 0xFF {
                        let next = b[i + 1]
                        if next == 0x00 || (0xD0...0xD7).contains(next) {
                            i += 2
                            continue
                        }
                        if next == 0xFF {
                            i += 1
                            continue
                        }
                        break
                    }
                    i += 1
                }
                guard i < b.count - 1 else { return nil }
                out += b[at..<i]
                at = i
            }
        }
        return nil
    }

    /// The EXIF orientation a JPEG asks for (1 to 8, TIFF tag 0x0112 in IFD0 of its first Exif
    /// APP1), 1 when it asks for none or the EXIF cannot be read. Read before `clean` drops it.
    public static func jpegOrientation(_ data: Data) -> Int {
        let b = [UInt8](data)
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return 1 }
        var at = 2
        while at <= b.count - 4, b[at] == 0xFF {
            let marker = b[at + 1]
            // Only the segments before the first scan can hold it.
            guard marker != 0xDA, marker != 0xD9 else { return 1 }
            let length = Int(b[at + 2]) << 8 | Int(b[at + 3])
            guard length >= 2, length <= b.count - at - 2 else { return 1 }
            let body = Array(b[(at + 4)..<(at + 2 + length)])
            if marker == 0xE1, body.count >= 6, body[0..<6].elementsEqual([0x45, 0x78, 0x69, 0x66, 0, 0]) {
                return tiffOrientation(Array(body[6...])) ?? 1
            }
            at += 2 + length
        }
        return 1
    }

    static func tiffOrientation(_ t: [UInt8]) -> Int? {
        guard t.count >= 8 else { return nil }
        let little: Bool
        switch (t[0], t[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ i: Int) -> Int? {
            guard i >= 0, i <= t.count - 2 else { return nil }
            return little ? Int(t[i]) | Int(t[i + 1]) << 8 : Int(t[i]) << 8 | Int(t[i + 1])
        }
        func u32(_ i: Int) -> Int? {
            guard let a = u16(i), let b = u16(i + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let e = ifd + 2 + 12 * entry
            guard let tag = u16(e), let type = u16(e + 2) else { return nil }
            // SHORT, one value, held in the entry itself.
            if tag == 0x0112, type == 3, let value = u16(e + 8) {
                return (1...8).contains(value) ? value : nil
            }
        }
        return nil
    }
}
