internal import CQRencode

/// A QR code's modules, by libqrencode: `width` × `width`, row by row, true for black. The quiet
/// zone is not part of it; whoever draws it leaves four modules white all round.
struct QRSymbol: Sendable, Hashable {
    let width: Int
    let modules: [Bool]

    /// Error correction level Q (a quarter of the symbol may be lost): a FAX print smears and
    /// speckles, and a phone still has to read it.
    init(_ text: String) throws(OutletError) {
        // libqrencode picks the smallest version that holds the text; 8-bit mode, case kept (the
        // link's path is case-sensitive).
        guard let symbol = QRcode_encodeString(text, 0, QR_ECLEVEL_Q, QR_MODE_8, 1) else {
            throw OutletError(
                code: .renderingFailed, isRetriable: false, message: "the QR code could not be made (\(text.utf8.count) bytes)",
                operatorHint: "confirm.public-url is too long for a QR code; use a shorter address")
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        var modules = [Bool](repeating: false, count: width * width)
        for index in modules.indices {
            // Bit 0 of each byte is the module's colour; the others say how libqrencode placed it.
            modules[index] = symbol.pointee.data[index] & 1 == 1
        }
        self.width = width
        self.modules = modules
    }

    func isBlack(row: Int, column: Int) -> Bool { modules[row * width + column] }

    /// Modules of white every QR reader needs around the symbol.
    static let quietZone = 4
}
