import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori status [CASE]`: cases and delivery progress from the ledger, ids and counts only.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Cases and delivery progress from the ledger (no personal data).")

    @Argument(help: "A case id; all unpurged cases when omitted.")
    var caseID: String?

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let ledger: any CaseReports = try Ledger.open(try ledgerSettings(ledger, options))
        let statuses: [CaseStatus]
        if let caseID {
            guard let status = try await ledger.status(case: CaseID(caseID)) else {
                throw ValidationError("no case \(caseID) in the ledger")
            }
            statuses = [status]
        } else {
            statuses = try await ledger.status()
        }
        if statuses.isEmpty { print("no cases") }
        for status in statuses {
            print(
                "\(status.caseID)\(status.drill ? " 【訓練】" : "")  state=\(status.stateName) seq=\(status.lastSequence) opened=\(Self.format(status.openedAt))\(status.closedAt.map { " closed=\(Self.format($0))" } ?? "")"
            )
            for channel in Channel.allCases {
                guard let states = status.deliveries[channel], !states.isEmpty else { continue }
                let parts = DeliveryState.allCases.compactMap { state in states[state].map { "\(state.rawValue)=\($0)" } }
                print("  \(channel.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(parts.joined(separator: " "))")
            }
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
