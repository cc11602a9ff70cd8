import Foundation
import MimamoriCore

// The ledger as the daemon and the CLI see it: one protocol per role, each held by the part that
// plays against it (the intake holds an `IntakeStore`, the dispatcher a `DeliveryQueue` and an
// `AlarmOutbox`, …). `Ledger` (SQLite through GRDB) conforms to all of them; another backend
// conforms the same way, and `Tests/LedgerTests` runs the one conformance suite against every
// backend in `LedgerBackend.all`.
//
// Every requirement is one transaction: all of it is on disk, or none of it is.

/// Recording what a case event changes, and reading back what the intake decides from.
public protocol IntakeStore: Sendable {
    /// Records one accepted event and all it changes in one transaction; the broker message may
    /// be acked once this returns. A message id recorded before changes nothing (`.duplicate`).
    func recordIntake(_ intake: Intake) async throws(LedgerError) -> IntakeOutcome
    /// Decides and records one event in one transaction: `decide` is given what the ledger holds
    /// of the case (`IntakeReading`) and returns what to write; if it throws, nothing is written.
    func recordIntake<Decided: Sendable>(
        case caseID: CaseID, messageID: String, at: Date,
        deciding decide: @escaping @Sendable (IntakeReading) throws -> (entry: IntakeEntry, decided: Decided)
    ) async throws(LedgerError) -> (outcome: IntakeOutcome, decided: Decided)
    /// Writes what the intakes' `Intake.firstCommit` left kept: one chunk per transaction (the one
    /// requirement of several), oldest first, calling `afterEach` after each commit; returns once
    /// none is left. A stop in between leaves the rest kept, and `DeliveryQueue.resume` completes
    /// it at the next start.
    func completePlans(afterEach: @escaping @Sendable () -> Void) async throws(LedgerError) -> PlanCompletion
    /// Whether an event with this message id was ever recorded (it outlives the purge).
    func knowsMessage(_ messageID: String) async throws(LedgerError) -> Bool
    /// A message acked without effect (a repeated message id, a stale sequence).
    func recordIgnored(messageID: String, caseID: CaseID?, reason: String, at: Date) async throws(LedgerError)
    /// A message dead-lettered (it can never succeed). No body is kept.
    func recordRejected(messageID: String?, caseID: CaseID?, reason: String, at: Date) async throws(LedgerError)
    /// The case's last recorded state, or nil if the case is unknown.
    func caseSnapshot(case caseID: CaseID) async throws(LedgerError) -> StoredCase?
    /// Recipients whose alert or update was delivered, or may have been.
    func recipientsHoldingPersonalData(case caseID: CaseID) async throws(LedgerError) -> [HoldingRecipient]
    /// Whether the radio announced the search (or may have).
    func radioAnnounced(case caseID: CaseID) async throws(LedgerError) -> Bool
    /// The body of the case's newest alert or update event (the person as last described), or
    /// nil when there is none or it was purged: what a closure's shelter request is made from.
    func latestDescription(case caseID: CaseID) async throws(LedgerError) -> Data?
    /// The case if it is held as stale, with its newest event (`mimamori release`).
    func heldCase(_ caseID: CaseID) async throws(LedgerError) -> HeldCase?
    /// Releases a held case: its new state, notices and deliveries; `.notFound` if it is no
    /// longer held at `sequence`.
    func recordRelease(
        _ caseID: CaseID, sequence: Int, state: CaseSnapshot, notices: [Intake.Notice], deliveries: [Intake.Delivery],
        at: Date
    ) async throws(LedgerError) -> Int
}

/// Deliveries not yet finished, by channel: read by the dispatcher at start, by the reports and
/// for the backlog metrics.
public protocol DeliveryBacklog: Sendable {
    /// Planned or sending deliveries by channel (every channel present, 0 when none).
    func backlog() async throws(LedgerError) -> [Channel: Int]
    /// When the oldest planned delivery due at `now` fell due, by channel (no entry when none is
    /// due): the backlog-age metric.
    func oldestDue(now: Date) async throws(LedgerError) -> [Channel: Date]
}

/// The dispatcher's queue: claim what is due, record each attempt's outcome, resume after a crash.
public protocol DeliveryQueue: DeliveryBacklog {
    /// Moves up to `limit` due planned deliveries of `channel` to `sending` and returns them,
    /// oldest due first; one back from more than one crash is claimed alone.
    func claimDue(now: Date, channel: Channel, limit: Int) async throws(LedgerError) -> [DeliveryJob]
    /// Gives claimed deliveries never handed to an outlet back to `planned`, uncounted.
    func release(_ ids: [DeliveryID]) async throws(LedgerError)
    /// The earliest due time of a planned delivery of `channel`.
    func nextDue(channel: Channel) async throws(LedgerError) -> Date?
    /// At start: fails what came back from more than `Ledger.crashLoopLimit` crashes, plans the
    /// rest of `sending` again, due `now`.
    func resume(now: Date) async throws(LedgerError) -> Ledger.Resumption
    /// Records an attempt's outcome on a `sending` delivery; ignored for one no longer sending.
    func record(_ outcome: DeliveryOutcome, for id: DeliveryID) async throws(LedgerError)
    /// The server refused a notice's message itself: every planned delivery of it fails alike.
    @discardableResult
    func failNotice(
        case caseID: CaseID, revision: Int, kind: NoticeKind, channel: Channel, error: DeliveryErrorRecord, at: Date
    ) async throws(LedgerError) -> Int
    /// The radio alerts and updates of a case that were attempted, oldest first (what a CAP
    /// `Update`, the all-clear among them, refers to).
    func announcements(case caseID: CaseID) async throws(LedgerError) -> [Announcement]
}

/// What the ledger owes a person until it is handed over: the alarm of each failed or expired
/// delivery (to the operator), and the case alarms (to the staff and the operator).
public protocol AlarmOutbox: Sendable {
    /// Failed and expired deliveries still owed an alarm that ended before `finishedBefore`,
    /// oldest first, at most `limit`.
    func pendingAlarms(finishedBefore: Date, limit: Int) async throws(LedgerError) -> [PendingAlarm]
    /// The delivery's alarm went out: not owed any more.
    func markAlarmed(_ id: DeliveryID, at: Date) async throws(LedgerError)
    /// The case alarms not yet handed to the mail relay, oldest first.
    func owedCaseAlarms() async throws(LedgerError) -> [CaseAlarm]
    /// The case alarm's mail was handed over: not owed any more.
    func markCaseAlarmSent(_ alarm: CaseAlarm, at: Date) async throws(LedgerError)
}

extension AlarmOutbox {
    /// The owed delivery alarms, a hundred at a time.
    public func pendingAlarms(finishedBefore: Date) async throws(LedgerError) -> [PendingAlarm] {
        try await pendingAlarms(finishedBefore: finishedBefore, limit: 100)
    }
}

/// What the CLI and the status publisher read (`mimamori status`, `report`), and staff's resend.
public protocol CaseReports: DeliveryBacklog {
    /// The status of one case, or nil if unknown.
    func status(case caseID: CaseID) async throws(LedgerError) -> CaseStatus?
    /// The status of every case not yet purged, newest first.
    func status() async throws(LedgerError) -> [CaseStatus]
    /// Every delivery of a case; addresses only when `withAddresses` (`--with-names`).
    func report(case caseID: CaseID, withAddresses: Bool) async throws(LedgerError) -> [ReportLine]
    /// The events recorded for a case, oldest first (ids, kinds, times).
    func events(case caseID: CaseID) async throws(LedgerError) -> [RecordedEvent]
    /// Cases opened and not yet closed.
    func openCaseCount() async throws(LedgerError) -> Int
    /// The audit trail of a case, or of the whole ledger when nil, oldest first.
    func audit(case caseID: CaseID?) async throws(LedgerError) -> [AuditEntry]
    /// Plans the failed and expired deliveries the request names again (`mimamori resend`).
    func resend(_ request: ResendRequest, now: Date, deadline: Date) async throws(LedgerError) -> ResendResult
}

extension CaseReports {
    /// Every delivery of a case, without addresses.
    public func report(case caseID: CaseID) async throws(LedgerError) -> [ReportLine] {
        try await report(case: caseID, withAddresses: false)
    }
}

/// The end of a case's personal data: the purge the retention asks for, and the open-case alarm
/// of a case whose data stays because it was never closed.
public protocol RetentionStore: Sendable {
    /// Removes the personal data of every case `Retention.isDueForPurge` says must go, and makes
    /// sure the bytes leave the storage. Safe to repeat.
    @discardableResult
    func purge(retention: Duration, now: Date) async throws(LedgerError) -> PurgeOutcome
    /// Makes sure no old copy of purged data is left beside the live storage (SQLite: the WAL).
    func truncateWAL() async throws(LedgerError)
    /// Which of these case ids are purged (their files outside the ledger must go).
    func purgedCases(among ids: Set<String>) async throws(LedgerError) -> Set<String>
    /// Raises the open-case alarm, once per case, of every case `Retention.isOpenTooLong` names;
    /// returns the cases newly raised.
    @discardableResult
    func raiseOpenCaseAlarms(openFor limit: Duration, now: Date) async throws(LedgerError) -> [CaseID]
}

/// Every role at once: what the daemon opens and hands out role by role.
/// Our cases' events waiting to go to a partner town's daemon (`partner_forwards`).
public protocol PartnerForwardOutbox: Sendable {
    /// Forwards not yet confirmed by the broker, oldest first, at most `limit`, none to the
    /// partners in `excluding` (those whose forward the broker refused in this pass: each
    /// partner's forwards keep their order, and one refused partner holds up no other).
    func pendingForwards(limit: Int, excluding: Set<String>) async throws(LedgerError) -> [PartnerForward]
    /// The broker confirmed it: the body goes, the record that it went stays.
    func markForwarded(_ forward: PartnerForward, at: Date) async throws(LedgerError)
    /// How many wait, and since when the oldest does.
    func forwardBacklog() async throws(LedgerError) -> (count: Int, oldest: Date?)
}

extension PartnerForwardOutbox {
    /// Forwards not yet confirmed by the broker, oldest first, at most `limit`, to every partner.
    public func pendingForwards(limit: Int) async throws(LedgerError) -> [PartnerForward] {
        try await pendingForwards(limit: limit, excluding: [])
    }
}

public typealias CaseLedger = IntakeStore & DeliveryQueue & AlarmOutbox & CaseReports & RetentionStore & ConcernCallbacks & RegistryStore
    & ShelterStore & ConfirmationStore & SecondReminderStore & FaxLineStore & PartnerForwardOutbox
