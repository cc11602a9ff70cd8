import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon

/// `mimamori concern called-back REPORT-ID [--at TIME]`: records that the reporter was phoned
/// with the result; the report then shows when, and the call-back list no longer lists it.
/// Exit status: 0 recorded; 1 no call owed (already recorded, or the reporter gets the result
/// in writing, or it is not recorded yet).
struct ConcernCalledBackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "called-back", abstract: "Record that the reporter of a concern report was phoned with the result.")

    @Argument(help: "The concern report id.")
    var reportID: String

    @Option(help: "When the call was made: RFC 3339 or a time in Japan (\"2026-12-03 16:10\"); default now.")
    var at: String?

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var options: ConfigOption

    func validate() throws {
        guard CaseID.isValid(reportID) else { throw ValidationError("'\(reportID)' is not a report id") }
    }

    func run() async throws {
        let instant = try townInstant(at, option: "--at")
        let ledger = try await Ledger.open(try ledgerSettings(ledger, options), password: ledgerPassword())
        let report = CaseID(reportID)
        if try await ledger.markCalledBack(report: report, at: instant) {
            print("\(reportID) の報告者への電話を記録しました（\(JapaneseDateFormat.dateTime(instant))）")
            return
        }
        if let made = try await ledger.callbacks(desk: nil, includeMade: true).first(where: { $0.reportID == report })?.calledAt {
            printError("\(reportID) は \(JapaneseDateFormat.dateTime(made)) に電話済みとして記録されています")
        } else {
            printError("\(reportID) には電話で結果を伝えるコールバックがありません（報告者が書面で受け取るか、まだ結果が記録されていません）")
        }
        throw ExitCode.failure
    }
}
