import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriService

/// `mimamori shelter extend CASE --days N --approved-by NAME`: lengthens a stay by N days (7
/// in all at most, 第5条) and sends the facility the amended request (「（変更）」, the new period).
struct ShelterExtendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Extend an emergency temporary stay by N days (7 in all at most); the facility gets the amended request.")

    @Argument(help: "The case id.")
    var caseID: String

    @Option(help: "Days to add to the stay (the total is at most 7).")
    var days: Int

    @Option(name: .customLong("approved-by"), help: "Who approved the longer stay (第5条); required once it exceeds 2 days.")
    var approvedBy: String?

    @OptionGroup var options: ShelterOptions

    func validate() throws {
        guard CaseID.isValid(caseID) else { throw ValidationError("'\(caseID)' is not a case id") }
        guard days >= 1 else { throw ValidationError("--days must be at least 1 (the days to add)") }
    }

    func run() async throws {
        let files = try options.settings()
        let ledger = try await options.open(files)
        let outcome: ShelterDesk.Outcome
        do {
            outcome = try await ShelterDesk.extend(
                CaseID(caseID), by: days, approvedBy: approvedBy?.trimmingCharacters(in: .whitespaces),
                by: ResendCommand.invoker(), ledger: ledger, settings: CaseIntake.Settings(files: files), now: Date())
        } catch {
            throw ShelterOutput.refuse(error)
        }
        print("案件 \(caseID) の緊急一時保護を \(days) 日延長し、合計 \(outcome.stay.days) 日にしました。変更の依頼書を送ります（mimamorid が送ります）。")
        print(ShelterOutput.sending(outcome, configuration: files.configuration))
    }
}
