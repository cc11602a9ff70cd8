internal import CPangoCairo
import Foundation

/// Lays a `FaxDocument` out as an A4 PDF that stays readable after a fine-mode fax (about 200
/// dpi, one bit per pixel): black only — no grey fills or thin lines that dither away — nothing
/// under 10 pt, thick table borders, as few pages as it can (`FaxLayout.fit`), `n / N` on every
/// page so a recipient can tell a page is missing.
public struct FaxRenderer: Sendable {
    /// A fontconfig family with Japanese glyphs. IPAex Gothic (Debian `fonts-ipaexfont-gothic`)
    /// is designed for legibility at small sizes and is embedded (subset) in every PDF.
    public var fontFamily: String

    public init(fontFamily: String = "IPAexGothic") {
        self.fontFamily = fontFamily
    }

    /// Printed instead of a photo that cannot be used (not a PNG or JPEG, or absurdly large).
    public static let photoLeftOut = "（ご本人の写真は、データに不備があるため掲載していません。）"

    /// The PDF, entirely in memory. A photo that cannot be printed is left out with a line
    /// saying so: the institutions still get the notice (a broken photo used to fail every FAX
    /// of the case for good).
    public func pdf(_ document: FaxDocument) throws(OutletError) -> Data {
        try render(document).pdf
    }

    /// What was rendered: the PDF, its page count and the fit chosen for it.
    public struct Rendering: Sendable {
        public var pdf: Data
        public var pages: Int
        /// The type, photo and spacing `FaxLayout.fit` chose.
        public var fit: FaxFit
    }

    /// The PDF and how many pages it has (a sheet meant for one page tells its reader when it
    /// did not fit).
    /// `known`: the fit and page count of a rendering of the same shape (`FaxDocument.shape`),
    /// whose measuring passes need not be run again.
    public func render(_ document: FaxDocument, known: (fit: FaxFit, pages: Int)? = nil) throws(OutletError) -> Rendering {
        var document = document
        var photo: FaxPhoto?
        if let original = document.photo {
            do {
                photo = try FaxPhoto(original)
            } catch {
                document.photo = nil
                document.paragraphs.insert(FaxDocument.Paragraph(Self.photoLeftOut), at: 0)
            }
        }
        // A link that cannot be made a QR code fails the rendering: the notice would otherwise
        // go without the confirmation it was asked to carry.
        let symbol = try document.reply.map { reply throws(OutletError) in try QRSymbol(reply.link) }
        var pages = 0
        var chosen = FaxFit.noticeSteps(photo: false)[0]
        let settings = CairoPDF.Settings(
            width: FaxLayout.pageWidth, height: FaxLayout.pageHeight, version14: true, created: document.created,
            failureHint: "the FAX notice could not be rendered; check memory and the photo",
            fontHint: "install fonts-ipaexfont-gothic (or set the FAX font to one with Japanese glyphs)")
        let pdf = try CairoPDF.render(settings) { cr in
            // Passes that only measure (nothing is drawn) choose the fit and learn the page
            // count for "n / N"; then one pass draws.
            let steps = document.layout == .sheet ? FaxFit.sheetSteps : FaxFit.noticeSteps(photo: photo != nil, reply: symbol != nil)
            let (fit, count) =
                known
                ?? FaxLayout.fit(steps) { step in
                    let measured = FaxLayout(
                        cr: cr, document: document, photo: photo, symbol: symbol, family: fontFamily, fit: step, draw: false,
                        totalPages: 0)
                    measured.run()
                    return measured.page
                }
            let drawn = FaxLayout(
                cr: cr, document: document, photo: photo, symbol: symbol, family: fontFamily, fit: fit, draw: true, totalPages: count)
            drawn.run()
            pages = drawn.page
            chosen = fit
            return drawn.missingGlyphs
        }
        return Rendering(pdf: pdf, pages: pages, fit: chosen)
    }
}

/// One pass over the document: places blocks top to bottom, opening pages as needed.
final class FaxLayout {
    static let pageWidth = 595.276  // A4 in points
    static let pageHeight = 841.89
    // Fax machines lose 4–5 mm at each edge; 36 pt (12.7 mm) keeps everything on paper.
    static let margin = 36.0
    static let contentWidth = pageWidth - 2 * margin
    /// The table's label column: as wide as the longest label on one line, within these bounds.
    static let labelWidths = 100.0...200.0
    static let padding = 6.0
    static let tableBorder = 2.5
    static let boxBorder = 3.0

    let cr: OpaquePointer
    let document: FaxDocument
    let photo: FaxPhoto?
    /// The QR code of the reply band's link, made once per rendering.
    let symbol: QRSymbol?
    let family: String
    /// The type, the photo's size and the spacing of this pass.
    let fit: FaxFit
    /// The table's and the paragraphs' type.
    var size: Double { fit.bodySize }
    var isSheet: Bool { document.layout == .sheet }
    /// Inside a table cell: a sheet, or a notice made tight, packs its rows closer.
    var cellPadding: Double { isSheet || fit.tightSpacing ? 4 : Self.padding }
    /// The space below a block: `regular`, or less when the fit is tight.
    func gap(_ regular: Double, tight: Double) -> Double { fit.tightSpacing ? tight : regular }
    let draw: Bool
    let totalPages: Int
    private(set) var page = 0
    private(set) var missingGlyphs = 0
    var y = 0.0
    var bottom = 0.0
    /// Where content starts on the current page (below the drill banner).
    private var pageTop = 0.0
    /// A sheet's photo stands at the right of the rows above this line; they are narrower there.
    private var besidePhotoUntil = 0.0
    private var besidePhotoPage = 0
    private var besidePhotoWidth = 0.0
    private lazy var labelWidth: Double = {
        let widest = document.rows.map { block($0.label, font(size, bold: true), width: 10_000).lineWidth }.max() ?? 0
        let bounds = isSheet ? 70.0...150.0 : Self.labelWidths
        return min(max(widest + 2 * cellPadding + 6, bounds.lowerBound), bounds.upperBound)
    }()

    init(
        cr: OpaquePointer, document: FaxDocument, photo: FaxPhoto?, symbol: QRSymbol?, family: String, fit: FaxFit, draw: Bool,
        totalPages: Int
    ) {
        self.cr = cr
        self.document = document
        self.photo = photo
        self.symbol = symbol
        self.family = family
        self.fit = fit
        self.draw = draw
        self.totalPages = totalPages
    }

    func font(_ size: Double, bold: Bool = false) -> TextBlock.Font {
        TextBlock.Font(family: family, size: size, bold: bold)
    }

    func block(
        _ text: String, _ font: TextBlock.Font, width: Double,
        alignment: PangoAlignment = PANGO_ALIGN_LEFT
    ) -> TextBlock {
        let block = TextBlock(text, font: font, width: width, alignment: alignment, context: cr)
        missingGlyphs += block.missingGlyphs
        return block
    }

    func run() {
        cairo_set_source_rgb(cr, 0, 0, 0)
        startPage()
        title()
        for paragraph in document.lead { place(paragraph) }
        if let photo {
            if isSheet {
                placeBeside(photo)
            } else if fit.replyBesidePhoto, let reply = document.reply, let symbol {
                place(photo, beside: reply, symbol: symbol)
            } else {
                place(photo)
            }
        }
        table()
        if page == besidePhotoPage { y = max(y, besidePhotoUntil + 10) }
        for paragraph in document.paragraphs { place(paragraph) }
        if let reply = document.reply, let symbol, !(fit.replyBesidePhoto && photo != nil) { place(reply, symbol: symbol) }
        finishPage()
    }

    // MARK: pages

    private func startPage() {
        page += 1
        y = Self.margin
        bottom = Self.pageHeight - Self.margin - footerHeight()
        if let banner = document.drillBanner {
            // Every page, so a page read on its own still says it is a drill.
            let text = block(
                banner, font(24, bold: true), width: Self.contentWidth - 2 * Self.padding,
                alignment: PANGO_ALIGN_CENTER)
            let height = text.height + 2 * Self.padding
            if draw {
                text.draw(cr, x: Self.margin + Self.padding, y: y + Self.padding)
                stroke(x: Self.margin, y: y, width: Self.contentWidth, height: height, line: 4)
            }
            y += height + gap(12, tight: 8)
        }
        pageTop = y
    }

    private func finishPage() {
        guard draw else { return }
        var footerY = Self.pageHeight - Self.margin
        let number = block(
            "\(page) / \(max(totalPages, page))", font(pageNumberSize, bold: true),
            width: Self.contentWidth, alignment: PANGO_ALIGN_CENTER)
        footerY -= number.height
        number.draw(cr, x: Self.margin, y: footerY)
        if let footer = document.footer {
            let text = block(footer, font(footerSize, bold: true), width: Self.contentWidth)
            footerY -= text.height + 6
            text.draw(cr, x: Self.margin, y: footerY)
            line(y: footerY - 5, width: 1.5)
        }
        cairo_show_page(cr)
    }

    private var pageNumberSize: Double { isSheet ? 10 : 12 }
    private var footerSize: Double { isSheet ? 10 : 11 }

    private func footerHeight() -> Double {
        var height = block("1 / 1", font(pageNumberSize, bold: true), width: Self.contentWidth).height
        if let footer = document.footer {
            height += block(footer, font(footerSize, bold: true), width: Self.contentWidth).height + 6 + 10
        }
        return height + 8
    }

    /// Moves to a new page unless `height` fits below the current position (or the page is
    /// still empty: a new page would not give more room).
    func reserve(_ height: Double) {
        if y + height > bottom && y > pageTop {
            finishPage()
            startPage()
        }
    }

    // MARK: blocks

    private func title() {
        let text = block(document.title, font(isSheet ? 18 : 26, bold: true), width: Self.contentWidth)
        reserve(text.height + 14)
        if draw {
            text.draw(cr, x: Self.margin, y: y)
            line(y: y + text.height + 5, width: 3)
        }
        y += text.height + gap(16, tight: 12)
    }

    func place(_ photo: FaxPhoto) {
        // Large enough to recognise a face after fine-mode halftoning; down to 40 mm tall
        // (`fit.photoHeight`) when that keeps the notice on one page.
        let maxWidth = 180.0
        let scale = min(maxWidth / photo.width, fit.photoHeight / photo.height)
        let width = photo.width * scale
        let height = photo.height * scale
        let caption = document.photo?.caption.map {
            block($0, font(11, bold: true), width: Self.contentWidth, alignment: PANGO_ALIGN_CENTER)
        }
        let total = height + (caption.map { $0.height + 4 } ?? 0)
        reserve(total + gap(12, tight: 8))
        let x = Self.margin + (Self.contentWidth - width) / 2
        if draw {
            paint(photo, x: x, scale: scale)
            caption?.draw(cr, x: Self.margin, y: y + height + 4)
        }
        y += total + gap(12, tight: 8)
    }

    /// The photo at `x` and the current line, scaled, with its frame.
    func paint(_ photo: FaxPhoto, x: Double, scale: Double) {
        cairo_save(cr)
        cairo_translate(cr, x, y)
        cairo_scale(cr, scale, scale)
        cairo_set_source_surface(cr, photo.surface, 0, 0)
        cairo_paint(cr)
        cairo_restore(cr)
        cairo_set_source_rgb(cr, 0, 0, 0)
        stroke(x: x, y: y, width: photo.width * scale, height: photo.height * scale, line: 2)
    }

    /// A sheet's photo at the top right; the rows beside it are narrowed until its bottom.
    private func placeBeside(_ photo: FaxPhoto) {
        let maxWidth = 150.0
        let maxHeight = 190.0
        let scale = min(maxWidth / photo.width, maxHeight / photo.height)
        let width = photo.width * scale
        let height = photo.height * scale
        let caption = document.photo?.caption.map {
            block($0, font(10, bold: true), width: maxWidth, alignment: PANGO_ALIGN_CENTER)
        }
        let total = height + (caption.map { $0.height + 4 } ?? 0)
        reserve(total + 10)
        let x = Self.margin + Self.contentWidth - width
        if draw {
            paint(photo, x: x, scale: scale)
            caption?.draw(cr, x: Self.margin + Self.contentWidth - maxWidth, y: y + height + 4)
        }
        besidePhotoUntil = y + total
        besidePhotoPage = page
        besidePhotoWidth = max(width, caption == nil ? 0 : maxWidth) + 10
    }

    private func table() {
        for row in document.rows {
            var value = row.value
            var label = row.label
            while true {
                let beside = page == besidePhotoPage && y < besidePhotoUntil
                let valueWidth = Self.contentWidth - labelWidth - (beside ? besidePhotoWidth : 0)
                let labelText = block(label, font(size, bold: true), width: labelWidth - 2 * cellPadding)
                let valueText = block(value, font(size), width: valueWidth - 2 * cellPadding)
                let height = max(labelText.height, valueText.height) + 2 * cellPadding
                if y + height <= bottom {
                    drawRow(labelText, valueText, height: height, width: labelWidth + valueWidth)
                    break
                }
                // Too tall for what is left: a row that fits a page of its own goes whole to the
                // next (a reader never has to join a row across sheets). Only one taller than a
                // page puts as many lines as fit here and the rest under the same label on the
                // next, or moves whole if not even a line fits.
                if y > pageTop, fitsAPageOfItsOwn(label: label, value: value, height: height, narrowed: beside) {
                    finishPage()
                    startPage()
                    continue
                }
                let room = bottom - y - 2 * cellPadding
                if room > 40, let (head, tail) = valueText.split(fitting: room), labelText.height <= room {
                    drawRow(
                        labelText, block(head, font(size), width: valueWidth - 2 * cellPadding),
                        height: bottom - y, width: labelWidth + valueWidth)
                    value = tail
                    label = row.label + "（続き）"
                }
                finishPage()
                startPage()
            }
        }
        y += gap(14, tight: 8)
    }

    /// Whether a row would fit below the top of a new page, where no photo narrows it.
    private func fitsAPageOfItsOwn(label: String, value: String, height: Double, narrowed: Bool) -> Bool {
        var full = height
        if narrowed {
            let valueWidth = Self.contentWidth - labelWidth
            full =
                max(
                    block(label, font(size, bold: true), width: labelWidth - 2 * cellPadding).height,
                    block(value, font(size), width: valueWidth - 2 * cellPadding).height) + 2 * cellPadding
        }
        return pageTop + full <= bottom
    }

    private func drawRow(_ label: TextBlock, _ value: TextBlock, height: Double, width: Double) {
        if draw {
            label.draw(cr, x: Self.margin + cellPadding, y: y + cellPadding)
            value.draw(cr, x: Self.margin + labelWidth + cellPadding, y: y + cellPadding)
            stroke(x: Self.margin, y: y, width: width, height: height, line: isSheet ? 1.5 : Self.tableBorder)
            cairo_move_to(cr, Self.margin + labelWidth, y)
            cairo_line_to(cr, Self.margin + labelWidth, y + height)
            cairo_stroke(cr)
        }
        y += height
    }

    private func place(_ paragraph: FaxDocument.Paragraph) {
        let boxed = paragraph.style == .boxed
        let inset = boxed ? Self.padding + 2 : 0
        let size: TextBlock.Font = boxed ? font(isSheet ? self.size : 15, bold: true) : font(self.size)
        let alignment: PangoAlignment =
            switch paragraph.style {
            case .right: PANGO_ALIGN_RIGHT
            case .centred: PANGO_ALIGN_CENTER
            case .normal, .boxed: PANGO_ALIGN_LEFT
            }
        var text = paragraph.text
        while true {
            let layout = block(text, size, width: Self.contentWidth - 2 * inset, alignment: alignment)
            let height = layout.height + 2 * inset
            if y + height <= bottom {
                if draw {
                    layout.draw(cr, x: Self.margin + inset, y: y + inset)
                    if boxed { stroke(x: Self.margin, y: y, width: Self.contentWidth, height: height, line: Self.boxBorder) }
                }
                y += height + gap(10, tight: 6)
                return
            }
            let room = bottom - y - 2 * inset
            if room > 30, let (head, tail) = layout.split(fitting: room) {
                let part = block(head, size, width: Self.contentWidth - 2 * inset, alignment: alignment)
                if draw {
                    part.draw(cr, x: Self.margin + inset, y: y + inset)
                    if boxed {
                        stroke(
                            x: Self.margin, y: y, width: Self.contentWidth,
                            height: part.height + 2 * inset, line: Self.boxBorder)
                    }
                }
                text = tail
            }
            finishPage()
            startPage()
        }
    }

    // MARK: lines

    func stroke(x: Double, y: Double, width: Double, height: Double, line: Double) {
        cairo_set_line_width(cr, line)
        cairo_rectangle(cr, x, y, width, height)
        cairo_stroke(cr)
    }

    private func line(y: Double, width: Double) {
        cairo_set_line_width(cr, width)
        cairo_move_to(cr, Self.margin, y)
        cairo_line_to(cr, Self.margin + Self.contentWidth, y)
        cairo_stroke(cr)
    }
}
