import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriService

/// `mimamori registry add FILE`: registers the persons of a 登録届 (様式第1号, 要綱 第6条第2項):
/// one person's YAML file, or the CSV a spreadsheet of the form exports, one row per person.
/// The whole file is checked first; nothing is registered while any of it has a problem. Each
/// person gets the file's 台帳番号, or the next free one (R2026-0001); the ids are printed.
struct RegistryAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register the persons of a registration form (YAML, or the CSV of a spreadsheet; UTF-8 or CP932).")

    @Argument(help: "The form: a .yaml file for one person, or a .csv export (one row per person).")
    var file: String

    @OptionGroup var options: RegistryOptions

    func run() async throws {
        let (configuration, registry) = try await options.open()
        let today = townToday()
        let read = try FormFile.read(file, today: today, areas: configuration.areas)
        for (index, form) in read.forms.enumerated() {
            if let id = form.id, try await registryCall({ () async throws(RegistryError) in try await registry.registration(id) }) != nil {
                printError(
                    "\(form.origin.isEmpty ? "" : form.origin + ": ")台帳番号 \(id) はもう登録されています（変更は mimamori registry update \(id) FILE）。")
                printError("登録はしていません（\(read.forms.count) 人のうち \(index + 1) 人目で止めました）。")
                throw ExitCode(2)
            }
        }
        let by = ResendCommand.invoker()
        // The file's own ids first, so that a number made for a row without one never takes an id
        // a later row names.
        let order = read.forms.indices.sorted { (read.forms[$0].id == nil ? 1 : 0) < (read.forms[$1].id == nil ? 1 : 0) }
        var added: [Int: Registration] = [:]
        for index in order {
            let form = read.forms[index]
            do throws(RegistryError) {
                var id = form.id
                if id == nil { id = try await registry.nextID(on: today) }
                let registration = form.registration(id: id!, today: today, photo: read.photos[index])
                try await registry.add(registration, by: by, at: Date())
                added[index] = registration
            } catch {
                report(added, of: read.forms)
                throw refuse(error)
            }
        }
        report(added, of: read.forms)
        for note in read.notes { print("注意: \(note)") }
    }

    func report(_ added: [Int: Registration], of forms: [RegistrationFile.Form]) {
        guard !added.isEmpty else { return }
        print("登録しました（\(added.count) 人）:")
        for index in added.keys.sorted() {
            let registration = added[index]!
            let origin = forms[index].origin.isEmpty ? "" : "（\(forms[index].origin)）"
            let due = Reconfirmation.dueDate(confirmedOn: registration.confirmedOn)
            print("  \(registration.id)　\(registration.person.name)\(origin)　次の確認期限 \(JapaneseDateFormat.date(due))")
        }
    }
}
