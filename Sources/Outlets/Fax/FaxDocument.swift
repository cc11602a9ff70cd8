import Foundation

/// One already-rendered FAX notice: what the core wrote, with no decision left but layout.
public struct FaxDocument: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var label: String
        public var value: String
        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    public struct Paragraph: Sendable, Hashable {
        public enum Style: Sendable, Hashable {
            case normal
            /// Bold and framed: the number to call on a sighting, the shredding instruction.
            case boxed
            /// To the right, as a form's number, date and sender stand.
            case right
            /// In the middle: a form's 記.
            case centred
        }
        public var text: String
        public var style: Style
        public init(_ text: String, style: Style = .normal) {
            self.text = text
            self.style = style
        }
    }

    public struct Photo: Sendable, Hashable {
        /// PNG or JPEG bytes.
        public var bytes: Data
        /// `image/png` or `image/jpeg`.
        public var mediaType: String
        public var caption: String?
        public init(bytes: Data, mediaType: String, caption: String? = nil) {
            self.bytes = bytes
            self.mediaType = mediaType
            self.caption = caption
        }
    }

    /// What the recipient is asked to confirm, at the bottom of the last page: the QR code of the
    /// link with the short URL and the code beside it, then the tick-box strip a cooperator
    /// marks and FAXes back as it is.
    public struct Reply: Sendable, Hashable {
        /// Beside the QR code, bold: what to do with it or the address.
        public var lead: String
        /// What the QR code holds and the short URL printed beside it.
        public var link: String
        /// The delivery's code, as a person types or reads it out.
        public var code: String
        /// The tick boxes' words: 受け取りました, 処分しました.
        public var boxes: [String]
        /// Under the boxes: where to FAX the strip back (or whom to call).
        public var instruction: String

        public init(lead: String, link: String, code: String, boxes: [String], instruction: String) {
            self.lead = lead
            self.link = link
            self.code = code
            self.boxes = boxes
            self.instruction = instruction
        }
    }

    /// How the page is laid out.
    public enum Layout: Sendable, Hashable {
        /// A notice: large type, the photo centred above the table, on one A4 page when closer
        /// spacing, a smaller photo (40 mm at least) or smaller type (10.5 pt at least) lets it
        /// fit; else on as few pages as it can, rows never split unless taller than a page.
        case notice
        /// A reference sheet (the police's 照会回答): one A4 page, the photo at the top right
        /// beside the first rows, the type as large as lets it fit (10 pt at least; a sheet
        /// that does not fit even so goes on over a second page rather than lose a line).
        case sheet
    }

    public var layout: Layout = .notice
    public var title: String
    /// e.g. 【訓練】この通知は訓練です — drawn large at the top of every page when set.
    public var drillBanner: String?
    /// Under the title, before the photo and the table: the addressee, the request, and the
    /// framed number to call on a sighting.
    public var lead: [Paragraph]
    /// The table (description, clothing, …) with thick borders.
    public var rows: [Row]
    public var photo: Photo?
    public var paragraphs: [Paragraph]
    /// Printed at the bottom of every page, above the page number (the shredding instruction).
    public var footer: String?
    /// The confirmation band of one delivery; nil: the notice asks for none.
    public var reply: Reply?
    /// The PDF's `/CreationDate`; nil: the time of rendering (cairo's default). Given, the same
    /// document renders to the same bytes on every attempt and in `mimamori render`.
    public var created: Date?

    public init(
        title: String, drillBanner: String? = nil, lead: [Paragraph] = [], rows: [Row], photo: Photo? = nil,
        paragraphs: [Paragraph] = [], footer: String? = nil, reply: Reply? = nil, created: Date? = nil, layout: Layout = .notice
    ) {
        self.layout = layout
        self.title = title
        self.drillBanner = drillBanner
        self.lead = lead
        self.rows = rows
        self.photo = photo
        self.paragraphs = paragraphs
        self.footer = footer
        self.reply = reply
        self.created = created
    }

    /// The document with its delivery's code and link blanked out, character for character:
    /// deliveries of one notice lay out alike (the same lengths make the same QR version and
    /// widths), so one fit serves them all.
    public var shape: FaxDocument {
        var shape = self
        if var reply = shape.reply {
            reply.code = String(repeating: "0", count: reply.code.count)
            reply.link = String(repeating: "0", count: reply.link.utf8.count)
            shape.reply = reply
        }
        return shape
    }
}
