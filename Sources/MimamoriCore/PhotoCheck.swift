/// The intake's check of a case photo, the one place a photo is judged before any notice is made
/// from it: the bytes must be the declared type (PNG or JPEG), declare sane dimensions (read
/// without overflow), stay under the pixel limit, and be whole as far as their structure can
/// tell without decoding. A photo that fails is left out of every notice with a note; it never
/// fails a delivery, and it can never trap the daemon (a trap after the ack would crash-loop it).
///
/// Pure: bytes in, a verdict out.
public enum PhotoCheck {
    /// More pixels than any camera photo (a 4 MiB PNG can declare a 1.6 GB bitmap).
    public static let maxPixels = 50_000_000

    /// Why a photo was left out. The code is logged (`photo.left-out reason=`); it says nothing
    /// about the picture itself.
    public enum Problem: String, Error, Sendable, Hashable, Codable, CaseIterable {
        /// The bytes are not the declared type (no PNG signature, no JPEG start of image).
        case wrongType = "photo.wrong-type"
        /// The header's width or height is zero, missing or out of the format's range.
        case badDimensions = "photo.bad-dimensions"
        /// Width × height above `maxPixels` (or beyond any integer).
        case tooManyPixels = "photo.too-many-pixels"
        /// The structure is broken: a chunk or segment past the end, a bad checksum, no image
        /// data, no end marker.
        case undecodable = "photo.undecodable"

        public var code: String { rawValue }
    }

    public struct Dimensions: Sendable, Hashable {
        public var width: Int
        public var height: Int
        public var pixels: Int { width * height }
    }

    /// The verdict on one photo.
    public static func check(_ photo: CaseEvent.Photo) -> Result<Dimensions, Problem> {
        let bytes = [UInt8](photo.data)
        let result =
            switch photo.mediaType {
            case .png: png(bytes)
            case .jpeg: jpeg(bytes)
            }
        return result.flatMap { size in
            let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height)
            return overflow || pixels > maxPixels ? .failure(.tooManyPixels) : .success(size)
        }
    }

    // MARK: PNG

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Signature, IHDR first (13 bytes, dimensions 1…2³¹−1, a valid depth and colour type), every
    /// chunk inside the data with a good CRC, at least one IDAT, IEND last.
    static func png(_ b: [UInt8]) -> Result<Dimensions, Problem> {
        guard b.count >= 8, Array(b[0..<8]) == pngSignature else { return .failure(.wrongType) }
        var at = 8
        var size: Dimensions?
        var sawData = false
        while true {
            guard at <= b.count - 12 else { return .failure(.undecodable) }
            let length = be32(b, at)
            // Chunk lengths are at most 2³¹−1; compare against what is left so nothing can overflow.
            guard length <= 0x7FFF_FFFF, length <= b.count - at - 12 else { return .failure(.undecodable) }
            let type = Array(b[(at + 4)..<(at + 8)])
            let dataStart = at + 8
            let name = String(decoding: type, as: UTF8.self)
            // The header's claims first (the most telling reason), then its checksum.
            if size != nil || name != "IHDR" || length != 13 {
                guard crc32(b[(at + 4)..<(dataStart + length)]) == be32(b, dataStart + length) else {
                    return .failure(.undecodable)
                }
            }
            if size == nil {
                guard name == "IHDR" else { return .failure(.undecodable) }
                guard length == 13 else { return .failure(.badDimensions) }
                let width = be32(b, dataStart)
                let height = be32(b, dataStart + 4)
                guard (1...0x7FFF_FFFF).contains(width), (1...0x7FFF_FFFF).contains(height) else {
                    return .failure(.badDimensions)
                }
                let depth = b[dataStart + 8]
                let colour = b[dataStart + 9]
                let allowed: [UInt8: Set<UInt8>] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
                guard allowed[colour]?.contains(depth) == true else { return .failure(.undecodable) }
                let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
                guard !overflow, pixels <= maxPixels else { return .failure(.tooManyPixels) }
                guard crc32(b[(at + 4)..<(dataStart + length)]) == be32(b, dataStart + length) else {
                    return .failure(.undecodable)
                }
                size = Dimensions(width: width, height: height)
            } else if name == "IDAT" {
                sawData = true
            } else if name == "IEND" {
                guard sawData, let size else { return .failure(.undecodable) }
                return .success(size)
            }
            at = dataStart + length + 4
        }
    }

    static func be32(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> Int {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return Int(c ^ 0xFFFF_FFFF)
    }

    // MARK: JPEG

    /// SOI, then marker segments each inside the data; a SOFn frame header (dimensions ≥ 1,
    /// 1 to 4 components) before the first scan; at least one SOS whose entropy-coded data is
    /// followed by EOI.
    static func jpeg(_ b: [UInt8]) -> Result<Dimensions, Problem> {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return .failure(.wrongType) }
        var at = 2
        var size: Dimensions?
        while at < b.count {
            guard b[at] == 0xFF else { return .failure(.undecodable) }
            // Fill bytes before a marker.
            var m = at + 1
            while m < b.count && b[m] == 0xFF { m += 1 }
            guard m < b.count else { return .failure(.undecodable) }
            let marker = b[m]
            at = m + 1
            switch marker {
            case 0xD9:
                // EOI before any scan: no image in it.
                return .failure(.undecodable)
            case 0x01, 0xD0...0xD7:
                continue  // standalone markers
            case 0x00, 0xD8:
                return .failure(.undecodable)
            default:
                break
            }
            guard at <= b.count - 2 else { return .failure(.undecodable) }
            let length = Int(b[at]) << 8 | Int(b[at + 1])
            guard length >= 2, length <= b.count - at else { return .failure(.undecodable) }
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard length >= 8 else { return .failure(.undecodable) }
                let height = Int(b[at + 3]) << 8 | Int(b[at + 4])
                let width = Int(b[at + 5]) << 8 | Int(b[at + 6])
                let components = Int(b[at + 7])
                guard width > 0, height > 0 else { return .failure(.badDimensions) }
                guard (1...4).contains(components), length == 8 + 3 * components else { return .failure(.undecodable) }
                if size == nil { size = Dimensions(width: width, height: height) }
            }
            if marker == 0xDA {
                guard let size else { return .failure(.undecodable) }
                // Entropy-coded data: FF is followed by 00 (a stuffed byte), a restart marker, or
                // the marker that ends the scan.
                var i = at + length
                while i < b.count - 1 {
                    if b[i] == 0xFF {
                        let next = b[i + 1]
                        if next == 0x00 || (0xD0...0xD7).contains(next) || next == 0xFF {
                            i += next == 0xFF ? 1 : 2
                            continue
                        }
                        if next == 0xD9 { return .success(size) }
                        break  // another segment (progressive JPEGs have several scans)
                    }
                    i += 1
                }
                guard i < b.count - 1 else { return .failure(.undecodable) }
                at = i
                continue
            }
            at += length
        }
        return .failure(.undecodable)
    }
}

extension CaseEvent {
    /// The event as the notices may use it: a photo that fails `PhotoCheck` is taken out, and
    /// `photoLeftOut` says why (the notices then say it was left out).
    public func checkingPhoto() -> CaseEvent {
        guard let photo else { return self }
        guard case .failure(let problem) = PhotoCheck.check(photo) else { return self }
        var checked = self
        checked.photo = nil
        checked.photoLeftOut = problem
        return checked
    }
}
