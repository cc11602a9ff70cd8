/// Who a notice reaches and who it does not, and why (design 6: every planned notice states its
/// reach). Ids only: the log, `mimamori plan` and the operator's alarm all read it.
public struct Reach: Sendable, Hashable {
    /// Why one cooperator is, or is not, asked.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// One of its areas shares ground with the case's, or it watches the whole town.
        case asked
        /// Asked because an area on one side is not in the town's area tree (never skipped on a
        /// guess); `check-config` lists such directory areas.
        case askedUnknownArea = "asked-unknown-area"
        /// An update or closure reaches it because it already holds the case's data.
        case holdsData = "holds-data"
        case skippedInactive = "skipped-inactive"
        /// Its areas and the case's are all known and none overlaps.
        case skippedArea = "skipped-area"
        /// The family did not consent to informing cooperators.
        case skippedConsent = "skipped-consent"
        /// Another municipality's row, and the family did not consent to partner towns.
        case otherTown = "other-town"
        /// A partner town's row, and that town runs its own mimamorid: its daemon alerts it, from
        /// the case forwarded to it (`partners: { town: own-daemon }`).
        case partnerDaemon = "partner-daemon"
        /// A closure tells only those who were told: this row never received the case's data.
        case neverAlerted = "never-alerted"

        public var isAsked: Bool { self == .asked || self == .askedUnknownArea || self == .holdsData }
    }

    public struct Decision: Sendable, Hashable {
        public var recipient: RecipientID
        public var channel: Channel
        public var reason: Reason
        public init(recipient: RecipientID, channel: Channel, reason: Reason) {
            self.recipient = recipient
            self.channel = channel
            self.reason = reason
        }
    }

    /// One per directory row, in directory order.
    public var decisions: [Decision]
    /// The case's areas the tree does not know (normalised); each asks everyone.
    public var unknownCaseAreas: [String]

    public init(decisions: [Decision] = [], unknownCaseAreas: [String] = []) {
        self.decisions = decisions
        self.unknownCaseAreas = unknownCaseAreas
    }

    public func count(_ reason: Reason) -> Int { decisions.reduce(0) { $0 + ($1.reason == reason ? 1 : 0) } }

    /// Active rows the case concerns (its town's, and partner towns' with consent).
    public var active: Int {
        decisions.reduce(0) { $0 + ([.skippedInactive, .otherTown, .partnerDaemon].contains($1.reason) ? 0 : 1) }
    }
    public var asked: Int { decisions.reduce(0) { $0 + ($1.reason.isAsked ? 1 : 0) } }

    /// The counts of the `case.*` journal line, in that order.
    public var logFields: [(key: String, value: Int)] {
        [
            ("active", active), ("asked", asked), ("skipped_inactive", count(.skippedInactive)),
            ("skipped_area", count(.skippedArea)), ("skipped_consent", count(.skippedConsent)),
            ("unknown_area", count(.askedUnknownArea)),
        ]
    }
}
