import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriService

/// `mimamori shelter request FILE`: a person protected with no case (取り扱い第2条第2項: found in
/// the town but living elsewhere, or not yet identified) gets the request all the same. The
/// file (`ShelterRequestFile`) names the facility, the days and what is known of the person; a
/// `registrationId` fills what the file leaves out from the registration (`--registry-key`).
/// The stay gets a reference of its own (`<TOWN>-S-<date>-XXXX`) for `extend` and `end`.
struct ShelterRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Request emergency temporary care for a person protected with no case (a YAML file).")

    @Argument(help: "The request file (YAML): facility, days, protectedBy, approvedBy, person, contacts, careNotes.")
    var file: String

    @OptionGroup var options: ShelterOptions

    @OptionGroup var registryKey: RegistryKeyOption

    func run() async throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            printError("\(file) を読めません: \(error.localizedDescription)")
            throw ExitCode(3)
        }
        let parsed: ShelterRequestFile.Parsed
        do {
            parsed = try ShelterRequestFile.parse(String(decoding: data, as: UTF8.self))
        } catch {
            printError("\(file): \(error)")
            printError("何も送っていません。ファイルを直してから、もう一度実行してください。")
            throw ExitCode.failure
        }
        let files = try options.settings()
        let ledger = try await options.open(files)
        var registration: Registration?
        if let id = parsed.registrationID {
            let registry = try registryKey.openRegistry(files.configuration, ledger: ledger)
            do {
                registration = try await registry.registration(id)
            } catch {
                printError("登録 \(id) を開けません: \(error)")
                throw ExitCode(3)
            }
            guard registration != nil else {
                printError("登録 \(id) は登録簿にありません（mimamori registry list）。何も送っていません。")
                throw ExitCode(2)
            }
        }
        let now = Date()
        var random = SystemRandomNumberGenerator()
        var id = ShelterStay.newRecordID(municipality: files.configuration.municipality, at: now, using: &random)
        // Four characters a day rarely meet; a reference already taken is drawn again.
        var draws = 1
        while draws < 8, (try? await ledger.caseSnapshot(case: id)) != nil {
            id = ShelterStay.newRecordID(municipality: files.configuration.municipality, at: now, using: &random)
            draws += 1
        }
        let outcome: ShelterDesk.Outcome
        do {
            outcome = try await ShelterDesk.request(
                parsed, registration: registration, file: data, id: id, by: ResendCommand.invoker(), ledger: ledger,
                settings: CaseIntake.Settings(files: files), now: now)
        } catch {
            throw ShelterOutput.refuse(error)
        }
        print("緊急一時保護を番号 \(id) で記録し、依頼書を送ります（mimamorid が送ります）。延長・終了にはこの番号を使ってください。")
        print(ShelterOutput.sending(outcome, configuration: files.configuration))
    }
}
