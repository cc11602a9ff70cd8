/// One way of laying a FAX page out: how big the body type and the photo are and how close the
/// blocks stand. `FaxLayout.fit` chooses among them.
public struct FaxFit: Sendable, Hashable, CustomStringConvertible {
    /// The table's and the paragraphs' type, in points. The title, the drill banner, the framed
    /// sightings number and the footer keep their own sizes whatever this is.
    public var bodySize: Double
    /// The tallest a notice's photo may print, in points (a photo also stays within 180 pt wide).
    public var photoHeight: Double
    /// Closer gaps between blocks and inside table cells; the space between the lines of a
    /// paragraph stays, since fax scan lines blur tightly set Japanese.
    public var tightSpacing: Bool
    /// The confirmation band beside the photo, in the room a centred photo leaves, instead of at
    /// the foot of the last page: a registered drill alert has no room at its foot for it.
    public var replyBesidePhoto: Bool

    public init(bodySize: Double, photoHeight: Double, tightSpacing: Bool, replyBesidePhoto: Bool = false) {
        self.bodySize = bodySize
        self.photoHeight = photoHeight
        self.tightSpacing = tightSpacing
        self.replyBesidePhoto = replyBesidePhoto
    }

    public var description: String {
        "\(bodySize) pt, photo \(photoHeight) pt\(tightSpacing ? ", tight" : "")\(replyBesidePhoto ? ", reply beside the photo" : "")"
    }

    /// A notice's type as it is laid out when it fits.
    public static let noticeSize = 14.0
    /// The smallest body type a notice may take: still legible after a fine-mode fax.
    public static let noticeFloor = 10.5
    /// A notice's photo when it fits: large enough to recognise a face after halftoning.
    public static let photoHeight = 170.0
    /// 40 mm: the smallest a face stays recognisable at on a 200 dpi FAX.
    public static let photoFloor = 40 / 25.4 * 72
    /// A sheet's type, largest first (its photo stands beside the rows at one size).
    public static let sheetSizes = [13.0, 12.0, 11.5, 11.0, 10.5, 10.0]

    /// What a notice tries, in order: as it is; tighter spacing; the photo down to 40 mm; then
    /// the body type down half a point at a time to 10.5 pt. Without a photo there is no photo
    /// step to try. With a confirmation band and a photo, the same steps again with the band
    /// beside the photo: the band stays at the foot of the page when it fits there, and a notice
    /// on two pages keeps it on the last.
    public static func noticeSteps(photo: Bool, reply: Bool) -> [FaxFit] {
        let steps = noticeSteps(photo: photo)
        guard photo, reply else { return steps }
        return steps
            + steps.map {
                FaxFit(bodySize: $0.bodySize, photoHeight: $0.photoHeight, tightSpacing: $0.tightSpacing, replyBesidePhoto: true)
            }
    }

    public static func noticeSteps(photo: Bool) -> [FaxFit] {
        var steps = [FaxFit(bodySize: noticeSize, photoHeight: photoHeight, tightSpacing: false)]
        let photoHeights = photo ? [photoHeight, 142, photoFloor] : [photoHeight]
        for height in photoHeights {
            steps.append(FaxFit(bodySize: noticeSize, photoHeight: height, tightSpacing: true))
        }
        for size in stride(from: noticeSize - 0.5, through: noticeFloor, by: -0.5) {
            steps.append(FaxFit(bodySize: size, photoHeight: photoHeights.last!, tightSpacing: true))
        }
        return steps
    }

    /// What a sheet tries: its type from 13 pt down to 10 pt, its own spacing.
    public static let sheetSteps = sheetSizes.map { FaxFit(bodySize: $0, photoHeight: photoHeight, tightSpacing: false) }
}

extension FaxLayout {
    /// The page fitting rule: the first of `steps` that gives the fewest pages. A document that
    /// fits one page as it is stays exactly as it was; one that does not is made tighter step by
    /// step and stops at the first that fits; one that cannot fit at the last step keeps the
    /// largest type that gives it no more pages than the last step does (more type, not more
    /// paper). `pages` lays the document out with a step without drawing it.
    static func fit(_ steps: [FaxFit], pages: (FaxFit) -> Int) -> (fit: FaxFit, pages: Int) {
        precondition(!steps.isEmpty, "a fit needs a step to try")
        var best = (fit: steps[0], pages: pages(steps[0]))
        for step in steps.dropFirst() where best.pages > 1 {
            let count = pages(step)
            if count < best.pages { best = (step, count) }
        }
        return best
    }
}
