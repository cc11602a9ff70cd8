internal import CPangoCairo

/// A wrapped paragraph laid out by pango for one cairo context, at a fixed width.
final class TextBlock {
    struct Font: Hashable {
        var family: String
        var size: Double
        var bold: Bool
    }

    let text: String
    let font: Font
    let width: Double
    let alignment: PangoAlignment
    private let layout: OpaquePointer

    init(
        _ text: String, font: Font, width: Double, alignment: PangoAlignment = PANGO_ALIGN_LEFT,
        context cr: OpaquePointer
    ) {
        self.text = text
        self.font = font
        self.width = width
        self.alignment = alignment
        layout = pango_cairo_create_layout(cr)
        // Sizes are absolute points: 1 user unit = 1 pt on the PDF surface.
        let description = pango_font_description_new()
        pango_font_description_set_family(description, font.family)
        pango_font_description_set_absolute_size(description, font.size * Double(PANGO_SCALE))
        pango_font_description_set_weight(description, font.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_layout_set_font_description(layout, description)
        pango_font_description_free(description)
        pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
        // Japanese has no spaces: break between any characters, at words where there are some.
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_alignment(layout, alignment)
        // A quarter of the size between lines: fax scan lines blur tightly set Japanese.
        pango_layout_set_spacing(layout, Int32(font.size * 0.25 * Double(PANGO_SCALE)))
        pango_layout_set_text(layout, text, -1)
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }

    var height: Double {
        var w: Int32 = 0
        var h: Int32 = 0
        pango_layout_get_size(layout, &w, &h)
        return Double(h) / Double(PANGO_SCALE)
    }

    /// The width of the longest line (a label measured on one line).
    var lineWidth: Double {
        var ink = PangoRectangle()
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, &ink, &logical)
        return Double(logical.width) / Double(PANGO_SCALE)
    }

    /// Characters the chosen font cannot draw (they would print as empty boxes).
    var missingGlyphs: Int { Int(pango_layout_get_unknown_glyphs_count(layout)) }

    func draw(_ cr: OpaquePointer, x: Double, y: Double) {
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, layout)
    }

    /// Splits at a line boundary so that the head is at most `maxHeight` tall; nil when not even
    /// the first line fits (the caller moves the whole block to the next page).
    func split(fitting maxHeight: Double) -> (head: String, tail: String)? {
        guard let iter = pango_layout_get_iter(layout) else { return nil }
        defer { pango_layout_iter_free(iter) }
        var splitIndex: Int32?
        repeat {
            var top: Int32 = 0
            var bottom: Int32 = 0
            pango_layout_iter_get_line_yrange(iter, &top, &bottom)
            if Double(bottom) / Double(PANGO_SCALE) > maxHeight {
                splitIndex = pango_layout_iter_get_index(iter)
                break
            }
        } while pango_layout_iter_next_line(iter) != 0
        guard let index = splitIndex, index > 0 else { return nil }
        let utf8 = Array(text.utf8)
        let cut = min(Int(index), utf8.count)
        return (String(decoding: utf8[..<cut], as: UTF8.self), String(decoding: utf8[cut...], as: UTF8.self))
    }
}
