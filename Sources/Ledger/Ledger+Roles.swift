/// The SQLite ledger plays every role (`LedgerRoles.swift`).
extension Ledger: IntakeStore, DeliveryQueue, AlarmOutbox, CaseReports, RetentionStore, PartnerForwardOutbox {}
