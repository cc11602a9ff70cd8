import Foundation
import MimamoriCore

// Not yet on PostgreSQL: each requirement throws until it is ported.
extension PostgresLedger: ConfirmationStore {
    public func confirmationTarget(_ code: ConfirmationCode) async throws(LedgerError) -> ConfirmationTarget? {
        throw PostgresLedger.notPorted(#function)
    }
    public func recordConfirmation( _ confirmation: Confirmation, code: ConfirmationCode, at: Date, via source: ConfirmationSource, by: String? ) async throws(LedgerError) -> ConfirmationOutcome {
        throw PostgresLedger.notPorted(#function)
    }
}
