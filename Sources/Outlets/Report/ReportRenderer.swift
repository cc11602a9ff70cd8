internal import CPangoCairo
import Foundation

/// Lays a `ReportDocument` out as A4 pages with pango/cairo and IPAex Gothic (the FAX
/// renderer's font): headings, tables whose header repeats on every page they run onto, and a
/// chart drawn in black and greys with dashes and markers, so a photocopy still tells the curves
/// apart. One pass measures (the page count for `n / N`), a second draws.
public struct ReportRenderer: Sendable {
    public var fontFamily: String

    public init(fontFamily: String = "IPAexGothic") {
        self.fontFamily = fontFamily
    }

    public struct Rendering: Sendable {
        public var pdf: Data
        public var pages: Int
    }

    public func render(_ document: ReportDocument) throws(OutletError) -> Rendering {
        var pages = 0
        let settings = CairoPDF.Settings(
            width: ReportLayout.pageWidth, height: ReportLayout.pageHeight, created: document.created, title: document.title,
            failureHint: "the report could not be rendered; check memory")
        let pdf = try CairoPDF.render(settings) { cr in
            let measured = ReportLayout(cr: cr, document: document, family: fontFamily, draw: false, totalPages: 0)
            measured.run()
            let drawn = ReportLayout(cr: cr, document: document, family: fontFamily, draw: true, totalPages: measured.page)
            drawn.run()
            pages = drawn.page
            return drawn.missingGlyphs
        }
        return Rendering(pdf: pdf, pages: pages)
    }
}

/// One pass over a report: places blocks top to bottom, opening pages as needed.
final class ReportLayout {
    static let pageWidth = 595.276
    static let pageHeight = 841.89
    static let margin = 42.0
    static let contentWidth = pageWidth - 2 * margin
    static let bodySize = 10.5
    static let cellPadding = 3.5

    let cr: OpaquePointer
    let document: ReportDocument
    let family: String
    let draw: Bool
    let totalPages: Int
    private(set) var page = 0
    private(set) var missingGlyphs = 0
    private var y = 0.0
    private var bottom = 0.0
    private var pageTop = 0.0

    init(cr: OpaquePointer, document: ReportDocument, family: String, draw: Bool, totalPages: Int) {
        self.cr = cr
        self.document = document
        self.family = family
        self.draw = draw
        self.totalPages = totalPages
    }

    func block(_ text: String, size: Double, bold: Bool = false, width: Double, alignment: PangoAlignment = PANGO_ALIGN_LEFT) -> TextBlock {
        let block = TextBlock(text, font: .init(family: family, size: size, bold: bold), width: width, alignment: alignment, context: cr)
        missingGlyphs += block.missingGlyphs
        return block
    }

    func run() {
        startPage()
        let title = block(document.title, size: 18, bold: true, width: Self.contentWidth)
        if draw {
            black()
            title.draw(cr, x: Self.margin, y: y)
            rule(y: y + title.height + 4, width: 2)
        }
        y += title.height + 14
        for item in document.blocks {
            switch item {
            case .heading(let text): heading(text)
            case .paragraph(let text): paragraph(text, framed: false)
            case .note(let text): paragraph(text, framed: true)
            case .table(let table): self.table(table)
            case .chart(let chart): self.chart(chart)
            }
        }
        finishPage()
    }

    // MARK: pages

    private func startPage() {
        page += 1
        y = Self.margin
        bottom = Self.pageHeight - Self.margin - 24
        if let banner = document.banner {
            let text = block(banner, size: 16, bold: true, width: Self.contentWidth - 12, alignment: PANGO_ALIGN_CENTER)
            if draw {
                black()
                text.draw(cr, x: Self.margin + 6, y: y + 5)
                frame(x: Self.margin, y: y, width: Self.contentWidth, height: text.height + 10, line: 2.5)
            }
            y += text.height + 10 + 12
        }
        pageTop = y
    }

    private func finishPage() {
        guard draw else { return }
        black()
        let footerY = Self.pageHeight - Self.margin - 12
        rule(y: footerY - 4, width: 0.8)
        if let footer = document.footer {
            block(footer, size: 8.5, width: Self.contentWidth - 60).draw(cr, x: Self.margin, y: footerY)
        }
        block("\(page) / \(max(totalPages, page))", size: 9, bold: true, width: 60, alignment: PANGO_ALIGN_RIGHT)
            .draw(cr, x: Self.margin + Self.contentWidth - 60, y: footerY)
        cairo_show_page(cr)
    }

    private func reserve(_ height: Double) {
        if y + height > bottom && y > pageTop {
            finishPage()
            startPage()
        }
    }

    // MARK: text

    private func heading(_ text: String) {
        let layout = block(text, size: 13, bold: true, width: Self.contentWidth - 10)
        // A heading never stands alone at the foot of a page.
        reserve(layout.height + 60)
        if draw {
            cairo_set_source_rgb(cr, 0, 0, 0)
            cairo_rectangle(cr, Self.margin, y + 1, 4, layout.height - 2)
            cairo_fill(cr)
            layout.draw(cr, x: Self.margin + 10, y: y)
        }
        y += layout.height + 6
    }

    private func paragraph(_ text: String, framed: Bool) {
        let inset = framed ? 6.0 : 0
        var rest = text
        while true {
            let layout = block(rest, size: Self.bodySize, bold: framed, width: Self.contentWidth - 2 * inset)
            let height = layout.height + 2 * inset
            if y + height <= bottom {
                if draw {
                    black()
                    layout.draw(cr, x: Self.margin + inset, y: y + inset)
                    if framed { frame(x: Self.margin, y: y, width: Self.contentWidth, height: height, line: 1.5) }
                }
                y += height + 8
                return
            }
            if let (head, tail) = layout.split(fitting: bottom - y - 2 * inset), y + 30 < bottom {
                let part = block(head, size: Self.bodySize, bold: framed, width: Self.contentWidth - 2 * inset)
                if draw {
                    black()
                    part.draw(cr, x: Self.margin + inset, y: y + inset)
                    if framed { frame(x: Self.margin, y: y, width: Self.contentWidth, height: part.height + 2 * inset, line: 1.5) }
                }
                rest = tail
            }
            finishPage()
            startPage()
        }
    }

    // MARK: tables

    private func table(_ table: ReportDocument.Table) {
        let total = table.columns.map(\.width).reduce(0, +)
        let widths = table.columns.map { $0.width / max(total, 0.0001) * Self.contentWidth }
        func cells(_ values: [String], bold: Bool) -> (blocks: [TextBlock], height: Double) {
            let blocks = zip(table.columns.indices, widths).map { index, width in
                block(
                    index < values.count ? values[index] : "", size: Self.bodySize - (bold ? 0.5 : 0), bold: bold,
                    width: width - 2 * Self.cellPadding,
                    alignment: table.columns[index].numeric && !bold ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT)
            }
            return (blocks, (blocks.map(\.height).max() ?? 0) + 2 * Self.cellPadding)
        }
        let header = cells(table.columns.map(\.title), bold: true)
        reserve(header.height * 2 + 4)
        drawRow(header, widths: widths, shaded: true)
        for (index, values) in table.rows.enumerated() {
            let row = cells(values, bold: false)
            if y + row.height > bottom && y > pageTop {
                finishPage()
                startPage()
                drawRow(header, widths: widths, shaded: true)
            }
            drawRow(row, widths: widths, shaded: false, striped: index % 2 == 1)
        }
        y += 10
    }

    private func drawRow(_ row: (blocks: [TextBlock], height: Double), widths: [Double], shaded: Bool, striped: Bool = false) {
        if draw {
            var x = Self.margin
            let width = widths.reduce(0, +)
            if shaded || striped {
                cairo_set_source_rgb(cr, shaded ? 0.82 : 0.94, shaded ? 0.82 : 0.94, shaded ? 0.82 : 0.94)
                cairo_rectangle(cr, x, y, width, row.height)
                cairo_fill(cr)
            }
            black()
            for (block, cellWidth) in zip(row.blocks, widths) {
                block.draw(cr, x: x + Self.cellPadding, y: y + Self.cellPadding)
                frame(x: x, y: y, width: cellWidth, height: row.height, line: 0.6)
                x += cellWidth
            }
        }
        y += row.height
    }

    // MARK: the chart

    /// Black solid, dark grey dashed, black dotted with round markers: told apart on a grey copy.
    private struct Pen {
        var grey: Double
        var width: Double
        var dashes: [Double]
        var marker: Marker
        enum Marker { case square, triangle, circle }
    }

    private static let pens = [
        Pen(grey: 0, width: 2.2, dashes: [], marker: .square),
        Pen(grey: 0.35, width: 1.8, dashes: [7, 3.5], marker: .triangle),
        Pen(grey: 0, width: 1.6, dashes: [1.5, 2.5], marker: .circle),
    ]

    private func chart(_ chart: ReportDocument.Chart) {
        let height = 250.0
        let title = chart.title.map { block($0, size: 11, bold: true, width: Self.contentWidth) }
        reserve(height + 40 + (title.map { $0.height + 6 } ?? 0))
        if let title {
            if draw {
                black()
                title.draw(cr, x: Self.margin, y: y)
            }
            y += title.height + 6
        }
        let left = Self.margin + 46
        let right = Self.margin + Self.contentWidth - 10
        let top = y + 8
        let plotBottom = y + height - 44
        let from = max(chart.from, 1)
        let to = max(chart.to, from * 10)
        let maximum = Double(max(chart.maximum, 1))
        func px(_ seconds: Double) -> Double {
            let clamped = min(max(seconds, from), to)
            return left + (log(clamped) - log(from)) / (log(to) - log(from)) * (right - left)
        }
        func py(_ count: Double) -> Double { plotBottom - count / maximum * (plotBottom - top) }
        if draw {
            // Grid and ticks.
            cairo_set_line_width(cr, 0.5)
            cairo_set_source_rgb(cr, 0.75, 0.75, 0.75)
            for tick in chart.ticks {
                cairo_move_to(cr, px(tick.seconds), top)
                cairo_line_to(cr, px(tick.seconds), plotBottom)
            }
            let step = Self.countStep(maximum: Int(maximum))
            for count in stride(from: 0, through: Int(maximum), by: step) {
                cairo_move_to(cr, left, py(Double(count)))
                cairo_line_to(cr, right, py(Double(count)))
            }
            cairo_stroke(cr)
            black()
            for tick in chart.ticks {
                let label = block(tick.label, size: 8.5, width: 50, alignment: PANGO_ALIGN_CENTER)
                label.draw(cr, x: px(tick.seconds) - 25, y: plotBottom + 3)
            }
            for count in stride(from: 0, through: Int(maximum), by: step) {
                let label = block("\(count)", size: 8.5, width: 30, alignment: PANGO_ALIGN_RIGHT)
                label.draw(cr, x: left - 34, y: py(Double(count)) - label.height / 2)
            }
            block(chart.xLabel, size: 9, width: right - left, alignment: PANGO_ALIGN_CENTER).draw(cr, x: left, y: plotBottom + 17)
            let yLabel = block(chart.yLabel, size: 9, width: plotBottom - top, alignment: PANGO_ALIGN_CENTER)
            cairo_save(cr)
            cairo_translate(cr, Self.margin, plotBottom)
            cairo_rotate(cr, -Double.pi / 2)
            yLabel.draw(cr, x: 0, y: 0)
            cairo_restore(cr)
            // Axes.
            cairo_set_line_width(cr, 1.2)
            cairo_move_to(cr, left, top)
            cairo_line_to(cr, left, plotBottom)
            cairo_line_to(cr, right, plotBottom)
            cairo_stroke(cr)
            // The curves, as steps: a count holds until the next one.
            for (series, pen) in zip(chart.series, Self.pens) {
                guard !series.points.isEmpty else { continue }
                cairo_set_source_rgb(cr, pen.grey, pen.grey, pen.grey)
                cairo_set_line_width(cr, pen.width)
                cairo_set_dash(cr, pen.dashes, Int32(pen.dashes.count), 0)
                cairo_move_to(cr, px(from), py(0))
                var last = 0.0
                for point in series.points {
                    cairo_line_to(cr, px(point.seconds), py(last))
                    cairo_line_to(cr, px(point.seconds), py(Double(point.count)))
                    last = Double(point.count)
                }
                cairo_line_to(cr, right, py(last))
                cairo_stroke(cr)
                cairo_set_dash(cr, nil, 0, 0)
                for point in Self.markerPoints(series.points) {
                    marker(pen.marker, x: px(point.seconds), y: py(Double(point.count)))
                }
            }
            // The legend, under the time axis' label.
            var x = left
            let legendY = plotBottom + 32
            for (series, pen) in zip(chart.series, Self.pens) {
                cairo_set_source_rgb(cr, pen.grey, pen.grey, pen.grey)
                cairo_set_line_width(cr, pen.width)
                cairo_set_dash(cr, pen.dashes, Int32(pen.dashes.count), 0)
                cairo_move_to(cr, x, legendY + 6)
                cairo_line_to(cr, x + 34, legendY + 6)
                cairo_stroke(cr)
                cairo_set_dash(cr, nil, 0, 0)
                marker(pen.marker, x: x + 17, y: legendY + 6)
                black()
                let label = block(series.name, size: 9, width: 120)
                label.draw(cr, x: x + 40, y: legendY)
                x += 40 + label.lineWidth + 24
            }
            black()
        }
        y += height + 6
    }

    /// A count axis step that gives at most about eight lines.
    static func countStep(maximum: Int) -> Int {
        for step in [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000] where maximum / step <= 8 { return step }
        return max(1, maximum / 8)
    }

    /// At most a dozen markers per curve, spread over its points.
    static func markerPoints(_ points: [ReportDocument.Chart.Point]) -> [ReportDocument.Chart.Point] {
        guard points.count > 12 else { return points }
        return (0..<12).map { points[$0 * (points.count - 1) / 11] }
    }

    private func marker(_ marker: Pen.Marker, x: Double, y: Double) {
        let r = 3.2
        switch marker {
        case .square: cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r)
        case .triangle:
            cairo_move_to(cr, x, y - r - 0.8)
            cairo_line_to(cr, x + r + 0.5, y + r)
            cairo_line_to(cr, x - r - 0.5, y + r)
            cairo_close_path(cr)
        case .circle: cairo_arc(cr, x, y, r, 0, 2 * Double.pi)
        }
        cairo_fill(cr)
    }

    // MARK: lines

    private func black() { cairo_set_source_rgb(cr, 0, 0, 0) }

    private func frame(x: Double, y: Double, width: Double, height: Double, line: Double) {
        cairo_set_line_width(cr, line)
        cairo_rectangle(cr, x, y, width, height)
        cairo_stroke(cr)
    }

    private func rule(y: Double, width: Double) {
        cairo_set_line_width(cr, width)
        cairo_move_to(cr, Self.margin, y)
        cairo_line_to(cr, Self.margin + Self.contentWidth, y)
        cairo_stroke(cr)
    }
}
