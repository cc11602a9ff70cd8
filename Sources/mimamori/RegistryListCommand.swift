import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriService

/// `mimamori registry list [--due DAYS]`: every registration with its dates and the family
/// member to phone for the yearly reconfirmation (要綱 第6条第6項); with `--due 30` only those due
/// within 30 days or already overdue, soonest first.
struct RegistryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the registrations: id, dates, reconfirmation due date, the registering family member.")

    @Option(help: "Only those due for reconfirmation within this many days, or overdue.")
    var due: Int?

    @OptionGroup var options: RegistryOptions

    func validate() throws {
        if let due, due < 0 { throw ValidationError("--due must be 0 or more days") }
    }

    func run() async throws {
        let (configuration, registry) = try await options.open()
        let today = townToday()
        var registrations = try await registryCall { () async throws(RegistryError) in try await registry.all() }
        if let due {
            registrations = registrations.filter { Reconfirmation.dueDate(confirmedOn: $0.confirmedOn) <= today.adding(days: due) }
                .sorted {
                    (Reconfirmation.dueDate(confirmedOn: $0.confirmedOn), $0.id) < (
                        Reconfirmation.dueDate(confirmedOn: $1.confirmedOn), $1.id
                    )
                }
        }
        try await registryCall { () async throws(RegistryError) in
            try await registry.audit(
                RegistryAuditEntry(
                    action: "listed", registrationID: nil, at: Date(), by: ResendCommand.invoker(),
                    reason: "\(due.map { "due=\($0) " } ?? "")count=\(registrations.count)"))
        }
        let when = "\(today.year)年\(today.month)月\(today.day)日現在"
        guard !registrations.isEmpty else {
            print(due.map { "\($0)日以内に確認期限を迎える登録はありません（\(when)）。" } ?? "登録はありません（\(when)）。")
            return
        }
        let heading = due.map { "\($0)日以内に確認期限を迎える登録、期限を過ぎた登録" } ?? "登録"
        print("\(heading) \(registrations.count) 件（\(when)）")
        for registration in registrations {
            let dueDate = Reconfirmation.dueDate(confirmedOn: registration.confirmedOn)
            let days = dueDate.dayNumber - today.dayNumber
            let left = days < 0 ? "期限切れ \(-days)日" : days == 0 ? "今日まで" : "あと\(days)日"
            print(
                "  \(registration.id)　登録 \(Self.date(registration.registeredOn))　確認 \(Self.date(registration.confirmedOn))　期限 \(Self.date(dueDate))（\(left)）　届出者 \(registration.registrant.name)\(registration.registrant.relation.map { "（\($0)）" } ?? "")"
            )
        }
        if registrations.contains(where: { Reconfirmation.dueDate(confirmedOn: $0.confirmedOn) < today }) {
            let grace = Int((configuration.registry?.grace ?? .seconds(0)).components.seconds / 86400)
            print("期限を過ぎた登録は、期限から \(grace) 日で自動的に抹消されます。家族に電話し、確認できたら mimamori registry confirm ID を実行してください。")
        }
    }

    /// 2026年4月1日
    static func date(_ day: LocalDate) -> String { "\(day.year)年\(day.month)月\(day.day)日" }
}
