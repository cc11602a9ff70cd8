import MimamoriCore

/// The meanings the SQL filters by, written out from the definitions in Swift so that a query
/// cannot drift from them: `kind IN \(LedgerVocabulary.personalDataKinds)` rather than a list
/// typed by hand.
enum LedgerVocabulary {
    /// The kinds whose notices carry personal data (`NoticeKind.carriesPersonalData`): alerts
    /// and updates.
    static let personalDataKinds = list(NoticeKind.allCases.filter(\.carriesPersonalData))
    /// Deliveries not finished (`DeliveryState.isFinal`): planned and sending.
    static let unfinishedStates = list(DeliveryState.allCases.filter { !$0.isFinal })
    /// Deliveries that ended owing the operator an alarm (`DeliveryState.owesAlarm`): failed and
    /// expired.
    static let alarmStates = list(DeliveryState.allCases.filter(\.owesAlarm))

    /// `('a', 'b')`, in declaration order (a partial index's `WHERE` matches it as written).
    static func list<Value: RawRepresentable>(_ values: [Value]) -> String where Value.RawValue == String {
        "(" + values.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    }
}
