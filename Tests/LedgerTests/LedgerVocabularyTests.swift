import MimamoriCore
import Testing

@testable import Ledger

@Suite("Ledger vocabulary: the SQL's lists come from the definitions")
struct LedgerVocabularyTests {
    @Test("personal data kinds, unfinished states and alarm states as the SQL writes them")
    func lists() {
        #expect(LedgerVocabulary.personalDataKinds == "('alert', 'update')")
        #expect(LedgerVocabulary.unfinishedStates == "('planned', 'sending')")
        // The same text as the partial index `deliveries_unalarmed` (migration v2), so it is used.
        #expect(LedgerVocabulary.alarmStates == "('failed', 'expired')")
    }
}
