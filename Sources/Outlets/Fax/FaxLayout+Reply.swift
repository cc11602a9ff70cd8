import Foundation
internal import CPangoCairo

/// The confirmation band at the foot of the last page: the QR code of the delivery's link, the
/// short URL and the code beside it, and under them the strip a cooperator ticks and FAXes back.
extension FaxLayout {
    /// 0.625 mm, five dots of a fine-mode FAX (8 per mm): every module prints as whole dots, and
    /// is larger than the 0.5 mm a phone's camera needs off a smudged print.
    static let qrModule = 0.625 / 25.4 * 72
    /// The URL and the code: a monospace face keeps 0 and O, 1 and I apart for whoever types them.
    static let monospace = "DejaVu Sans Mono"
    static let replyBorder = 2.5

    func mono(_ size: Double) -> TextBlock.Font {
        TextBlock.Font(family: Self.monospace, size: size, bold: true)
    }

    /// Below what is already on the page, pushed down to stand just above the footer, on a new
    /// page only when even that leaves no room.
    func place(_ reply: FaxDocument.Reply, symbol: QRSymbol) {
        let inset = Self.replyBorder / 2
        let pad = Self.padding
        let left = Self.margin
        let right = Self.margin + Self.contentWidth
        // The quiet zone lies inside the frame: the frame's black line must not touch it.
        let qrSide = Double(symbol.width + 2 * QRSymbol.quietZone) * Self.qrModule
        let columnX = left + inset + qrSide + 2
        let columnWidth = right - pad - columnX
        let lead = block(reply.lead, font(10.5, bold: true), width: columnWidth)
        let url = block(reply.link, mono(11.5), width: columnWidth)
        let codeLabel = block("確認コード", font(11, bold: true), width: columnWidth)
        let code = block(reply.code, mono(18), width: columnWidth - codeLabel.lineWidth - 6)
        let column = pad + lead.height + 3 + url.height + 3 + max(codeLabel.height, code.height) + pad
        let top = max(qrSide + 2 * inset, column)

        // The strip: a drawn square before each box's words (a glyph's box prints too thin),
        // then the lines to write the date and the office on.
        let boxSide = 12.0
        let boxes = reply.boxes.map { block($0, font(13, bold: true), width: Self.contentWidth) }
        let dateLabel = block("日付", font(12, bold: true), width: Self.contentWidth)
        let officeLabel = block("事業所名", font(12, bold: true), width: Self.contentWidth)
        let instruction = block(reply.instruction, font(10.5, bold: true), width: Self.contentWidth - 2 * pad)
        let rowHeight = max(26, boxes.map(\.height).max() ?? 0)
        let strip = pad + rowHeight + 4 + instruction.height + pad
        let height = top + strip

        if ProcessInfo.processInfo.environment["MIMAMORI_DEBUG_FIT"] != nil { print("BAND y=\(y) page=\(page) height=\(height) top=\(top) strip=\(strip) bottom=\(bottom)") }
        reserve(height + gap(12, tight: 8))
        let bandTop = max(y + gap(12, tight: 8), bottom - height)
        defer { y = bandTop + height }
        guard draw else { return }

        stroke(x: left, y: bandTop, width: Self.contentWidth, height: height, line: Self.replyBorder)
        paint(symbol, x: left + inset, y: bandTop + inset + (top - 2 * inset - qrSide) / 2)
        var textY = bandTop + pad
        lead.draw(cr, x: columnX, y: textY)
        textY += lead.height + 3
        url.draw(cr, x: columnX, y: textY)
        textY += url.height + 3
        let codeRow = max(codeLabel.height, code.height)
        codeLabel.draw(cr, x: columnX, y: textY + (codeRow - codeLabel.height) / 2)
        code.draw(cr, x: columnX + codeLabel.lineWidth + 6, y: textY + (codeRow - code.height) / 2)

        let stripTop = bandTop + top
        cairo_set_line_width(cr, 1.5)
        cairo_move_to(cr, left, stripTop)
        cairo_line_to(cr, right, stripTop)
        cairo_stroke(cr)
        let rowTop = stripTop + pad
        let baseline = rowTop + rowHeight
        var x = left + pad
        for words in boxes {
            stroke(x: x, y: rowTop + (rowHeight - boxSide) / 2, width: boxSide, height: boxSide, line: 1.5)
            x += boxSide + 4
            words.draw(cr, x: x, y: rowTop + (rowHeight - words.height) / 2)
            x += words.lineWidth + 14
        }
        // The date's line takes what a date needs; the office's, the rest of the row.
        x += 4
        let dateLine = 84.0
        let officeLine = right - pad - (x + dateLabel.lineWidth + 4 + dateLine + 14 + officeLabel.lineWidth + 4)
        for (label, width) in [(dateLabel, dateLine), (officeLabel, officeLine)] {
            label.draw(cr, x: x, y: rowTop + (rowHeight - label.height) / 2)
            x += label.lineWidth + 4
            cairo_set_line_width(cr, 1)
            cairo_move_to(cr, x, baseline - 3)
            cairo_line_to(cr, x + width, baseline - 3)
            cairo_stroke(cr)
            x += width + 14
        }
        instruction.draw(cr, x: left + pad, y: baseline + 4)
    }

    /// The QR code's black modules as filled squares, from `x`, `y` (its quiet zone's corner).
    private func paint(_ symbol: QRSymbol, x: Double, y: Double) {
        let module = Self.qrModule
        let origin = Double(QRSymbol.quietZone) * module
        for row in 0..<symbol.width {
            for column in 0..<symbol.width where symbol.isBlack(row: row, column: column) {
                cairo_rectangle(cr, x + origin + Double(column) * module, y + origin + Double(row) * module, module, module)
            }
        }
        // One fill for all of them: adjacent squares join without hairline gaps.
        cairo_fill(cr)
    }
}
