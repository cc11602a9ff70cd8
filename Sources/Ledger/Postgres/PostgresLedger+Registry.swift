import Foundation
import MimamoriCore

extension PostgresLedger: RegistryStore {
    public func registrations() async throws(LedgerError) -> [StoredRegistration] {
        try await read { transaction in
            try await transaction.rows("SELECT * FROM registrations ORDER BY id").map(StoredRegistration.init(postgres:))
        }
    }

    public func registration(_ id: RegistrationID) async throws(LedgerError) -> StoredRegistration? {
        try await read { transaction in
            try await transaction.row("SELECT * FROM registrations WHERE id = ?", [id.rawValue]).map(StoredRegistration.init(postgres:))
        }
    }

    public func saveRegistration(_ registration: StoredRegistration, isNew: Bool, audit: RegistryAuditEntry) async throws(LedgerError) {
        try await write { transaction in
            if isNew {
                try await transaction.execute(
                    """
                    INSERT INTO registrations (id, record, registered_on, confirmed_on, reminded_due_soon, reminded_overdue, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        registration.id.rawValue, registration.record, registration.registeredOn.description,
                        registration.confirmedOn.description, registration.remindedDueSoon?.description,
                        registration.remindedOverdue?.description, audit.at.ledgerMillis,
                    ])
            } else {
                let changed = try await transaction.execute(
                    """
                    UPDATE registrations SET record = ?, registered_on = ?, confirmed_on = ?, reminded_due_soon = ?,
                        reminded_overdue = ?, updated_at = ?
                    WHERE id = ?
                    """,
                    [
                        registration.record, registration.registeredOn.description, registration.confirmedOn.description,
                        registration.remindedDueSoon?.description, registration.remindedOverdue?.description,
                        audit.at.ledgerMillis, registration.id.rawValue,
                    ])
                guard changed == 1 else {
                    throw LedgerError(
                        code: .notFound, isRetriable: false, operatorHint: "check the registration id (mimamori registry list)",
                        message: "registration \(registration.id) is not in the ledger")
                }
            }
            try await Self.registryAudit(transaction, audit)
        }
    }

    public func removeRegistration(_ id: RegistrationID, audit: RegistryAuditEntry) async throws(LedgerError) -> Bool {
        let deleter: Bool? = try await write { transaction in
            guard try await transaction.execute("DELETE FROM registrations WHERE id = ?", [id.rawValue]) > 0 else { return nil }
            try await Self.registryAudit(transaction, audit)
            return true
        }
        guard deleter != nil else { return false }
        // PostgreSQL has no secure_delete: the deleted row stays in its page until the page is
        // reused. The rewrite (VACUUM FULL, as after a purge) leaves it in no file of the
        // database. Where an older snapshot keeps it from running, the removal stands (the
        // record's key is already destroyed in the key store, so its sealed bytes cannot be
        // opened) and the next purge's rewrite of the table takes it.
        do {
            try await rewrite(tables: ["registrations"])
        } catch {
            logger.warning(
                "ledger.rewrite-deferred",
                metadata: ["registration": "\(id.rawValue)", "code": "\(error.code)", "hint": "\(error.operatorHint)"])
        }
        return true
    }

    public func markReconfirmationReminded(
        _ due: [RegistrationID: LocalDate], stage: Reconfirmation.Stage, at: Date
    ) async throws(LedgerError) {
        guard !due.isEmpty else { return }
        try await write { transaction in
            let column = stage == .dueSoon ? "reminded_due_soon" : "reminded_overdue"
            for (id, date) in due.sorted(by: { $0.key < $1.key }) {
                let changed = try await transaction.execute(
                    "UPDATE registrations SET \(column) = ? WHERE id = ?", [date.description, id.rawValue])
                guard changed > 0 else { continue }
                try await Self.registryAudit(
                    transaction, RegistryAuditEntry(action: "reminded", registrationID: id, at: at, by: "mimamorid", reason: stage.rawValue)
                )
            }
        }
    }

    public func recordRegistryAudit(_ entry: RegistryAuditEntry) async throws(LedgerError) {
        try await write { transaction in try await Self.registryAudit(transaction, entry) }
    }

    public func registryAudit(_ id: RegistrationID?) async throws(LedgerError) -> [RegistryAuditEntry] {
        try await read { transaction in
            let rows =
                if let id {
                    try await transaction.rows("SELECT * FROM registry_audit WHERE registration_id = ? ORDER BY id", [id.rawValue])
                } else {
                    try await transaction.rows("SELECT * FROM registry_audit ORDER BY id")
                }
            return try rows.map { row in
                RegistryAuditEntry(
                    action: try row["action"], registrationID: (try row["registration_id"] as String?).map(RegistrationID.init(_:)),
                    at: Date(ledgerMillis: try row["at"]), by: try row["by"], reason: try row["reason"])
            }
        }
    }

    /// One row of the registry's audit (`Ledger.registryAudit`).
    static func registryAudit(_ transaction: PostgresTransaction, _ entry: RegistryAuditEntry) async throws {
        try await transaction.execute(
            "INSERT INTO registry_audit (at, registration_id, action, by, reason) VALUES (?, ?, ?, ?, ?)",
            [entry.at.ledgerMillis, entry.registrationID?.rawValue, entry.action, entry.by, entry.reason])
    }
}

extension StoredRegistration {
    init(postgres row: PostgresLedgerRow) throws {
        self.init(
            id: RegistrationID(try row["id"] as String), record: try row["record"],
            registeredOn: LocalDate(iso: try row["registered_on"]) ?? LocalDate(1970, 1, 1),
            confirmedOn: LocalDate(iso: try row["confirmed_on"]) ?? LocalDate(1970, 1, 1),
            remindedDueSoon: (try row["reminded_due_soon"] as String?).flatMap(LocalDate.init(iso:)),
            remindedOverdue: (try row["reminded_overdue"] as String?).flatMap(LocalDate.init(iso:)))
    }
}
