import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriService

/// `render` and `plan` show an event as the daemon's intake completes it: filled from the
/// registration its `person.registrationId` names (`CaseEvent.filled(from:)`, the same rule).
/// When that registration cannot be had, a line on stderr tells the staff why, and the command
/// goes on with the event as the police sent it, as the daemon does.
extension RegistryKeyOption {
    /// `announce`: say on stderr what the registration added (`plan` prints it in its report).
    func completed(_ event: CaseEvent, configuration: Configuration, announce: Bool = true) async -> CaseEvent {
        guard event.kind != .closed, let text = event.person?.registrationID else { return event }
        let goingOn = "登録の情報は使わず、事案の情報だけで続けます。"
        guard RegistrationID.isValid(text) else {
            printError("事案の登録番号（person.registrationId）が登録番号の形式ではありません。\(goingOn)")
            return event
        }
        let id = RegistrationID(text)
        guard configuration.registry != nil else {
            printError("事案は登録番号 \(id) を指定していますが、mimamori.yaml に registry: がありません。\(goingOn)")
            return event
        }
        guard configuration.ledger.url != nil || FileManager.default.fileExists(atPath: configuration.ledger.path) else {
            printError("台帳（\(configuration.ledger.path)）がないため、登録 \(id) を読めません。\(goingOn)")
            return event
        }
        let registry: Registry
        do {
            registry = try openRegistry(configuration, ledger: try await Ledger.open(configuration.ledger, password: ledgerPassword()))
        } catch let error as LedgerError {
            printError("台帳を開けません: \(error)。\(goingOn)")
            return event
        } catch {
            // openRegistry has said why.
            printError(goingOn)
            return event
        }
        let registration: Registration?
        do {
            registration = try await registry.registration(id)
        } catch {
            printError("登録 \(id) を開けません: \(error)。\(goingOn)")
            return event
        }
        guard let registration else {
            printError("登録番号 \(id) は登録簿にありません（mimamori registry list で確認できます）。\(goingOn)")
            return event
        }
        let filled = event.filled(from: registration)
        if announce, let additions = filled.registryAdditions { printError(Self.summary(additions)) }
        return filled
    }

    /// What the registration added, in the staff's words (no value of it: the terminal may be
    /// shared, and the notices show the values).
    static func summary(_ additions: CaseEvent.RegistryAdditions) -> String {
        let fields = additions.filled.map(label).joined(separator: "・")
        return "登録 \(additions.registrationID) の情報を使います: "
            + (fields.isEmpty ? "事案に足りない項目はありません" : "事案にない項目（\(fields)）を登録から補います")
            + "、よく行く場所 \(additions.frequentedPlaces.count) か所（メールとFAXのみ、防災無線では読み上げません）。"
            + "家族の連絡先・住所・生年月日・介護の情報は、どの通知にも載せません。"
    }

    static func label(_ field: CaseEvent.RegistryAdditions.Field) -> String {
        switch field {
        case .heightCm: "身長"
        case .build: "体格"
        case .hair: "髪"
        case .features: "特徴"
        case .residenceArea: "お住まいの地域"
        case .photo: "写真"
        }
    }
}
