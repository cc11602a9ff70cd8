import Foundation
import GRDB
import MimamoriCore

/// A closed case whose destruction reminder went and whose second is not yet decided, as the
/// second-reminder pass sees it inside its transaction.
public struct SecondReminderCase: Sendable {
    public var caseID: CaseID
    public var drill: Bool
    /// The closure's revision, under which the reminders were planned.
    public var revision: Int
    public var closedAt: Date
    /// When the last of the first reminders was accepted: every one of them is finished.
    public var firstReminderWentAt: Date
    /// The case state as the core encoded it (when the documents were sent).
    public var state: CaseSnapshot
    /// Those the first reminder went to who have not confirmed destruction, with the address it
    /// went to (personal data: never log it).
    public var unconfirmed: [HoldingRecipient]
    /// Those the first reminder went to who have.
    public var confirmed: Int
}

/// What the pass decided for one case.
public struct SecondReminderDecision: Sendable {
    public var notices: [Intake.Notice]
    public var deliveries: [Intake.Delivery]
    public init(notices: [Intake.Notice], deliveries: [Intake.Delivery]) {
        self.notices = notices
        self.deliveries = deliveries
    }
}

/// What the pass recorded for one case: ids and counts.
public struct SecondReminderOutcome: Sendable, Hashable {
    public var caseID: CaseID
    public var planned: Int
    /// Recipients of the first reminder left out because they confirmed destruction.
    public var confirmed: Int

    public init(caseID: CaseID, planned: Int, confirmed: Int) {
        self.caseID = caseID
        self.planned = planned
        self.confirmed = confirmed
    }
}

/// The second destruction reminder (要綱 第11条の3, `reminders.second-after`).
public protocol SecondReminderStore: Sendable {
    /// In one transaction: every closed, unpurged case whose first destruction reminder went (all
    /// finished, at least one accepted, each carrying a confirmation code) and whose second is
    /// undecided is handed to `decide`; a decision is written with the case marked, so it is
    /// never decided twice; nil leaves the case for a later pass (not yet due).
    func planSecondReminders(
        now: Date, decide: @escaping @Sendable (SecondReminderCase) throws -> SecondReminderDecision?
    ) async throws(LedgerError) -> [SecondReminderOutcome]
}

extension Ledger: SecondReminderStore {
    public func planSecondReminders(
        now: Date, decide: @escaping @Sendable (SecondReminderCase) throws -> SecondReminderDecision?
    ) async throws(LedgerError) -> [SecondReminderOutcome] {
        let reminder = NoticeKind.destructionReminder.rawValue
        return try await write { db in
            // Reminders planned before `confirm:` was set carry no code: nobody could have
            // confirmed, so such a case gets no second reminder.
            let cases = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.drill, c.closed_at, c.state, c.state_name, max(d.revision) AS revision,
                           max(d.accepted_at) AS went_at
                    FROM cases c JOIN deliveries d ON d.case_id = c.id AND d.kind = '\(reminder)'
                    WHERE c.closed_at IS NOT NULL AND c.purged_at IS NULL AND c.second_reminder_at IS NULL
                    GROUP BY c.id
                    HAVING count(d.confirmation) = count(*)
                       AND sum(d.state IN \(LedgerVocabulary.unfinishedStates)) = 0
                       AND max(d.accepted_at) IS NOT NULL
                    ORDER BY c.closed_at, c.id
                    """)
            let recipients = try db.cachedStatement(
                sql: """
                    SELECT d.recipient_id, d.channel, max(d.address) AS address,
                           EXISTS (SELECT 1 FROM deliveries o WHERE o.case_id = d.case_id AND o.recipient_id = d.recipient_id
                                   AND o.destroyed_at IS NOT NULL) AS destroyed
                    FROM deliveries d
                    WHERE d.case_id = ? AND d.kind = '\(reminder)' AND d.state != '\(DeliveryState.cancelled.rawValue)'
                    GROUP BY d.recipient_id, d.channel ORDER BY d.channel, d.recipient_id
                    """)
            var outcomes: [SecondReminderOutcome] = []
            for row in cases {
                let id: String = row["id"]
                var unconfirmed: [HoldingRecipient] = []
                var confirmed = 0
                for r in try Row.fetchAll(recipients, arguments: [id]) {
                    if r["destroyed"] as Bool {
                        confirmed += 1
                    } else if let address = r["address"] as String?, let channel = Channel(rawValue: r["channel"]) {
                        unconfirmed.append(
                            HoldingRecipient(recipient: RecipientID(r["recipient_id"] as String), channel: channel, address: address))
                    }
                }
                let candidate = SecondReminderCase(
                    caseID: CaseID(id), drill: row["drill"], revision: row["revision"],
                    closedAt: Date(ledgerMillis: row["closed_at"]), firstReminderWentAt: Date(ledgerMillis: row["went_at"]),
                    state: CaseSnapshot(name: row["state_name"], data: row["state"] ?? Data()),
                    unconfirmed: unconfirmed, confirmed: confirmed)
                guard let decision = try decide(candidate) else { continue }
                try Self.insertPlanned(case: CaseID(id), notices: decision.notices, deliveries: decision.deliveries, at: now, in: db)
                try db.execute(sql: "UPDATE cases SET second_reminder_at = ? WHERE id = ?", arguments: [now.ledgerMillis, id])
                let byChannel = Channel.allCases.filter { $0 != .radio }.map { channel in
                    "\(channel.rawValue)=\(decision.deliveries.filter { $0.planned.channel == channel }.count)"
                }
                try Self.audit(
                    db, at: now, case: CaseID(id), event: "reminder.second",
                    detail: "planned=\(decision.deliveries.count) \(byChannel.joined(separator: " ")) confirmed=\(confirmed)")
                outcomes.append(SecondReminderOutcome(caseID: CaseID(id), planned: decision.deliveries.count, confirmed: confirmed))
            }
            return outcomes
        }
    }
}
