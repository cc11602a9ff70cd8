import Foundation
import GRDB
import MimamoriCore

/// An emergency temporary stay as the ledger keeps it.
public struct StoredStay: Sendable, Hashable {
    public var stay: ShelterStay
    /// The request's fields as the core encoded them (`ShelterRequest`); nil once the case was
    /// purged. Personal data.
    public var form: Data?
    public var createdAt: Date
    public var updatedAt: Date
}

/// A change of a stay the staff made (`mimamori shelter send`, `extend`, `end`), decided by
/// the core from the stay as it was read: written only if the stay is still in that state at
/// that revision, in one transaction with its notices, deliveries and audit row.
public struct ShelterChange: Sendable {
    public var stay: ShelterStay
    public var fromState: ShelterStay.State
    public var fromRevision: Int
    public var notices: [Intake.Notice]
    public var deliveries: [Intake.Delivery]
    /// `shelter.sent`, `shelter.extended`, `shelter.ended`.
    public var event: String
    /// Ids, codes and counts (logfmt).
    public var detail: String
    /// The staff member (a login), written into the audit row as `by=`.
    public var by: String

    public init(
        stay: ShelterStay, fromState: ShelterStay.State, fromRevision: Int, notices: [Intake.Notice], deliveries: [Intake.Delivery],
        event: String, detail: String, by: String
    ) {
        self.stay = stay
        self.fromState = fromState
        self.fromRevision = fromRevision
        self.notices = notices
        self.deliveries = deliveries
        self.event = event
        self.detail = detail
        self.by = by
    }
}

/// The stays beside their cases: read by `mimamori shelter`, changed by the staff, reminded by
/// the daemon. A closure's stay is written by the intake (`Intake.shelterStay`), a stay without
/// a case by `recordIntake` of its own record.
public protocol ShelterStore: Sendable {
    func stay(case caseID: CaseID) async throws(LedgerError) -> StoredStay?
    /// Every stay, newest first.
    func stays() async throws(LedgerError) -> [StoredStay]
    /// Writes the change; `.notFound` when the stay changed since it was read (run it again).
    func recordShelterChange(_ change: ShelterChange, at: Date) async throws(LedgerError)
    /// Raises the staff's reminder (`shelter.ends`) of every stay whose last morning has come
    /// (`ShelterStay.reminderOwed`), once per last day; returns the cases newly raised.
    @discardableResult
    func raiseShelterReminders(remindAt: TimeOfDay, now: Date) async throws(LedgerError) -> [CaseID]
}

extension Ledger: ShelterStore {
    public func latestDescription(case caseID: CaseID) async throws(LedgerError) -> Data? {
        try await read { db in
            try Data.fetchOne(
                db,
                sql: """
                    SELECT body FROM events WHERE case_id = ? AND kind IN ('\(CaseEvent.Kind.opened.rawValue)', '\(CaseEvent.Kind.updated.rawValue)')
                    AND body IS NOT NULL ORDER BY sequence DESC LIMIT 1
                    """, arguments: [caseID.rawValue])
        }
    }

    public func stay(case caseID: CaseID) async throws(LedgerError) -> StoredStay? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM shelter_stays WHERE case_id = ?", arguments: [caseID.rawValue]).map(Self.storedStay)
        }
    }

    public func stays() async throws(LedgerError) -> [StoredStay] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM shelter_stays ORDER BY created_at DESC, case_id").map(Self.storedStay)
        }
    }

    public func recordShelterChange(_ change: ShelterChange, at: Date) async throws(LedgerError) {
        try await write { db in
            let stay = change.stay
            try db.execute(
                sql: """
                    UPDATE shelter_stays SET facility_id = ?, days = ?, approved_by = ?, state = ?, held_reason = ?, amendments = ?,
                        revision = ?, ended_at = ?, updated_at = ?
                    WHERE case_id = ? AND state = ? AND revision = ? AND form IS NOT NULL
                    """,
                arguments: [
                    stay.facilityID, stay.days, stay.approvedBy, stay.state.rawValue, stay.holdReason?.rawValue, stay.amendments,
                    stay.revision, stay.endedAt?.ledgerMillis, at.ledgerMillis, stay.caseID.rawValue, change.fromState.rawValue,
                    change.fromRevision,
                ])
            guard db.changesCount == 1 else {
                throw LedgerError(
                    code: .notFound, isRetriable: true, operatorHint: "run the command again",
                    message: "the stay of \(stay.caseID) changed since it was read")
            }
            // An ended stay: a request still waiting to go (a paused FAX line, a held retry) would
            // reach the facility after the person went home; it is withdrawn. One being sent
            // goes on, and the facility's reminder to destroy it follows.
            var withdrawn = 0
            if stay.state == .ended {
                try db.execute(
                    sql: """
                        UPDATE deliveries SET state = 'cancelled', finished_at = ?
                        WHERE case_id = ? AND kind = ? AND state = 'planned'
                        """, arguments: [at.ledgerMillis, stay.caseID.rawValue, NoticeKind.shelterRequest.rawValue])
                withdrawn = db.changesCount
            }
            try Self.insertPlanned(case: stay.caseID, notices: change.notices, deliveries: change.deliveries, at: at, in: db)
            try Self.audit(
                db, at: at, case: stay.caseID, event: change.event,
                detail: "by=\(Self.auditToken(change.by)) \(change.detail)" + (withdrawn > 0 ? " withdrawn=\(withdrawn)" : ""))
        }
    }

    @discardableResult
    public func raiseShelterReminders(remindAt: TimeOfDay, now: Date) async throws(LedgerError) -> [CaseID] {
        try await write { db in
            var raised: [CaseID] = []
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM shelter_stays WHERE state = 'sent' AND form IS NOT NULL ORDER BY case_id")
            for row in rows {
                let stay = Self.storedStay(row).stay
                guard let lastDay = stay.reminderOwed(now: now, remindAt: remindAt) else { continue }
                // An extension moved the last day: the reminder is owed again for the new one.
                try db.execute(
                    sql: "DELETE FROM case_alarms WHERE case_id = ? AND kind = ?",
                    arguments: [stay.caseID.rawValue, CaseAlarm.Kind.shelterEnds.rawValue])
                for audience in CaseAlarm.Kind.shelterEnds.audiences {
                    try Self.raise(.shelterEnds, audience: audience, case: stay.caseID, at: now, in: db)
                }
                try db.execute(
                    sql: "UPDATE shelter_stays SET reminded_for = ? WHERE case_id = ?",
                    arguments: [lastDay.description, stay.caseID.rawValue])
                raised.append(stay.caseID)
            }
            return raised
        }
    }

    static func insertStay(_ stay: ShelterStay, form: Data, at created: Int64, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO shelter_stays (case_id, facility_id, starts_on, days, approved_by, state, held_reason, amendments, revision,
                    ended_at, reminded_for, drill, form, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                stay.caseID.rawValue, stay.facilityID, stay.startsOn.description, stay.days, stay.approvedBy, stay.state.rawValue,
                stay.holdReason?.rawValue, stay.amendments, stay.revision, stay.endedAt?.ledgerMillis, stay.remindedFor?.description,
                stay.drill, form, created, created,
            ])
    }

    /// Notices and planned deliveries written beside an event or a staff's change: the running
    /// daemon's dispatcher finds them at its next look.
    static func insertPlanned(
        case caseID: CaseID, notices: [Intake.Notice], deliveries: [Intake.Delivery], at: Date, in db: Database
    ) throws {
        let created = at.ledgerMillis
        for notice in notices {
            try db.execute(
                sql: """
                    INSERT INTO notices (case_id, revision, kind, channel, content, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET content = excluded.content
                    """,
                arguments: [caseID.rawValue, notice.revision, notice.kind.rawValue, notice.channel.rawValue, notice.content, created])
        }
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO deliveries (case_id, revision, recipient_id, address, channel, kind, state,
                    attempts, not_before, next_attempt_at, deadline_at, idempotency_key, created_at, confirmation)
                VALUES (?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?, ?, ?, ?, ?)
                """)
        for delivery in deliveries {
            let p = delivery.planned
            let notBefore = p.notBefore.ledgerMillis
            try insert.execute(arguments: [
                p.caseID.rawValue, p.revision, p.recipient.rawValue, delivery.address, p.channel.rawValue,
                p.kind.rawValue, notBefore, notBefore, delivery.deadline.ledgerMillis, p.idempotencyKey, created,
                delivery.confirmation?.rawValue,
            ])
        }
    }

    static func storedStay(_ row: Row) -> StoredStay {
        StoredStay(
            stay: ShelterStay(
                caseID: CaseID(row["case_id"] as String), facilityID: row["facility_id"],
                startsOn: LocalDate(iso: row["starts_on"]) ?? LocalDate(1970, 1, 1), days: row["days"], approvedBy: row["approved_by"],
                state: ShelterStay.State(rawValue: row["state"]) ?? .held,
                holdReason: (row["held_reason"] as String?).flatMap(ShelterStay.HoldReason.init(rawValue:)),
                amendments: row["amendments"], revision: row["revision"],
                endedAt: (row["ended_at"] as Int64?).map(Date.init(ledgerMillis:)),
                remindedFor: (row["reminded_for"] as String?).flatMap(LocalDate.init(iso:)), drill: row["drill"]),
            form: row["form"], createdAt: Date(ledgerMillis: row["created_at"]), updatedAt: Date(ledgerMillis: row["updated_at"]))
    }
}
