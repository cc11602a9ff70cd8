import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriService

/// `mimamori registry remove ID --reason withdrawn|deceased|ineligible`: the end of a
/// registration (登録抹消届, 様式第2号; 要綱 第6条第5項: a death removes it). The registration's
/// own key is destroyed first and its row deleted: no copy of the ledger, a backup included,
/// can be read for it afterwards. Only the audit row (id, who, when, why) stays.
struct RegistryRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "End a registration (様式第2号, 抹消): its record and its key are destroyed.")

    @Argument(help: "The registration's id (台帳番号).")
    var id: String

    @Option(help: "Why: withdrawn (利用の辞退), deceased (死亡), ineligible (要件に該当しなくなった).")
    var reason: Reason

    @OptionGroup var options: RegistryOptions

    enum Reason: String, ExpressibleByArgument, CaseIterable {
        case withdrawn, deceased, ineligible

        var removal: Registration.RemovalReason {
            switch self {
            case .withdrawn: .withdrawn
            case .deceased: .deceased
            case .ineligible: .ineligible
            }
        }
    }

    func run() async throws {
        let id = try registrationID(self.id)
        let (_, registry) = try await options.open()
        let removed = try await registryCall { () async throws(RegistryError) in
            try await registry.remove(id, reason: reason.removal, by: ResendCommand.invoker(), at: Date())
        }
        guard removed else { throw refuse(.unknown(id)) }
        print("\(id) の登録を抹消しました（理由: \(reason.removal.label)）。")
        print("  記録とその鍵を消しました。台帳のバックアップからも、この登録は読めません。")
    }
}
