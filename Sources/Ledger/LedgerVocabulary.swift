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

    /// The core's "possibly sent" (`PossiblySent`) as an SQL condition on a delivery row.
    static let possiblySent: String = {
        func list(_ values: some Collection<String>) -> String { values.sorted().map { "'\($0)'" }.joined(separator: ", ") }
        return """
            (state IN (\(list(PossiblySent.always.map(\.rawValue))))
             OR (attempts > 0 AND state IN (\(list(PossiblySent.onceAttempted.map(\.rawValue)))))
             OR (state = '\(DeliveryState.failed.rawValue)' AND last_error_code IN (\(list(PossiblySent.failedYetPossiblySent)))))
            """
    }()

    /// `('a', 'b')`, in declaration order (a partial index's `WHERE` matches it as written).
    static func list<Value: RawRepresentable>(_ values: [Value]) -> String where Value.RawValue == String {
        "(" + values.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    }
}
