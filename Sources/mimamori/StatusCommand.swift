import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori status [CASE]`: cases and delivery progress from the ledger, ids and counts only.
/// Concern reports (情報提供) are listed apart from the cases, with their phase and whether a
/// call-back is owed.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Cases, concern reports and delivery progress from the ledger (no personal data).")

    @Argument(help: "A case id or a concern report id; all unpurged ones when omitted.")
    var caseID: String?

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let ledger = try await Ledger.open(try ledgerSettings(ledger, options), password: ledgerPassword())
        let statuses: [CaseStatus]
        if let caseID {
            guard let status = try await ledger.status(case: CaseID(caseID)) else {
                throw ValidationError("no case \(caseID) in the ledger")
            }
            statuses = [status]
        } else {
            statuses = try await ledger.status()
        }
        let cases = statuses.filter { $0.schema != EventSchema.concern.rawValue }
        let concerns = statuses.filter { $0.schema == EventSchema.concern.rawValue }
        if statuses.isEmpty { print("no cases") }
        for status in cases {
            print(
                "\(status.caseID)\(status.drill ? " 【訓練】" : "")  state=\(status.stateName) seq=\(status.lastSequence) opened=\(Self.format(status.openedAt))\(status.closedAt.map { " closed=\(Self.format($0))" } ?? "")"
            )
            Self.printDeliveries(status)
        }
        guard !concerns.isEmpty else { return }
        let callbacks = Dictionary(
            try await ledger.callbacks(desk: nil, includeMade: true).map { ($0.reportID, $0) }, uniquingKeysWith: { first, _ in first })
        if !cases.isEmpty { print("") }
        print("情報提供 \(concerns.count) 件（\(EventSchema.concern.rawValue)）")
        for status in concerns {
            let callback = callbacks[status.caseID].map { " callback=\($0.deskID):\($0.calledAt == nil ? "owed（電話未）" : "made（電話済み）")" }
            print(
                "\(status.caseID)\(status.drill ? " 【訓練】" : "")  phase=\(status.stateName)（\(Self.phaseName(status.stateName))） seq=\(status.lastSequence) reported=\(Self.format(status.openedAt))\(status.closedAt.map { " resolved=\(Self.format($0))" } ?? "")\(status.purgedAt.map { " purged=\(Self.format($0))" } ?? "")\(callback ?? "")"
            )
            Self.printDeliveries(status)
        }
    }

    static func printDeliveries(_ status: CaseStatus) {
        for channel in Channel.allCases {
            guard let states = status.deliveries[channel], !states.isEmpty else { continue }
            let parts = DeliveryState.allCases.compactMap { state in states[state].map { "\(state.rawValue)=\($0)" } }
            print("  \(channel.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(parts.joined(separator: " "))")
        }
    }

    /// A concern report's phase as staff say it.
    static func phaseName(_ phase: String) -> String {
        switch ConcernState.Phase(rawValue: phase) {
        case .reported: "受付済み・結果待ち"
        case .resolved: "結果記録済み"
        case nil: phase == "purged" ? "保存期間を過ぎ削除済み" : phase
        }
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Tokyo")
        return formatter.string(from: date)
    }
}

/// The ledger of the settings, or the file `--ledger` names instead.
func ledgerSettings(_ option: String?, _ config: ConfigOption) throws -> Configuration.Ledger {
    var settings = Configuration.Ledger()
    if let option {
        settings.path = option
    } else {
        settings = try SettingsFiles.load(configPath: SettingsFiles.configPath(config.config)).configuration.ledger
    }
    return settings
}

/// The PostgreSQL ledger's password for the commands (`ledger.url`): the credential systemd
/// hands the daemon, `$CREDENTIALS_DIRECTORY/ledger-password` inside a unit, otherwise
/// /etc/mimamori/credentials/ledger-password (readable by the mimamori group). Unused with the
/// SQLite ledger.
func ledgerPassword() -> String? {
    let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"] ?? "/etc/mimamori/credentials"
    let path = (directory as NSString).appendingPathComponent("ledger-password")
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? nil : trimmed
}
