import Foundation
import MimamoriCore

extension PostgresLedger: AlarmOutbox {
    /// Failed and expired deliveries still owed an alarm that ended before `finishedBefore`,
    /// oldest first.
    public func pendingAlarms(finishedBefore: Date, limit: Int) async throws(LedgerError) -> [PendingAlarm] {
        try await read { transaction in
            try await transaction.rows(
                """
                SELECT id, case_id, recipient_id, channel, kind, state, attempts, last_error_code, finished_at, resends
                FROM deliveries
                WHERE alarmed_at IS NULL AND state IN \(LedgerVocabulary.alarmStates) AND finished_at < ?
                ORDER BY finished_at, id LIMIT ?
                """,
                [finishedBefore.ledgerMillis, limit]
            ).compactMap { row -> PendingAlarm? in
                guard let channel = Channel(rawValue: try row["channel"]), let kind = NoticeKind(rawValue: try row["kind"]),
                    let state = DeliveryState(rawValue: try row["state"])
                else { return nil }
                return PendingAlarm(
                    deliveryID: DeliveryID(rawValue: try row["id"]), caseID: CaseID(try row["case_id"] as String),
                    recipient: RecipientID(try row["recipient_id"] as String), channel: channel, kind: kind, state: state,
                    attempts: try row["attempts"], errorCode: try row["last_error_code"],
                    finishedAt: Date(ledgerMillis: try row["finished_at"]), resends: try row["resends"])
            }
        }
    }

    /// The delivery's alarm went out (or was handed to the journal): not owed any more.
    public func markAlarmed(_ id: DeliveryID, at: Date) async throws(LedgerError) {
        try await write { transaction in
            _ = try await transaction.execute(
                "UPDATE deliveries SET alarmed_at = ? WHERE id = ? AND alarmed_at IS NULL", [at.ledgerMillis, id.rawValue])
        }
    }

    /// The case alarms not yet handed to the mail relay, oldest first.
    public func owedCaseAlarms() async throws(LedgerError) -> [CaseAlarm] {
        try await read { transaction in
            var alarms: [CaseAlarm] = []
            for row in try await transaction.rows(
                """
                SELECT a.case_id, a.kind, a.audience, a.raised_at, c.opened_at, c.drill, c.schema
                FROM case_alarms a JOIN cases c ON c.id = a.case_id
                WHERE a.sent_at IS NULL ORDER BY a.raised_at, a.case_id, a.kind, a.audience
                """)
            {
                guard let kind = CaseAlarm.Kind(rawValue: try row["kind"]),
                    let audience = CaseAlarm.Audience(rawValue: try row["audience"])
                else { continue }
                let caseID = CaseID(try row["case_id"] as String)
                var stay: ShelterStay?
                if kind == .shelterHeld || kind == .shelterEnds {
                    stay = try await transaction.row("SELECT * FROM shelter_stays WHERE case_id = ?", [caseID.rawValue])
                        .map { try StoredStay(postgres: $0).stay }
                }
                alarms.append(
                    CaseAlarm(
                        caseID: caseID, kind: kind, audience: audience,
                        raisedAt: Date(ledgerMillis: try row["raised_at"]), openedAt: Date(ledgerMillis: try row["opened_at"]),
                        drill: try row["drill"], schema: try row["schema"], stay: stay))
            }
            return alarms
        }
    }

    /// The alarm's mail was handed over: it is not owed any more.
    public func markCaseAlarmSent(_ alarm: CaseAlarm, at: Date) async throws(LedgerError) {
        try await write { transaction in
            _ = try await transaction.execute(
                "UPDATE case_alarms SET sent_at = ? WHERE case_id = ? AND kind = ? AND audience = ? AND sent_at IS NULL",
                [at.ledgerMillis, alarm.caseID.rawValue, alarm.kind.rawValue, alarm.audience.rawValue])
        }
    }
}
