import Foundation
import GRDB
import MimamoriCore

/// A registration as the ledger keeps it: sealed (`RegistryVault`), with only the dates that
/// schedule its reconfirmation in the clear.
public struct StoredRegistration: Sendable, Hashable {
    public var id: RegistrationID
    /// The sealed record; its data key is in the key store, not here.
    public var record: Data
    public var registeredOn: LocalDate
    public var confirmedOn: LocalDate
    /// The due date whose early reconfirmation reminder was sent, and whose overdue one.
    public var remindedDueSoon: LocalDate?
    public var remindedOverdue: LocalDate?

    public init(
        id: RegistrationID, record: Data, registeredOn: LocalDate, confirmedOn: LocalDate, remindedDueSoon: LocalDate? = nil,
        remindedOverdue: LocalDate? = nil
    ) {
        self.id = id
        self.record = record
        self.registeredOn = registeredOn
        self.confirmedOn = confirmedOn
        self.remindedDueSoon = remindedDueSoon
        self.remindedOverdue = remindedOverdue
    }

    public var reconfirmationDue: LocalDate { Reconfirmation.dueDate(confirmedOn: confirmedOn) }
}

/// One row of the registry's audit: who did what to which registration, when and why. Ids,
/// staff names and codes only: never a field of the registration.
public struct RegistryAuditEntry: Sendable, Hashable {
    /// `registered`, `updated`, `confirmed`, `removed`, `purged`, `shown`, `listed`, `sheet`,
    /// `find`, `reminded`, `merged` (an alert used it).
    public var action: String
    public var registrationID: RegistrationID?
    public var at: Date
    /// The staff member (their login or the name they gave), or `mimamorid`.
    public var by: String
    /// Why: the removal's reason, the police inquiry's reference, the case id of a merge.
    public var reason: String?

    public init(action: String, registrationID: RegistrationID?, at: Date, by: String, reason: String? = nil) {
        self.action = action
        self.registrationID = registrationID
        self.at = at
        self.by = by
        self.reason = reason
    }
}

/// The registry's rows in the ledger. The data keys are in `RegistryKeyStore`; `Registry`
/// (MimamoriService) is what orders the writes to both.
public protocol RegistryStore: Sendable {
    /// Every registration, by id.
    func registrations() async throws(LedgerError) -> [StoredRegistration]
    func registration(_ id: RegistrationID) async throws(LedgerError) -> StoredRegistration?
    /// Inserts (`isNew`, `.constraint` if the id is taken) or replaces a registration, with its
    /// audit row, in one transaction.
    func saveRegistration(_ registration: StoredRegistration, isNew: Bool, audit: RegistryAuditEntry) async throws(LedgerError)
    /// Deletes the registration's row and writes the audit row; false if there was none. The
    /// deleted bytes are zeroed and the WAL truncated before it returns.
    func removeRegistration(_ id: RegistrationID, audit: RegistryAuditEntry) async throws(LedgerError) -> Bool
    /// Records that a reconfirmation reminder went out for these registrations and the due date
    /// each was listed with (a confirmation made while the list was being sent moves the due
    /// date; its reminder is then still owed).
    func markReconfirmationReminded(
        _ due: [RegistrationID: LocalDate], stage: Reconfirmation.Stage, at: Date) async throws(LedgerError)
    func recordRegistryAudit(_ entry: RegistryAuditEntry) async throws(LedgerError)
    /// The audit rows of one registration, or of the whole registry, oldest first.
    func registryAudit(_ id: RegistrationID?) async throws(LedgerError) -> [RegistryAuditEntry]
}

extension Ledger: RegistryStore {
    public func registrations() async throws(LedgerError) -> [StoredRegistration] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM registrations ORDER BY id").map(Self.storedRegistration)
        }
    }

    public func registration(_ id: RegistrationID) async throws(LedgerError) -> StoredRegistration? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM registrations WHERE id = ?", arguments: [id.rawValue]).map(Self.storedRegistration)
        }
    }

    public func saveRegistration(_ registration: StoredRegistration, isNew: Bool, audit: RegistryAuditEntry) async throws(LedgerError) {
        try await write { db in
            let arguments: StatementArguments = [
                registration.id.rawValue, registration.record, registration.registeredOn.description,
                registration.confirmedOn.description, registration.remindedDueSoon?.description,
                registration.remindedOverdue?.description, audit.at.ledgerMillis,
            ]
            if isNew {
                try db.execute(
                    sql: """
                        INSERT INTO registrations (id, record, registered_on, confirmed_on, reminded_due_soon, reminded_overdue, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: arguments)
            } else {
                try db.execute(
                    sql: """
                        UPDATE registrations SET record = ?2, registered_on = ?3, confirmed_on = ?4, reminded_due_soon = ?5,
                            reminded_overdue = ?6, updated_at = ?7
                        WHERE id = ?1
                        """, arguments: arguments)
                guard db.changesCount == 1 else {
                    throw LedgerError(
                        code: .notFound, isRetriable: false, operatorHint: "check the registration id (mimamori registry list)",
                        message: "registration \(registration.id) is not in the ledger")
                }
            }
            try Self.registryAudit(db, audit)
        }
    }

    public func removeRegistration(_ id: RegistrationID, audit: RegistryAuditEntry) async throws(LedgerError) -> Bool {
        let removed = try await write { db in
            try db.execute(sql: "DELETE FROM registrations WHERE id = ?", arguments: [id.rawValue])
            guard db.changesCount > 0 else { return false }
            try Self.registryAudit(db, audit)
            return true
        }
        // secure_delete zeroed the freed cells in the WAL's pages; the checkpoint writes them
        // over the old ones in the file, and the truncate leaves no old frame behind.
        if removed { try await truncateWAL() }
        return removed
    }

    public func markReconfirmationReminded(
        _ due: [RegistrationID: LocalDate], stage: Reconfirmation.Stage, at: Date
    ) async throws(LedgerError) {
        guard !due.isEmpty else { return }
        try await write { db in
            let column = stage == .dueSoon ? "reminded_due_soon" : "reminded_overdue"
            for (id, date) in due.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "UPDATE registrations SET \(column) = ? WHERE id = ?", arguments: [date.description, id.rawValue])
                guard db.changesCount > 0 else { continue }
                try Self.registryAudit(
                    db, RegistryAuditEntry(action: "reminded", registrationID: id, at: at, by: "mimamorid", reason: stage.rawValue))
            }
        }
    }

    public func recordRegistryAudit(_ entry: RegistryAuditEntry) async throws(LedgerError) {
        try await write { db in try Self.registryAudit(db, entry) }
    }

    public func registryAudit(_ id: RegistrationID?) async throws(LedgerError) -> [RegistryAuditEntry] {
        try await read { db in
            let rows =
                if let id {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM registry_audit WHERE registration_id = ? ORDER BY id", arguments: [id.rawValue])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM registry_audit ORDER BY id")
                }
            return rows.map { row in
                RegistryAuditEntry(
                    action: row["action"], registrationID: (row["registration_id"] as String?).map(RegistrationID.init(_:)),
                    at: Date(ledgerMillis: row["at"]), by: row["by"], reason: row["reason"])
            }
        }
    }

    static func registryAudit(_ db: Database, _ entry: RegistryAuditEntry) throws {
        try db.execute(
            sql: "INSERT INTO registry_audit (at, registration_id, action, by, reason) VALUES (?, ?, ?, ?, ?)",
            arguments: [entry.at.ledgerMillis, entry.registrationID?.rawValue, entry.action, entry.by, entry.reason])
    }

    static func storedRegistration(_ row: Row) -> StoredRegistration {
        StoredRegistration(
            id: RegistrationID(row["id"] as String), record: row["record"],
            registeredOn: LocalDate(iso: row["registered_on"]) ?? LocalDate(1970, 1, 1),
            confirmedOn: LocalDate(iso: row["confirmed_on"]) ?? LocalDate(1970, 1, 1),
            remindedDueSoon: (row["reminded_due_soon"] as String?).flatMap(LocalDate.init(iso:)),
            remindedOverdue: (row["reminded_overdue"] as String?).flatMap(LocalDate.init(iso:)))
    }
}
