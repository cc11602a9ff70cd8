internal import CPangoCairo

/// The confirmation band: the QR code of the delivery's link, the short URL and the code beside
/// it, and under them the strip a cooperator ticks and FAXes back. At the foot of the last page,
/// or beside the photo when only there it leaves the notice on one page.
extension FaxLayout {
    /// 0.625 mm, five dots of a fine-mode FAX (8 per mm): every module prints as whole dots, and
    /// is larger than the 0.5 mm a phone's camera needs off a smudged print.
    static let qrModule = 0.625 / 25.4 * 72
    /// The URL and the code: a monospace face keeps 0 and O, 1 and I apart for whoever types them.
    static let monospace = "DejaVu Sans Mono"
    static let replyBorder = 2.5
    /// Beside the photo: the photo's column (its caption is set this wide).
    static let photoColumn = 180.0

    func mono(_ size: Double) -> TextBlock.Font {
        TextBlock.Font(family: Self.monospace, size: size, bold: true)
    }

    /// Below what is already on the page, pushed down to stand just above the footer, on a new
    /// page only when even that leaves no room.
    func place(_ reply: FaxDocument.Reply, symbol: QRSymbol) {
        let band = panel(reply, symbol: symbol, width: Self.contentWidth)
        reserve(band.height + gap(12, tight: 8))
        let top = max(y + gap(12, tight: 8), bottom - band.height)
        if draw { band.draw(Self.margin, top) }
        y = top + band.height
    }

    /// The photo in a column at the left, its caption under it, and the band at its right.
    func place(_ photo: FaxPhoto, beside reply: FaxDocument.Reply, symbol: QRSymbol) {
        let column = Self.photoColumn
        let scale = min(column / photo.width, fit.photoHeight / photo.height)
        let height = photo.height * scale
        let caption = document.photo?.caption.map {
            block($0, font(11, bold: true), width: column, alignment: PANGO_ALIGN_CENTER)
        }
        let photoTotal = height + (caption.map { $0.height + 4 } ?? 0)
        let band = panel(reply, symbol: symbol, width: Self.contentWidth - column - 12)
        let total = max(photoTotal, band.height)
        reserve(total + gap(12, tight: 8))
        if draw {
            paint(photo, x: Self.margin + (column - photo.width * scale) / 2, scale: scale)
            caption?.draw(cr, x: Self.margin, y: y + height + 4)
            band.draw(Self.margin + column + 12, y)
        }
        y += total + gap(12, tight: 8)
    }

    /// The band laid out `width` wide: its height, and how to draw it with its top left corner
    /// at a point.
    private func panel(_ reply: FaxDocument.Reply, symbol: QRSymbol, width: Double) -> (height: Double, draw: (Double, Double) -> Void) {
        let inset = Self.replyBorder / 2
        let pad = Self.padding
        // The quiet zone lies inside the frame: the frame's black line must not touch it.
        let qrSide = Double(symbol.width + 2 * QRSymbol.quietZone) * Self.qrModule
        let columnX = inset + qrSide + 2
        let columnWidth = width - pad - columnX
        let lead = block(reply.lead, font(10.5, bold: true), width: columnWidth)
        var url = block(reply.link, mono(11), width: columnWidth)
        // Too long for the column on one line: under the QR code, the band's whole width.
        let urlUnder = url.lineWidth > columnWidth - 1 || url.height > 20
        if urlUnder { url = block(reply.link, mono(10.5), width: width - 2 * pad) }
        let codeLabel = block("確認コード", font(11, bold: true), width: columnWidth)
        let code = block(reply.code, mono(urlUnder ? 15 : 18), width: columnWidth - codeLabel.lineWidth - 6)
        let codeRow = max(codeLabel.height, code.height)
        let column = pad + lead.height + 3 + (urlUnder ? 0 : url.height + 3) + codeRow + pad
        let top = max(qrSide + 2 * inset, column) + (urlUnder ? url.height + 2 : 0)

        // The strip: a drawn square before each box's words (a glyph's box prints too thin),
        // then the lines to write the date and the office on; the office's on a row of its own
        // when what is left is too short to write a name.
        let boxSide = 12.0
        let boxes = reply.boxes.map { block($0, font(13, bold: true), width: width) }
        let dateLabel = block("日付", font(12, bold: true), width: width)
        let officeLabel = block("事業所名", font(12, bold: true), width: width)
        let instruction = block(reply.instruction, font(10.5, bold: true), width: width - 2 * pad)
        let rowHeight = max(24, boxes.map(\.height).max() ?? 0)
        let dateLine = 70.0
        let afterBoxes = pad + boxes.reduce(0) { $0 + boxSide + 4 + $1.lineWidth + 14 } + 4
        let afterDate = afterBoxes + dateLabel.lineWidth + 4 + dateLine + 14
        let officeOwnRow = width - pad - (afterDate + officeLabel.lineWidth + 4) < 110
        let rows = officeOwnRow ? 2.0 : 1.0
        let strip = pad + rows * rowHeight + 4 + instruction.height + pad
        let height = top + strip

        return (
            height,
            { left, bandTop in
                let cr = self.cr
                self.stroke(x: left, y: bandTop, width: width, height: height, line: Self.replyBorder)
                let qrTop = bandTop + inset + (max(qrSide + 2 * inset, column) - 2 * inset - qrSide) / 2
                self.paint(symbol, x: left + inset, y: qrTop)
                var textY = bandTop + pad
                lead.draw(cr, x: left + columnX, y: textY)
                textY += lead.height + 3
                if !urlUnder {
                    url.draw(cr, x: left + columnX, y: textY)
                    textY += url.height + 3
                }
                codeLabel.draw(cr, x: left + columnX, y: textY + (codeRow - codeLabel.height) / 2)
                code.draw(cr, x: left + columnX + codeLabel.lineWidth + 6, y: textY + (codeRow - code.height) / 2)
                if urlUnder { url.draw(cr, x: left + pad, y: bandTop + top - url.height - 2) }

                let stripTop = bandTop + top
                cairo_set_line_width(cr, 1.5)
                cairo_move_to(cr, left, stripTop)
                cairo_line_to(cr, left + width, stripTop)
                cairo_stroke(cr)
                var rowTop = stripTop + pad
                var x = left + pad
                for words in boxes {
                    self.stroke(x: x, y: rowTop + (rowHeight - boxSide) / 2, width: boxSide, height: boxSide, line: 1.5)
                    x += boxSide + 4
                    words.draw(cr, x: x, y: rowTop + (rowHeight - words.height) / 2)
                    x += words.lineWidth + 14
                }
                x += 4
                func writingLine(_ label: TextBlock, length: Double) {
                    label.draw(cr, x: x, y: rowTop + (rowHeight - label.height) / 2)
                    x += label.lineWidth + 4
                    cairo_set_line_width(cr, 1)
                    cairo_move_to(cr, x, rowTop + rowHeight - 3)
                    cairo_line_to(cr, x + length, rowTop + rowHeight - 3)
                    cairo_stroke(cr)
                    x += length + 14
                }
                writingLine(dateLabel, length: officeOwnRow ? left + width - pad - x - dateLabel.lineWidth - 4 : dateLine)
                if officeOwnRow {
                    rowTop += rowHeight
                    x = left + pad
                }
                writingLine(officeLabel, length: left + width - pad - x - officeLabel.lineWidth - 4)
                instruction.draw(cr, x: left + pad, y: rowTop + rowHeight + 4)
            }
        )
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
