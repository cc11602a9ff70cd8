import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriService

/// `mimamori shelter end CASE`: the stay is over (the family collected the person). The
/// facility gets its own reminder to destroy the request the next morning; the case's data
/// then goes with the retention.
struct ShelterEndCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end", abstract: "Record that an emergency temporary stay ended; the facility is asked to destroy the request.")

    @Argument(help: "The case id.")
    var caseID: String

    @OptionGroup var options: ShelterOptions

    func validate() throws {
        guard CaseID.isValid(caseID) else { throw ValidationError("'\(caseID)' is not a case id") }
    }

    func run() async throws {
        let files = try options.settings()
        let ledger = try await options.open(files)
        let wasSent = try await ledger.stay(case: CaseID(caseID))?.stay.state == .sent
        let outcome: ShelterDesk.Outcome
        do {
            outcome = try await ShelterDesk.end(
                CaseID(caseID), by: ResendCommand.invoker(), ledger: ledger, settings: CaseIntake.Settings(files: files), now: Date())
        } catch {
            throw ShelterOutput.refuse(error)
        }
        print("案件 \(caseID) の緊急一時保護を終了として記録しました。")
        if let at = outcome.reminderAt {
            print(
                "　\(ShelterOutput.facility(outcome.stay.facilityID, files.configuration)) へ、依頼書の処分のお願いを \(JapaneseDateFormat.dateTime(at)) に FAX で送ります（mimamorid が送ります）。"
            )
        } else if wasSent {
            printError("施設「\(outcome.stay.facilityID)」が設定にないため、依頼書の処分のお願いは送りません。施設へ電話で処分をお願いしてください。")
        } else {
            print("　依頼書は送っていなかったため、施設へは何も送りません。")
        }
        print("この案件の個人情報は、保存期間（retention）が過ぎると削除されます。")
    }
}
