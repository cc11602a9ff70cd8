import Foundation
import MimamoriCore

extension PostgresLedger: SecondReminderStore {
    public func planSecondReminders(
        now: Date, decide: @escaping @Sendable (SecondReminderCase) throws -> SecondReminderDecision?
    ) async throws(LedgerError) -> [SecondReminderOutcome] {
        let reminder = NoticeKind.destructionReminder.rawValue
        return try await write { transaction in
            // Reminders planned before `confirm:` was set carry no code: nobody could have
            // confirmed, so such a case gets no second reminder.
            let cases = try await transaction.rows(
                """
                SELECT c.id, c.drill, c.closed_at, c.state, c.state_name, max(d.revision) AS revision,
                       max(d.accepted_at) AS went_at
                FROM cases c JOIN deliveries d ON d.case_id = c.id AND d.kind = '\(reminder)'
                WHERE c.closed_at IS NOT NULL AND c.purged_at IS NULL AND c.second_reminder_at IS NULL
                GROUP BY c.id
                HAVING count(d.confirmation) = count(*)
                   AND count(*) FILTER (WHERE d.state IN \(LedgerVocabulary.unfinishedStates)) = 0
                   AND max(d.accepted_at) IS NOT NULL
                ORDER BY c.closed_at, c.id
                """)
            let recipients = """
                SELECT d.recipient_id, d.channel, max(d.address) AS address,
                       EXISTS (SELECT 1 FROM deliveries o WHERE o.case_id = d.case_id AND o.recipient_id = d.recipient_id
                               AND o.destroyed_at IS NOT NULL) AS destroyed
                FROM deliveries d
                WHERE d.case_id = ? AND d.kind = '\(reminder)' AND d.state != '\(DeliveryState.cancelled.rawValue)'
                GROUP BY d.case_id, d.recipient_id, d.channel ORDER BY d.channel, d.recipient_id
                """
            var outcomes: [SecondReminderOutcome] = []
            for row in cases {
                let id: String = try row["id"]
                var unconfirmed: [HoldingRecipient] = []
                var confirmed = 0
                for r in try await transaction.rows(recipients, [id]) {
                    if try r["destroyed"] as Bool {
                        confirmed += 1
                    } else if let address = try r["address"] as String?, let channel = Channel(rawValue: try r["channel"]) {
                        unconfirmed.append(
                            HoldingRecipient(recipient: RecipientID(try r["recipient_id"] as String), channel: channel, address: address))
                    }
                }
                let candidate = SecondReminderCase(
                    caseID: CaseID(id), drill: try row["drill"], revision: try row["revision"],
                    closedAt: Date(ledgerMillis: try row["closed_at"]), firstReminderWentAt: Date(ledgerMillis: try row["went_at"]),
                    state: CaseSnapshot(name: try row["state_name"], data: try row["state"] ?? Data()),
                    unconfirmed: unconfirmed, confirmed: confirmed)
                guard let decision = try decide(candidate) else { continue }
                try await Self.insertPlanned(
                    case: CaseID(id), notices: decision.notices, deliveries: decision.deliveries, at: now, in: transaction)
                try await transaction.execute("UPDATE cases SET second_reminder_at = ? WHERE id = ?", [now.ledgerMillis, id])
                let byChannel = Channel.allCases.filter { $0 != .radio }.map { channel in
                    "\(channel.rawValue)=\(decision.deliveries.filter { $0.planned.channel == channel }.count)"
                }
                try await Self.audit(
                    transaction, at: now, case: CaseID(id), event: "reminder.second",
                    detail: "planned=\(decision.deliveries.count) \(byChannel.joined(separator: " ")) confirmed=\(confirmed)")
                outcomes.append(SecondReminderOutcome(caseID: CaseID(id), planned: decision.deliveries.count, confirmed: confirmed))
            }
            return outcomes
        }
    }
}
