import Foundation

/// What the coordination meeting (年2回の調整会議) reads after the yearly drill, or after a real
/// case: Kimino's own review (seed ⑫ ⑬) asks to "check the information chain and how much the
/// community cares" (情報系統の確認、地域の関心度等を検証). Made from what the ledger keeps of the case
/// (its events, every delivery with its times) and the cooperator directory; every figure is one
/// function of `DrillReport+Figures.swift`.
public struct DrillReport: Sendable, Hashable {
    /// The case as the ledger keeps it.
    public struct Subject: Sendable, Hashable {
        public var caseID: CaseID
        public var drill: Bool
        public var openedAt: Date
        public var closedAt: Date?
        /// Its personal data is gone (retention): names are no longer printed, counts still are.
        public var purged: Bool

        public init(caseID: CaseID, drill: Bool, openedAt: Date, closedAt: Date? = nil, purged: Bool = false) {
            self.caseID = caseID
            self.drill = drill
            self.openedAt = openedAt
            self.closedAt = closedAt
            self.purged = purged
        }
    }

    /// One event of the case: when the police's side issued it and when the ledger recorded it.
    public struct Event: Sendable, Hashable {
        public var sequence: Int
        /// `opened`, `updated`, `closed` (as the schema names it).
        public var kind: String
        /// The event's `issuedAt`: when it was published. Nil when the ledger does not know it.
        public var issuedAt: Date?
        public var recordedAt: Date

        public init(sequence: Int, kind: String, issuedAt: Date?, recordedAt: Date) {
            self.sequence = sequence
            self.kind = kind
            self.issuedAt = issuedAt
            self.recordedAt = recordedAt
        }
    }

    /// A FAX's transmission as its provider reported it.
    public enum Transmission: String, Sendable, Hashable, CaseIterable {
        case transmitted
        case failed
    }

    /// One delivery, with the times the ledger keeps for it.
    public struct Delivery: Sendable, Hashable {
        public var recipient: RecipientID
        public var channel: Channel
        public var kind: NoticeKind
        public var revision: Int
        public var state: DeliveryState
        public var lastErrorCode: String?
        /// When the ledger planned it.
        public var plannedAt: Date?
        /// When the outlet accepted it.
        public var acceptedAt: Date?
        public var transmission: Transmission?
        public var receivedAt: Date?
        public var destroyedAt: Date?
        /// How the last confirmation came: `link` (the cooperator's own) or `staff` (told by phone or FAX).
        public var confirmedVia: String?

        public init(
            recipient: RecipientID, channel: Channel, kind: NoticeKind, revision: Int = 1, state: DeliveryState,
            lastErrorCode: String? = nil, plannedAt: Date? = nil, acceptedAt: Date? = nil, transmission: Transmission? = nil,
            receivedAt: Date? = nil, destroyedAt: Date? = nil, confirmedVia: String? = nil
        ) {
            self.recipient = recipient
            self.channel = channel
            self.kind = kind
            self.revision = revision
            self.state = state
            self.lastErrorCode = lastErrorCode
            self.plannedAt = plannedAt
            self.acceptedAt = acceptedAt
            self.transmission = transmission
            self.receivedAt = receivedAt
            self.destroyedAt = destroyedAt
            self.confirmedVia = confirmedVia
        }
    }

    public var subject: Subject
    public var events: [Event]
    public var deliveries: [Delivery]
    /// The directory's rows by id (names and areas for the tables).
    public var cooperators: [RecipientID: Cooperator]

    public init(subject: Subject, events: [Event], deliveries: [Delivery], cooperators: [Cooperator]) {
        self.subject = subject
        self.events = events.sorted { $0.sequence < $1.sequence }
        self.deliveries = deliveries
        var byID: [RecipientID: Cooperator] = [:]
        for cooperator in cooperators { byID[cooperator.id] = cooperator }
        self.cooperators = byID
    }
}
