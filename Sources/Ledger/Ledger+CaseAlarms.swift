import Foundation
import GRDB
import MimamoriCore

/// A mail about one case that the ledger owes the staff or the operator until it is handed over.
public struct CaseAlarm: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The case was opened long ago and never closed: its personal data stays until it is.
        case openCase = "open-case"
        /// An `opened` event arrived too old to send; it waits for `mimamori release`.
        case heldStale = "held.stale"
        /// A closure's shelter request waits for the staff (no approval, an unknown facility, no
        /// `shelter:` settings): `mimamori shelter send`.
        case shelterHeld = "shelter.held"
        /// The morning of a stay's last day: end it or extend it.
        case shelterEnds = "shelter.ends"

        /// Who is told: a case question is the staff's; a held event also the operator's (it may
        /// be an outage or a replay on their side).
        public var audiences: [Audience] {
            switch self {
            case .openCase, .shelterHeld, .shelterEnds: [.staff]
            case .heldStale: [.staff, .operator]
            }
        }
    }

    public enum Audience: String, Sendable, Hashable, CaseIterable {
        case staff, `operator`
    }

    public var caseID: CaseID
    public var kind: Kind
    public var audience: Audience
    public var raisedAt: Date
    public var openedAt: Date
    public var drill: Bool
    /// The row's event schema: a concern report's alarm is worded as one.
    public var schema: String = EventSchema.case.rawValue
    /// The case's emergency temporary stay, for the shelter alarms (ids and dates).
    public var stay: ShelterStay? = nil
}

extension Ledger {
    /// Raises the open-case alarm (once per case, ever) for every case `Retention.isOpenTooLong`
    /// says has been open longer than `limit`. Returns the cases newly raised.
    @discardableResult
    public func raiseOpenCaseAlarms(openFor limit: Duration, now: Date) async throws(LedgerError) -> [CaseID] {
        try await write { db in
            // Cases with data and no open-case alarm yet; the core decides which are open too long.
            let ids = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, opened_at, closed_at FROM cases c WHERE purged_at IS NULL
                    AND NOT EXISTS (SELECT 1 FROM case_alarms a WHERE a.case_id = c.id AND a.kind = ?)
                    ORDER BY opened_at, id
                    """,
                arguments: [CaseAlarm.Kind.openCase.rawValue]
            ).filter { row in
                Retention.isOpenTooLong(
                    openedAt: Date(ledgerMillis: row["opened_at"]),
                    closedAt: (row["closed_at"] as Int64?).map(Date.init(ledgerMillis:)), limit: limit, now: now)
            }.map { $0["id"] as String }
            for id in ids {
                try Self.raise(.openCase, audience: .staff, case: CaseID(id), at: now, in: db)
            }
            return ids.map(CaseID.init(_:))
        }
    }

    static func raise(_ kind: CaseAlarm.Kind, audience: CaseAlarm.Audience, case caseID: CaseID, at: Date, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO case_alarms (case_id, kind, audience, raised_at) VALUES (?, ?, ?, ?)",
            arguments: [caseID.rawValue, kind.rawValue, audience.rawValue, at.ledgerMillis])
        if db.changesCount > 0 {
            try audit(db, at: at, case: caseID, event: "alarm.raised", detail: "kind=\(kind.rawValue) to=\(audience.rawValue)")
        }
    }

    /// The case alarms not yet handed to the mail relay, oldest first.
    public func owedCaseAlarms() async throws(LedgerError) -> [CaseAlarm] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.case_id, a.kind, a.audience, a.raised_at, c.opened_at, c.drill, c.schema
                    FROM case_alarms a JOIN cases c ON c.id = a.case_id
                    WHERE a.sent_at IS NULL ORDER BY a.raised_at, a.case_id, a.kind, a.audience
                    """
            ).compactMap { row in
                guard let kind = CaseAlarm.Kind(rawValue: row["kind"]), let audience = CaseAlarm.Audience(rawValue: row["audience"])
                else { return nil }
                let caseID = CaseID(row["case_id"] as String)
                var stay: ShelterStay?
                if kind == .shelterHeld || kind == .shelterEnds {
                    stay = try Row.fetchOne(db, sql: "SELECT * FROM shelter_stays WHERE case_id = ?", arguments: [caseID.rawValue])
                        .map { Self.storedStay($0).stay }
                }
                return CaseAlarm(
                    caseID: caseID, kind: kind, audience: audience,
                    raisedAt: Date(ledgerMillis: row["raised_at"]), openedAt: Date(ledgerMillis: row["opened_at"]),
                    drill: row["drill"], schema: row["schema"], stay: stay)
            }
        }
    }

    /// The alarm's mail was handed over: it is not owed any more.
    public func markCaseAlarmSent(_ alarm: CaseAlarm, at: Date) async throws(LedgerError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE case_alarms SET sent_at = ? WHERE case_id = ? AND kind = ? AND audience = ? AND sent_at IS NULL",
                arguments: [at.ledgerMillis, alarm.caseID.rawValue, alarm.kind.rawValue, alarm.audience.rawValue])
        }
    }
}
