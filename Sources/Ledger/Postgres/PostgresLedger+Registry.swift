import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: RegistryStore {
    public func registrations() async throws(LedgerError) -> [StoredRegistration] {
        throw PostgresLedger.notPorted(#function)
    }
    public func registration(_ id: RegistrationID) async throws(LedgerError) -> StoredRegistration? {
        throw PostgresLedger.notPorted(#function)
    }
    public func saveRegistration(_ registration: StoredRegistration, isNew: Bool, audit: RegistryAuditEntry) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func removeRegistration(_ id: RegistrationID, audit: RegistryAuditEntry) async throws(LedgerError) -> Bool {
        throw PostgresLedger.notPorted(#function)
    }
    public func markReconfirmationReminded( _ due: [RegistrationID: LocalDate], stage: Reconfirmation.Stage, at: Date) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func recordRegistryAudit(_ entry: RegistryAuditEntry) async throws(LedgerError) {
        throw PostgresLedger.notPorted(#function)
    }
    public func registryAudit(_ id: RegistrationID?) async throws(LedgerError) -> [RegistryAuditEntry] {
        throw PostgresLedger.notPorted(#function)
    }
}
