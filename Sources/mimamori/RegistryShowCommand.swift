import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriService

/// `mimamori registry show ID`: everything the registry holds of one person, under the form's
/// labels, for the staff member at the screen (the family's phone call, a change of the form).
/// Each look is written to the audit.
struct RegistryShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show everything of one registration (personal data: for the staff at the screen).")

    @Argument(help: "The registration's id (台帳番号), e.g. R2026-0001.")
    var id: String

    @OptionGroup var options: RegistryOptions

    func run() async throws {
        let id = try registrationID(self.id)
        let (_, registry) = try await options.open()
        guard let registration = try await registryCall({ () async throws(RegistryError) in try await registry.registration(id) }) else {
            throw refuse(.unknown(id))
        }
        try await registryCall { () async throws(RegistryError) in
            try await registry.audit(RegistryAuditEntry(action: "shown", registrationID: id, at: Date(), by: ResendCommand.invoker()))
        }
        print("登録簿 \(id)（個人情報です。画面を離れるときは閉じてください）")
        printRows(RegistrationSheet.rows(registration, today: townToday()))
    }
}
