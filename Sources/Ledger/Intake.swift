import Foundation
import MimamoriCore

/// Everything one accepted case event changes, recorded by `Ledger.recordIntake` in one
/// transaction, after which the broker message may be acked.
///
/// The ledger knows nothing of seeds: the state snapshot and the rendered notices are opaque
/// blobs the core produced; the ledger only keeps them and hands them back.
public struct Intake: Sendable {
    /// The broker's `messageId`: a repeated one is recognised and changes nothing.
    public var messageID: String
    public var caseID: CaseID
    public var municipality: String
    public var drill: Bool
    /// The event's sequence number within its case.
    public var sequence: Int
    /// The event kind as the schema names it (`opened`, `updated`, `closed`, …).
    public var eventKind: String
    public var receivedAt: Date
    /// The verified event as received. Personal data: removed by `purge`.
    public var body: Data
    /// The case state after this event.
    public var state: CaseSnapshot
    /// Rendered notices, one per (revision, kind, channel), shared by all its deliveries.
    public var notices: [Notice]
    public var deliveries: [Delivery]
    /// How many of `deliveries` the event's own transaction writes; the rest are kept in it as
    /// the plan's remainder and written by `IntakeStore.completePlans`, so that the dispatcher
    /// can start before a large plan is all written. nil: all in the one transaction.
    public var firstCommit: Int?
    /// Kinds whose planned (not yet sending) deliveries of this case are cancelled before the new
    /// deliveries are inserted (closure cancels pending alerts and updates).
    public var cancelKinds: Set<NoticeKind>
    /// Case alarms this event raises (recorded in the same transaction, mailed from the ledger).
    public var alarms: [CaseAlarm.Kind] = []
    /// The event schema of the row (`EventSchema`); a case's unless set.
    public var schema: String = EventSchema.case.rawValue
    /// A concern report whose result goes by phone: put on this desk's call-back list.
    public var callbackDesk: String?
    /// The emergency temporary stay this event records (a closure's `shelter`), with the
    /// request's fields as the core encoded them (personal data, purged with the case).
    public var shelterStay: (stay: ShelterStay, form: Data)?
    /// The staff member who recorded it by hand (`mimamori shelter request`), for the audit row.
    public var recordedBy: String?
    /// The event's `issuedAt`, kept in the audit row (`issued=`): the body goes with the purge,
    /// and the drill report still times the chain from the publication.
    public var issuedAt: Date?
    /// The event as signed, to forward to partner towns (`CaseState.Action.forward`).
    public var forwards: [Forward] = []

    public init(
        messageID: String, caseID: CaseID, municipality: String, drill: Bool = false, sequence: Int,
        eventKind: String, receivedAt: Date, body: Data, state: CaseSnapshot, notices: [Notice] = [],
        deliveries: [Delivery] = [], cancelKinds: Set<NoticeKind> = []
    ) {
        self.messageID = messageID
        self.caseID = caseID
        self.municipality = municipality
        self.drill = drill
        self.sequence = sequence
        self.eventKind = eventKind
        self.receivedAt = receivedAt
        self.body = body
        self.state = state
        self.notices = notices
        self.deliveries = deliveries
        self.cancelKinds = cancelKinds
    }

    /// One rendered notice. `content` is personal data for alerts and updates; removed by `purge`.
    public struct Notice: Sendable {
        public var revision: Int
        public var kind: NoticeKind
        public var channel: Channel
        public var content: Data
        public init(revision: Int, kind: NoticeKind, channel: Channel, content: Data) {
            self.revision = revision
            self.kind = kind
            self.channel = channel
            self.content = content
        }
    }

    /// A planned delivery with what the ledger needs to carry it out.
    public struct Delivery: Sendable {
        public var planned: PlannedDelivery
        /// The cooperator's fax number or email address (personal data; removed by `purge`).
        public var address: String
        /// After this instant the dispatcher gives up and alarms the operator.
        public var deadline: Date
        /// The delivery's confirmation code (`ConfirmationSigner`); nil: none asked.
        public var confirmation: ConfirmationCode?
        public init(_ planned: PlannedDelivery, address: String, deadline: Date, confirmation: ConfirmationCode? = nil) {
            self.planned = planned
            self.address = address
            self.deadline = deadline
            self.confirmation = confirmation
        }
    }
}

/// The case state as the core encodes it, with the few facts the ledger queries by.
public struct CaseSnapshot: Sendable, Hashable {
    /// The state's name (`opened`, `closed`, …), for status queries.
    public var name: String
    /// The core's encoding of the whole state. Kept until the case is purged.
    public var data: Data
    /// Set once the case is closed; starts the retention period.
    public var closedAt: Date?

    public init(name: String, data: Data, closedAt: Date? = nil) {
        self.name = name
        self.data = data
        self.closedAt = closedAt
    }

    /// Encodes any `Encodable` state as JSON.
    public init(name: String, encoding state: some Encodable, closedAt: Date? = nil) throws {
        self.init(name: name, data: try JSONEncoder().encode(state), closedAt: closedAt)
    }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}

/// What `recordIntake` did.
public enum IntakeOutcome: Hashable, Sendable {
    /// The event was recorded with this many new deliveries and this many cancelled ones.
    case recorded(planned: Int, cancelled: Int)
    /// The message id was already recorded: nothing changed; ack and move on.
    case duplicate
    /// The decision was to ignore or reject the message: only the audit row says why.
    case audited
}

/// What the ledger holds of an event's case, read inside the transaction that records it.
public struct IntakeReading: Sendable {
    /// The case's row; nil if the case is unknown. A purged one has `purgedAt` and no state.
    public var stored: StoredCase?
    /// An event with this message id was recorded (for any case; the row outlives the purge).
    public var messageRecorded: Bool
    /// Who holds (or may hold) the case's personal data, and whether the radio announced it.
    public var holders: PersonalDataHolders
}

/// What the intake's decision has the ledger write.
public enum IntakeEntry: Sendable {
    /// The event and everything it changes.
    case record(Intake)
    /// Nothing changes: an `intake.ignored` audit row with the reason.
    case ignore(messageID: String?, reason: String)
    /// Nothing changes: an `intake.rejected` audit row with the reason (the message is dead-lettered).
    case reject(messageID: String?, reason: String)
}
