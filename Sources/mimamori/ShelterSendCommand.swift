import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriService

/// `mimamori shelter send CASE [--approved-by NAME] [--facility ID]`: sends a held request
/// (緊急一時保護依頼書) once the staff have what it waited for: the town head's approval of more
/// than 2 days (第5条), the right facility, or the `shelter:` settings.
struct ShelterSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send a held emergency temporary care request to the facility (the daemon sends it).")

    @Argument(help: "The case id (from the shelter.held alarm mail).")
    var caseID: String

    @Option(name: .customLong("approved-by"), help: "Who approved a stay of more than 2 days (第5条); required then.")
    var approvedBy: String?

    @Option(help: "The facility id of shelter.facilities, when the closure named a wrong one.")
    var facility: String?

    @OptionGroup var options: ShelterOptions

    func validate() throws {
        guard CaseID.isValid(caseID) else { throw ValidationError("'\(caseID)' is not a case id") }
        if let approvedBy, approvedBy.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--approved-by needs the approving official's name")
        }
    }

    func run() async throws {
        let files = try options.settings()
        let ledger = try await options.open(files)
        let outcome: ShelterDesk.Outcome
        do {
            outcome = try await ShelterDesk.send(
                CaseID(caseID), facilityID: facility, approvedBy: approvedBy?.trimmingCharacters(in: .whitespaces),
                by: ResendCommand.invoker(), ledger: ledger, settings: CaseIntake.Settings(files: files), now: Date())
        } catch {
            throw ShelterOutput.refuse(error)
        }
        print("案件 \(caseID) の緊急一時保護依頼書を送ります（mimamorid が送ります）。")
        print(ShelterOutput.sending(outcome, configuration: files.configuration))
    }
}
