internal import CTurboJPEG
import Foundation

/// A JPEG turned the way its EXIF orientation asks, losslessly (libjpeg-turbo's `tjTransform`
/// moves DCT blocks, nothing is decoded or re-compressed), with no marker copied across: the
/// result carries no EXIF, so the orientation cannot be applied twice by a viewer.
///
/// Outside the pure core because it calls into C; it is still computation only (memory in,
/// memory out), and it only ever sees a photo `PhotoCheck` passed (dimensions within the pixel
/// limit, so the coefficient buffers stay bounded).
enum PhotoUpright {
    /// EXIF orientation (TIFF tag 0x0112) → the transform that undoes it.
    static func operation(for orientation: Int) -> TJXOP? {
        switch orientation {
        case 2: TJXOP_HFLIP
        case 3: TJXOP_ROT180
        case 4: TJXOP_VFLIP
        case 5: TJXOP_TRANSPOSE
        case 6: TJXOP_ROT90
        case 7: TJXOP_TRANSVERSE
        case 8: TJXOP_ROT270
        default: nil
        }
    }

    /// The upright JPEG, or nil when libjpeg-turbo cannot transform it (the caller keeps the
    /// photo as it is, metadata stripped, and says so in the log).
    static func jpeg(_ data: Data, orientation: Int) -> Data? {
        guard let op = operation(for: orientation), !data.isEmpty else { return nil }
        guard let handle = tjInitTransform() else { return nil }
        defer { tjDestroy(handle) }
        var transform = tjtransform()
        transform.op = Int32(op.rawValue)
        // TRIM: a partial block at the edge that would move cannot be turned losslessly; it is
        // dropped (at most 15 pixel rows or columns) rather than refusing the photo.
        transform.options = TJXOPT_TRIM | TJXOPT_COPYNONE
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        // LIMITSCANS: a progressive JPEG of thousands of scans costs minutes of CPU otherwise.
        let status = data.withUnsafeBytes { source in
            tjTransform(
                handle, source.bindMemory(to: UInt8.self).baseAddress, UInt(source.count), 1, &output, &size, &transform,
                TJFLAG_LIMITSCANS)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output, size > 0 else { return nil }
        return Data(bytes: output, count: Int(size))
    }
}
