import Foundation

/// A printed report for a meeting (the drill report of the 調整会議): headings, paragraphs,
/// tables and a cumulative chart on A4 pages, in print greys rather than a FAX's black only.
/// Every word is the caller's; the renderer only lays it out.
public struct ReportDocument: Sendable, Hashable {
    public var title: String
    /// Drawn framed at the top of every page when set (【訓練】…).
    public var banner: String?
    public var blocks: [Block]
    /// At the bottom of every page, beside `n / N`.
    public var footer: String?
    /// The PDF's `/CreationDate`; nil: the time of rendering.
    public var created: Date?

    public init(title: String, banner: String? = nil, blocks: [Block], footer: String? = nil, created: Date? = nil) {
        self.title = title
        self.banner = banner
        self.blocks = blocks
        self.footer = footer
        self.created = created
    }

    public enum Block: Sendable, Hashable {
        case heading(String)
        case paragraph(String)
        /// A framed note (a warning the reader must not miss).
        case note(String)
        case table(Table)
        case chart(Chart)
    }

    public struct Table: Sendable, Hashable {
        public struct Column: Sendable, Hashable {
            public var title: String
            /// Its share of the page's width; the shares of a table are scaled to the width.
            public var width: Double
            /// Numbers to the right.
            public var numeric: Bool
            public init(_ title: String, width: Double = 1, numeric: Bool = false) {
                self.title = title
                self.width = width
                self.numeric = numeric
            }
        }
        public var columns: [Column]
        public var rows: [[String]]
        public init(columns: [Column], rows: [[String]]) {
            self.columns = columns
            self.rows = rows
        }
    }

    /// Cumulative counts over the time since a start, on a logarithmic time axis (the first
    /// minutes and the first week both readable on one page).
    public struct Chart: Sendable, Hashable {
        public struct Series: Sendable, Hashable {
            public var name: String
            /// (seconds since the start, count), in time order; drawn as steps.
            public var points: [Point]
            public init(name: String, points: [Point]) {
                self.name = name
                self.points = points
            }
        }
        public struct Point: Sendable, Hashable {
            public var seconds: Double
            public var count: Int
            public init(seconds: Double, count: Int) {
                self.seconds = seconds
                self.count = count
            }
        }
        public struct Tick: Sendable, Hashable {
            public var seconds: Double
            public var label: String
            public init(seconds: Double, label: String) {
                self.seconds = seconds
                self.label = label
            }
        }
        /// Above the plot, kept on the chart's page.
        public var title: String?
        /// At most three, told apart in grey scale by line, weight and marker.
        public var series: [Series]
        /// The time axis from and to (seconds since the start; from > 0).
        public var from: Double
        public var to: Double
        public var ticks: [Tick]
        /// The count axis' top (the recipients asked), at least 1.
        public var maximum: Int
        public var xLabel: String
        public var yLabel: String

        public init(
            title: String? = nil, series: [Series], from: Double, to: Double, ticks: [Tick], maximum: Int, xLabel: String, yLabel: String
        ) {
            self.title = title
            self.series = series
            self.from = from
            self.to = to
            self.ticks = ticks
            self.maximum = maximum
            self.xLabel = xLabel
            self.yLabel = yLabel
        }
    }
}
