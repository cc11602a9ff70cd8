/// What became of a message of the corpus, however the suite observed it (the intake's decision,
/// the dead-letter queue and the daemon's log, the ledger).
public enum HostileOutcome: Sendable, Hashable, CustomStringConvertible {
    case rejected(String)
    case ignored(String)
    /// Accepted, with this many deliveries planned.
    case planned(Int)

    public var description: String {
        switch self {
        case .rejected(let reason): "rejected(\(reason))"
        case .ignored(let reason): "ignored(\(reason))"
        case .planned(let count): "planned(\(count) deliveries)"
        }
    }
}

extension HostileCase {
    /// What is wrong with `outcome` for this case (nothing: empty): the expected end, a reason
    /// an operator's tools can read, no personal data in it.
    public func problems(with outcome: HostileOutcome) -> [String] {
        var problems: [String] = []
        switch (outcome, expected) {
        case (.rejected(let reason), .rejected(let allowed)):
            if !allowed.contains(reason) { problems.append("rejected with \(reason), expected one of \(allowed)") }
        case (.ignored(let reason), .ignored(let wanted)):
            if reason != wanted { problems.append("ignored with \(reason), expected \(wanted)") }
        case (.planned(let count), .planned):
            if count == 0 { problems.append("accepted but planned nothing") }
        case (.planned(let count), .plannedNothing):
            if count != 0 { problems.append("planned \(count) deliveries without consent") }
        case (.planned, .accepted):
            break
        default:
            problems.append("\(outcome), expected \(expected)")
        }
        switch outcome {
        case .rejected(let reason), .ignored(let reason):
            if !Self.isMachineReadable(reason) { problems.append("reason \(reason.debugDescription) is not machine-readable") }
            if personalData.contains(where: { reason.contains($0) }) {
                problems.append("reason \(reason.debugDescription) holds personal data")
            }
        case .planned:
            break
        }
        return problems
    }

    /// `field.missing:person.age`, `body.not-json`, `case.stale-sequence`, `field.type:clothing[1]`.
    public static func isMachineReadable(_ reason: String) -> Bool {
        let parts = reason.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let code = parts[0]
        guard !code.isEmpty, code.contains("."),
            code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") })
        else { return false }
        guard parts.count == 2 else { return true }
        return !parts[1].isEmpty && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._[]-".contains($0)) }
    }
}

/// Outcomes by class, printed as the rows of the issue's closing table:
/// `hostile-input | <suite> | class | count | outcomes | reasons`.
public struct HostileTally: Sendable {
    struct Row: Sendable {
        var count = 0, rejected = 0, ignored = 0, planned = 0, plannedNothing = 0
        var reasons: [String: Int] = [:]
    }

    private var rows: [String: Row] = [:]

    public init() {}

    public mutating func add(_ hostile: HostileCase, _ outcome: HostileOutcome) {
        var row = rows[hostile.hostileClass, default: Row()]
        row.count += 1
        switch outcome {
        case .rejected(let reason):
            row.rejected += 1
            row.reasons[reason, default: 0] += 1
        case .ignored(let reason):
            row.ignored += 1
            row.reasons[reason, default: 0] += 1
        case .planned(let count):
            if count > 0 { row.planned += 1 } else { row.plannedNothing += 1 }
        }
        rows[hostile.hostileClass] = row
    }

    public var classes: Int { rows.count }
    public var cases: Int { rows.values.reduce(0) { $0 + $1.count } }

    public func lines(suite: String) -> [String] {
        var lines = ["hostile-input | \(suite) | \(cases) cases in \(classes) classes"]
        for (name, row) in rows.sorted(by: { $0.key < $1.key }) {
            var outcomes: [String] = []
            if row.rejected > 0 { outcomes.append("rejected \(row.rejected)") }
            if row.ignored > 0 { outcomes.append("ignored \(row.ignored)") }
            if row.planned > 0 { outcomes.append("planned \(row.planned)") }
            if row.plannedNothing > 0 { outcomes.append("planned-nothing \(row.plannedNothing)") }
            let reasons = row.reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            lines.append("hostile-input | \(suite) | \(name) | \(row.count) | \(outcomes.joined(separator: ", ")) | \(reasons)")
        }
        return lines
    }
}
