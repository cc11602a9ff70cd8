import Foundation
import MimamoriCore

extension PostgresLedger: ShelterStore {
    public func stay(case caseID: CaseID) async throws(LedgerError) -> StoredStay? {
        try await read { transaction in
            try await transaction.row("SELECT * FROM shelter_stays WHERE case_id = ?", [caseID.rawValue]).map(StoredStay.init(postgres:))
        }
    }

    public func stays() async throws(LedgerError) -> [StoredStay] {
        try await read { transaction in
            try await transaction.rows("SELECT * FROM shelter_stays ORDER BY created_at DESC, case_id").map(StoredStay.init(postgres:))
        }
    }

    public func recordShelterChange(_ change: ShelterChange, at: Date) async throws(LedgerError) {
        try await write { transaction in
            let stay = change.stay
            let changed = try await transaction.execute(
                """
                UPDATE shelter_stays SET facility_id = ?, days = ?, approved_by = ?, state = ?, held_reason = ?, amendments = ?,
                    revision = ?, ended_at = ?, updated_at = ?
                WHERE case_id = ? AND state = ? AND revision = ? AND form IS NOT NULL
                """,
                [
                    stay.facilityID, stay.days, stay.approvedBy, stay.state.rawValue, stay.holdReason?.rawValue, stay.amendments,
                    stay.revision, stay.endedAt?.ledgerMillis, at.ledgerMillis, stay.caseID.rawValue, change.fromState.rawValue,
                    change.fromRevision,
                ])
            guard changed == 1 else {
                throw LedgerError(
                    code: .notFound, isRetriable: true, operatorHint: "run the command again",
                    message: "the stay of \(stay.caseID) changed since it was read")
            }
            // An ended stay: a request still waiting to go (a paused FAX line, a held retry) would
            // reach the facility after the person went home; it is withdrawn. One being sent
            // goes on, and the facility's reminder to destroy it follows.
            var withdrawn = 0
            if stay.state == .ended {
                withdrawn = try await transaction.execute(
                    """
                    UPDATE deliveries SET state = 'cancelled', finished_at = ?
                    WHERE case_id = ? AND kind = ? AND state = 'planned'
                    """, [at.ledgerMillis, stay.caseID.rawValue, NoticeKind.shelterRequest.rawValue])
            }
            try await Self.insertPlanned(case: stay.caseID, notices: change.notices, deliveries: change.deliveries, at: at, in: transaction)
            try await Self.audit(
                transaction, at: at, case: stay.caseID, event: change.event,
                detail: "by=\(Ledger.auditToken(change.by)) \(change.detail)" + (withdrawn > 0 ? " withdrawn=\(withdrawn)" : ""))
        }
    }

    @discardableResult
    public func raiseShelterReminders(remindAt: TimeOfDay, now: Date) async throws(LedgerError) -> [CaseID] {
        try await write { transaction in
            var raised: [CaseID] = []
            let rows = try await transaction.rows(
                "SELECT * FROM shelter_stays WHERE state = 'sent' AND form IS NOT NULL ORDER BY case_id")
            for row in rows {
                let stay = try StoredStay(postgres: row).stay
                guard let lastDay = stay.reminderOwed(now: now, remindAt: remindAt) else { continue }
                // An extension moved the last day: the reminder is owed again for the new one.
                try await transaction.execute(
                    "DELETE FROM case_alarms WHERE case_id = ? AND kind = ?",
                    [stay.caseID.rawValue, CaseAlarm.Kind.shelterEnds.rawValue])
                for audience in CaseAlarm.Kind.shelterEnds.audiences {
                    try await Self.raise(.shelterEnds, audience: audience, case: stay.caseID, at: now, in: transaction)
                }
                try await transaction.execute(
                    "UPDATE shelter_stays SET reminded_for = ? WHERE case_id = ?", [lastDay.description, stay.caseID.rawValue])
                raised.append(stay.caseID)
            }
            return raised
        }
    }
}

extension StoredStay {
    init(postgres row: PostgresLedgerRow) throws {
        stay = ShelterStay(
            caseID: CaseID(try row["case_id"] as String), facilityID: try row["facility_id"],
            startsOn: LocalDate(iso: try row["starts_on"]) ?? LocalDate(1970, 1, 1), days: try row["days"],
            approvedBy: try row["approved_by"], state: ShelterStay.State(rawValue: try row["state"]) ?? .held,
            holdReason: (try row["held_reason"] as String?).flatMap(ShelterStay.HoldReason.init(rawValue:)),
            amendments: try row["amendments"], revision: try row["revision"],
            endedAt: (try row["ended_at"] as Int64?).map(Date.init(ledgerMillis:)),
            remindedFor: (try row["reminded_for"] as String?).flatMap(LocalDate.init(iso:)), drill: try row["drill"])
        form = try row["form"]
        createdAt = Date(ledgerMillis: try row["created_at"])
        updatedAt = Date(ledgerMillis: try row["updated_at"])
    }
}
