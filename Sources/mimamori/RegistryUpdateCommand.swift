import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriService

/// `mimamori registry update ID FILE`: a change of the registration (登録変更届, 様式第2号): the
/// file is the whole form as it now stands (as for `add`), and replaces what the registry holds;
/// an item the file leaves out is removed, the photo too. The registration date and the last
/// confirmation are kept unless the file gives them. Prints which items changed.
struct RegistryUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Replace a registration with the form as it now stands (様式第2号, 変更).")

    @Argument(help: "The registration's id (台帳番号).")
    var id: String

    @Argument(help: "The whole form as it now stands: a .yaml file, or a .csv with one row.")
    var file: String

    @OptionGroup var options: RegistryOptions

    func run() async throws {
        let id = try registrationID(self.id)
        let (configuration, registry) = try await options.open()
        let today = townToday()
        let read = try FormFile.read(file, today: today, areas: configuration.areas)
        guard read.forms.count == 1, let form = read.forms.first else {
            printError("\(file) には \(read.forms.count) 人分の行があります。変更するときは、その人の1行だけにしてください。変更はしていません。")
            throw ExitCode.failure
        }
        if let other = form.id, other != id {
            printError("\(file): 台帳番号が \(id) ではありません（ファイルの台帳番号を消すか、合わせてください）。変更はしていません。")
            throw ExitCode.failure
        }
        guard let current = try await registryCall({ () async throws(RegistryError) in try await registry.registration(id) }) else {
            throw refuse(.unknown(id))
        }
        var changed = form.registration(id: id, today: today, photo: read.photos[0])
        changed.registeredOn = form.registeredOn ?? current.registeredOn
        changed.confirmedOn = form.confirmedOn ?? current.confirmedOn
        let items = Self.changedItems(from: current, to: changed, today: today)
        try await registryCall { () async throws(RegistryError) in
            try await registry.update(
                changed, by: ResendCommand.invoker(), at: Date(), reason: items.isEmpty ? "変更なし" : "変更: " + items.joined(separator: "、"))
        }
        if items.isEmpty {
            print("\(id) を保存し直しました。届の内容は登録簿と同じで、変わった項目はありません。")
        } else {
            print("\(id) を変更しました。変わった項目: \(items.joined(separator: "、"))")
        }
        for note in read.notes { print("注意: \(note)") }
    }

    /// The labels of the items whose value differs (the photo by its bytes and its consent).
    static func changedItems(from old: Registration, to new: Registration, today: LocalDate) -> [String] {
        let before = RegistrationSheet.rows(old, today: today)
        let after = RegistrationSheet.rows(new, today: today)
        var items = zip(before, after).filter { $0.value != $1.value && $0.label != "写真" }.map(\.0.label)
        if old.photo != new.photo {
            let index = after.firstIndex { $0.label == "写真" } ?? 0
            items.insert(new.photo == nil ? "写真（削除）" : "写真", at: min(index, items.count))
        }
        return items
    }
}
