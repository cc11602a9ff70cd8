import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori registry …`: families' advance registrations (要綱 第6条, 様式第1号・第2号) as the
/// town's staff keep them, and the police inquiries they answer (第3条第4号). Each subcommand
/// lives in its own file. Printed for the staff, in Japanese; every command writes a row of the
/// registry's audit (who: `$SUDO_USER`, else the login).
///
/// Exit status, for every subcommand: 0 done; 1 the file has problems (nothing was registered or
/// changed), or `find` found no candidate; 2 no such registration (or, for `add`, its id is
/// taken); 3 the settings, the ledger, the key store or the `registry-key` could not be used; 64
/// a wrong argument.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Advance registrations (事前登録): add, show, update, confirm, remove, list; find candidates and print the police sheet.",
        subcommands: [
            RegistryAddCommand.self, RegistryShowCommand.self, RegistryUpdateCommand.self, RegistryConfirmCommand.self,
            RegistryRemoveCommand.self, RegistryListCommand.self, RegistryFindCommand.self, RegistrySheetCommand.self,
        ])
}

/// `--config`, `--ledger` and `--registry-key`, shared by every registry subcommand.
struct RegistryOptions: ParsableArguments {
    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var key: RegistryKeyOption

    @OptionGroup var config: ConfigOption

    /// The settings and the registry over the ledger, or a Japanese line on stderr and exit 3.
    func open() async throws -> (Configuration, Registry) {
        let configuration: Configuration
        do {
            configuration = try SettingsFiles.load(configPath: SettingsFiles.configPath(config.config)).configuration
        } catch {
            printError("設定を読み込めません: \(error.problems.joined(separator: "; "))")
            throw ExitCode(3)
        }
        var settings = configuration.ledger
        if let ledger { settings.path = ledger }
        let store: any CaseLedger
        do {
            store = try await Ledger.open(settings, password: ledgerPassword())
        } catch {
            printError("台帳を使えません: \(error.operatorHint)（\(error.message)）")
            throw ExitCode(3)
        }
        return (configuration, try key.openRegistry(configuration, ledger: store))
    }
}

/// The staff's day, on the town's clock.
func townToday() -> LocalDate { JapaneseCalendar.localDate(of: Date()) }

/// A registry failure as staff read it, and the exit status it means.
func refuse(_ error: RegistryError) -> ExitCode {
    switch error {
    case .unknown(let id):
        printError("台帳番号 \(id) は登録簿にありません。mimamori registry list で確かめてください。")
        return ExitCode(2)
    case .exists(let id):
        printError("台帳番号 \(id) はもう登録されています。内容を変えるときは mimamori registry update \(id) FILE を使ってください。")
        return ExitCode(2)
    case .vault(.wrongKey):
        printError("登録の鍵（registry-key）が、この登録簿を書いたときの鍵と違います: \(error)")
        return ExitCode(3)
    default:
        printError("登録簿を使えません: \(error)")
        return ExitCode(3)
    }
}

/// Runs a registry call; a failure goes to stderr for staff and exits with its status.
func registryCall<T>(_ body: () async throws(RegistryError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw refuse(error)
    }
}

/// A registration id argument, checked.
func registrationID(_ text: String) throws -> RegistrationID {
    guard RegistrationID.isValid(text) else {
        throw ValidationError("'\(text)' is not a registration id (台帳番号: letters, digits and '-', at most 32)")
    }
    return RegistrationID(text)
}

/// A form file and the photos it names, read and checked the way every registration is: all
/// problems on stderr at once (where, and what is wrong, never a value), then exit 1.
struct FormFile {
    var path: String
    var forms: [RegistrationFile.Form]
    /// The photo of each form (by index), cleaned as a case photo is.
    var photos: [Int: Registration.Photo]
    /// Notes for staff that do not stop the registration.
    var notes: [String]

    static func read(_ path: String, today: LocalDate, areas: AreaTree) throws -> FormFile {
        // A town's whole registry as CSV is a few kilobytes; anything this large is the wrong file.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= 16 * 1024 * 1024 else {
            printError("\(path) は大きすぎます（16 MB まで）。登録届のファイルか確かめてください。")
            throw ExitCode.failure
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            printError("\(path) を読めません。ファイルの場所と名前を確かめてください。")
            throw ExitCode.failure
        }
        let forms: [RegistrationFile.Form]
        do {
            forms = try RegistrationFile.read(bytes, format: RegistrationFile.Format(fileName: path), today: today)
        } catch {
            throw refuse(error.problems, in: path)
        }
        var photos: [Int: Registration.Photo] = [:]
        var problems: [RegistrationFile.Problem] = []
        var notes: [String] = []
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        for (index, form) in forms.enumerated() {
            for (item, area) in areasNamed(in: form) where !Self.known(area, in: areas) {
                notes.append("\(form.origin.isEmpty ? "" : form.origin + " ")\(item): 設定（areas:）にない地区名です。お知らせの宛先の絞り込みには使われません。")
            }
            guard let reference = form.photo else { continue }
            let file = reference.file.hasPrefix("/") ? URL(fileURLWithPath: reference.file) : folder.appendingPathComponent(reference.file)
            guard let data = FileManager.default.contents(atPath: file.path) else {
                problems.append(.init(path: reference.location, message: "写真のファイルを読めません（この届のファイルからの相対パスで書いてください）。"))
                continue
            }
            switch RegistrationFile.photo(data, at: reference.location) {
            case .failure(let problem): problems.append(problem)
            case .success(let photo):
                let prepared = PhotoIntake.prepare(photo)
                switch prepared.photo {
                case .failure(let problem): problems.append(RegistrationFile.explain(problem, at: reference.location))
                case .success(let cleaned):
                    photos[index] = Registration.Photo(
                        mediaType: cleaned.mediaType, data: cleaned.data, consentForNotices: reference.consentForNotices)
                    if prepared.notUpright {
                        notes.append("\(reference.location): 写真の向きを直せませんでした。撮ったときの向きのまま登録します。")
                    }
                }
            }
        }
        guard problems.isEmpty else { throw refuse(problems, in: path) }
        return FormFile(path: path, forms: forms, photos: photos, notes: notes)
    }

    /// The areas a form names: the person's 地区 and each place's.
    static func areasNamed(in form: RegistrationFile.Form) -> [(String, String)] {
        var named: [(String, String)] = []
        if let area = form.person.residenceArea { named.append(("地区", area)) }
        for (index, place) in form.frequentedPlaces.enumerated() {
            if let area = place.area { named.append(("よく行く場所（\(index + 1)件目）の地区", area)) }
        }
        return named
    }

    static func known(_ area: String, in tree: AreaTree) -> Bool {
        if case .known = tree.place(area) { return true }
        return false
    }

    static func refuse(_ problems: [RegistrationFile.Problem], in path: String) -> ExitCode {
        printError("\(path) に直すところがあります（\(problems.count) か所）:")
        for problem in problems { printError("  \(problem)") }
        printError("登録・変更はしていません。ファイルを直してから、もう一度実行してください。")
        return ExitCode.failure
    }
}

/// Labels padded to one width, values on the following lines indented under the first: how
/// `show` and the confirmations print a registration.
func printRows(_ rows: [RegistrationSheet.Row], indent: String = "  ") {
    let width = rows.map(\.label.count).max() ?? 0
    for row in rows {
        let lines = row.value.split(separator: "\n", omittingEmptySubsequences: false)
        let label = row.label + String(repeating: "　", count: width - row.label.count)
        print("\(indent)\(label)　\(lines.first ?? "")")
        for line in lines.dropFirst() { print("\(indent)\(String(repeating: "　", count: width))　\(line)") }
    }
}

extension Registration.RemovalReason {
    /// 様式第2号's words.
    var label: String {
        switch self {
        case .withdrawn: "利用の辞退"
        case .deceased: "死亡"
        case .ineligible: "対象者の要件に該当しなくなった"
        case .lapsed: "確認期限を過ぎても確認がとれなかった"
        }
    }
}
