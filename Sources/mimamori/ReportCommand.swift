import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori report CASE`: per recipient, which notice went by which channel, when it was
/// accepted, how many attempts, the last error — the drill report of seed item 9. Recipient ids
/// only, unless an operator asks for names with --with-names. A concern report's deliveries go
/// to desks and the reporter, with the call-back: ReportCommand+Concern.swift. A case whose
/// notices asked for receipts and destruction shows them: ReportCommand+Confirmations.swift.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Delivery report of a case: recipient, channel, notice, accepted at, attempts, last error.")

    @Argument(help: "The case id.")
    var caseID: String

    @Flag(name: .customLong("with-names"), help: "Show cooperator names and addresses (personal data: for the operator's eyes only).")
    var withNames = false

    @Flag(help: "Who has not confirmed destruction, with the cooperator's name (personal data: for staff only).")
    var unconfirmed = false

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let ledger = try await Ledger.open(try ledgerSettings(ledger, options), password: ledgerPassword())
        if let status = try await ledger.status(case: CaseID(caseID)), status.schema == EventSchema.concern.rawValue {
            try await concernReport(status, ledger: ledger)
            return
        }
        let status = try await ledger.status(case: CaseID(caseID))
        let lines = try await ledger.report(case: CaseID(caseID), withAddresses: withNames)
        guard !lines.isEmpty else { throw ValidationError("no deliveries for case \(caseID)") }
        if unconfirmed {
            try unconfirmedReport(lines, status: status)
            return
        }
        if Self.asksConfirmations(lines) {
            confirmationReport(lines, status: status)
            return
        }
        var names: [RecipientID: String] = [:]
        if withNames, let files = try? SettingsFiles.load(configPath: SettingsFiles.configPath(options.config)) {
            for cooperator in files.directory.cooperators { names[cooperator.id] = cooperator.name }
        }
        print("recipient\tchannel\tnotice\trev\tstate\taccepted_at\tattempts\tlast_error" + (withNames ? "\tname\taddress" : ""))
        for line in lines {
            var fields = [line.recipient.rawValue] + Self.deliveryFields(line)
            if withNames { fields += [names[line.recipient] ?? "-", line.address ?? "-"] }
            print(fields.joined(separator: "\t"))
        }
        print(Self.totals(lines))
    }

    /// channel, notice, rev, state, accepted_at, attempts, last_error: the columns every report has.
    static func deliveryFields(_ line: ReportLine) -> [String] {
        [
            line.channel.rawValue, line.kind.rawValue, "\(line.revision)", line.state.rawValue,
            line.acceptedAt.map(StatusCommand.format) ?? "-", "\(line.attempts)",
            line.lastErrorCode.map { code in "\(code)\(line.lastError.map { ": \($0)" } ?? "")" } ?? "-",
        ]
    }

    /// `total N: kind/state=count …`, the last line the demo and the staff read.
    static func totals(_ lines: [ReportLine]) -> String {
        var byState: [String: Int] = [:]
        for line in lines { byState["\(line.kind.rawValue)/\(line.state.rawValue)", default: 0] += 1 }
        return "total \(lines.count): " + byState.keys.sorted().map { "\($0)=\(byState[$0]!)" }.joined(separator: " ")
    }
}
