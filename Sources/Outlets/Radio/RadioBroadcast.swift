import Foundation

/// One already-written broadcast for the disaster radio (防災行政無線): the script to read aloud
/// and what CAP needs around it.
public struct RadioBroadcast: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// CAP `Alert`.
        case alert
        /// CAP `Update`: replaces the messages it references.
        case update
        /// CAP `Update` with `responseType` `AllClear`: what it references has ended.
        case allClear
        /// CAP `Cancel`: what it references was sent in error. The daemon has no such event
        /// and never sends one; it is here for a console or tool that must retract a message.
        case cancel
    }

    /// An earlier message this one updates or cancels (CAP `references`: sender,identifier,sent).
    public struct Reference: Sendable, Hashable {
        public var sender: String
        public var identifier: String
        public var sent: Date
        public init(sender: String, identifier: String, sent: Date) {
            self.sender = sender
            self.identifier = identifier
            self.sent = sent
        }
    }

    /// Unique per message and stable across retries (the delivery's idempotency key made CAP
    /// safe: no spaces, commas, `<` or `&`). Also the spool file name and the log id.
    public var identifier: String
    /// e.g. `sos@town.example.jp` (CAP: no spaces, commas, `<` or `&`).
    public var sender: String
    public var sent: Date
    /// CAP `expires`: receivers drop the message after it; not before `sent`.
    public var expires: Date
    public var kind: Kind
    /// CAP `incidents`: the one incident every message of a case names (CAP-safe, like the
    /// identifier), so receivers group them.
    public var incident: String
    public var references: [Reference]
    public var headline: String
    /// What the announcer or TTS reads: CAP `description` and the spool's `.txt`.
    public var script: String
    public var language: String
    public var areaDescription: String
    /// `Exercise` instead of `Actual`: receivers must not broadcast it as real.
    public var isDrill: Bool
    /// The CAP `note` of a drill, in the words the notices use for their drill mark.
    public var drillNote: String?
    public var event: String
    public var senderName: String?
    public var contact: String?

    public init(
        identifier: String, sender: String, sent: Date, expires: Date, kind: Kind, incident: String,
        references: [Reference] = [],
        headline: String, script: String, language: String = "ja-JP", areaDescription: String,
        isDrill: Bool, drillNote: String? = nil, event: String = "行方不明者の捜索", senderName: String? = nil,
        contact: String? = nil
    ) {
        self.identifier = identifier
        self.sender = sender
        self.sent = sent
        self.expires = expires
        self.kind = kind
        self.incident = incident
        self.references = references
        self.headline = headline
        self.script = script
        self.language = language
        self.areaDescription = areaDescription
        self.isDrill = isDrill
        self.drillNote = isDrill ? drillNote : nil
        self.event = event
        self.senderName = senderName
        self.contact = contact
    }

    /// How later messages refer to this one.
    public var reference: Reference { Reference(sender: sender, identifier: identifier, sent: sent) }
}
