/// A notice as rendered for one case revision and kind: the same text goes to every recipient of
/// that kind (one email per recipient, but the same body), so the ledger stores one per
/// (case, revision, kind) and the deliveries point at it by those three.
///
/// Codable because the ledger stores it as JSON; it holds personal data for alerts and updates
/// and is purged with the case after the retention period.
public struct RenderedNotice: Sendable, Hashable, Codable {
    public var caseID: CaseID
    public var revision: Int
    public var kind: NoticeKind
    public var drill: Bool
    public var email: EmailPart
    public var fax: FaxPage
    /// Nil for kinds the radio never broadcasts (the destruction reminder).
    public var radio: RadioScript?
    /// Present only with `consent.photo`, and only on alerts and updates.
    public var photo: CaseEvent.Photo?

    public init(
        caseID: CaseID, revision: Int, kind: NoticeKind, drill: Bool, email: EmailPart, fax: FaxPage,
        radio: RadioScript?, photo: CaseEvent.Photo?
    ) {
        self.caseID = caseID
        self.revision = revision
        self.kind = kind
        self.drill = drill
        self.email = email
        self.fax = fax
        self.radio = radio
        self.photo = photo
    }

    /// Whether this notice is the one a delivery refers to.
    public func matches(_ delivery: PlannedDelivery) -> Bool {
        delivery.caseID == caseID && delivery.revision == revision && delivery.kind == kind
    }

    public struct EmailPart: Sendable, Hashable, Codable {
        public var subject: String
        /// Plain text, lines separated by "\n" (the email outlet writes CRLF).
        public var body: String
        public init(subject: String, body: String) {
            self.subject = subject
            self.body = body
        }
    }

    /// The content of an A4 FAX page, structured so the PDF renderer lays it out (large title,
    /// a two-column table, then paragraphs) instead of printing raw text.
    public struct FaxPage: Sendable, Hashable, Codable {
        public struct Row: Sendable, Hashable, Codable {
            public var label: String
            public var value: String
            public init(label: String, value: String) {
                self.label = label
                self.value = value
            }
        }
        public var title: String
        /// Paragraphs above the table (addressee, request).
        public var lead: [String]
        public var rows: [Row]
        /// Paragraphs below the table (photo note, shredding instruction, sender).
        public var paragraphs: [String]
        public var photoAttached: Bool
        /// Who to call on a sighting, framed under the lead (nil in notices stored before it).
        public var callout: String?
        /// Drawn large at the top of every page (a drill's banner); nil: none from the template.
        public var banner: String?
        /// How each paragraph of `lead` stands on the page, one per paragraph: a form's number,
        /// date and sender to the right, its 記 in the middle. Nil: every one to the left (and
        /// every notice stored before forms had them).
        public var leadAlignments: [Alignment]?

        public enum Alignment: String, Sendable, Hashable, Codable {
            case left, right, centre
        }

        public init(
            title: String, lead: [String], rows: [Row], paragraphs: [String], photoAttached: Bool, callout: String? = nil,
            banner: String? = nil, leadAlignments: [Alignment]? = nil
        ) {
            self.title = title
            self.lead = lead
            self.rows = rows
            self.paragraphs = paragraphs
            self.photoAttached = photoAttached
            self.callout = callout
            self.banner = banner
            self.leadAlignments = leadAlignments
        }

        /// The alignment of the lead paragraph at `index`.
        public func alignment(ofLead index: Int) -> Alignment {
            guard let leadAlignments, leadAlignments.indices.contains(index) else { return .left }
            return leadAlignments[index]
        }

        /// The page as plain text (for `mimamori render` and review).
        public var plainText: String {
            var out = [title, ""]
            for (index, p) in lead.enumerated() {
                switch alignment(ofLead: index) {
                case .left: out += [p, ""]
                case .right: out += ["　　　　　　　　" + p, ""]
                case .centre: out += ["　　　　" + p, ""]
                }
            }
            if let callout { out += [callout.split(separator: "\n").map { "＞ " + $0 }.joined(separator: "\n"), ""] }
            let width = rows.map(\.label.count).max() ?? 0
            for r in rows {
                out.append("　" + r.label + String(repeating: "　", count: width - r.label.count + 1) + r.value)
            }
            if !rows.isEmpty { out.append("") }
            for p in paragraphs { out += [p, ""] }
            if out.last == "" { out.removeLast() }
            return out.joined(separator: "\n") + "\n"
        }
    }

    /// Text to be read aloud over the disaster radio (or fed to the TTS command).
    public struct RadioScript: Sendable, Hashable, Codable {
        public var text: String
        public init(text: String) { self.text = text }
    }
}
