import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriService

/// `mimamori registry confirm ID [--on DATE]`: the yearly reconfirmation (要綱 第6条第6項): the
/// family said on the phone that nothing changed. The next due date is a year from that day.
/// (A change is `registry update`.)
struct RegistryConfirmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm", abstract: "Record the yearly reconfirmation: the family confirmed that nothing changed.")

    @Argument(help: "The registration's id (台帳番号).")
    var id: String

    @Option(help: "The day the family confirmed it: 2026-04-01, 2026/4/1 or 令和8年4月1日 (default: today).")
    var on: String?

    @OptionGroup var options: RegistryOptions

    func run() async throws {
        let id = try registrationID(self.id)
        let today = townToday()
        var day = today
        if let on {
            switch RegistrationFile.date(on) {
            case .success(let date): day = date
            case .failure(let problem): throw ValidationError("--on: \(problem.message)")
            }
            guard day <= today else { throw ValidationError("--on: 今日より後の日付です。") }
        }
        let (_, registry) = try await options.open()
        guard let current = try await registryCall({ () async throws(RegistryError) in try await registry.registration(id) }) else {
            throw refuse(.unknown(id))
        }
        guard day >= current.registeredOn else {
            printError("\(id): 確認日が登録日（\(JapaneseDateFormat.date(current.registeredOn))）より前です。記録していません。")
            throw ExitCode.failure
        }
        try await registryCall { () async throws(RegistryError) in
            try await registry.confirm(id, on: day, by: ResendCommand.invoker(), at: Date())
        }
        let due = Reconfirmation.dueDate(confirmedOn: day)
        print("\(id) の確認を記録しました（確認日 \(JapaneseDateFormat.date(day))）。次の確認期限は \(JapaneseDateFormat.date(due)) です。")
        if day < current.confirmedOn {
            print("注意: これまでの最終確認日（\(JapaneseDateFormat.date(current.confirmedOn))）より前の日です。期限が早まりました。")
        }
    }
}
