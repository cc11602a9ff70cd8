import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori shelter …`: emergency temporary stays (緊急一時保護) as the town's staff handle them:
/// send a held request, extend or end a stay, request one for a person protected with no case,
/// list them. Each subcommand lives in its own file; each prints Japanese for the staff and
/// leaves the sending to the running daemon.
///
/// Exit status: 0 done; 1 refused by a rule (not held, more than 2 days without approval, more
/// than 7 days, already ended); 2 the case has no stay, or its data was purged; 3 the settings
/// or the ledger could not be used. 64 for a wrong argument.
struct ShelterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shelter",
        abstract: "Emergency temporary care (緊急一時保護): send a held request, extend or end a stay, request one, list them.",
        subcommands: [
            ShelterSendCommand.self, ShelterExtendCommand.self, ShelterEndCommand.self, ShelterRequestCommand.self,
            ShelterListCommand.self,
        ])
}

/// The settings and the ledger every `shelter` subcommand opens.
struct ShelterOptions: ParsableArguments {
    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var config: ConfigOption

    /// The settings, or a Japanese line on stderr and exit status 3.
    func settings() throws -> SettingsFiles {
        do {
            return try SettingsFiles.load(configPath: SettingsFiles.configPath(config.config))
        } catch {
            printError("設定を読み込めません: \(error.problems.joined(separator: "; "))")
            throw ExitCode(3)
        }
    }

    func open(_ files: SettingsFiles) async throws -> any CaseLedger {
        var settings = files.configuration.ledger
        if let ledger { settings.path = ledger }
        do {
            return try await Ledger.open(settings, password: ledgerPassword())
        } catch {
            printError("台帳を使えません: \(error.operatorHint)")
            throw ExitCode(3)
        }
    }
}

enum ShelterOutput {
    /// A step's failure, said for the staff, with its exit status: nothing was written.
    static func refuse(_ error: any Error) -> ExitCode {
        switch error {
        case let error as ShelterError:
            printError(error.description)
            printError("何も送っていません。")
            switch error {
            case .notFound, .purged: return ExitCode(2)
            case .notConfigured: return ExitCode(3)
            default: return ExitCode(1)
            }
        case let error as LedgerError where error.code == .notFound:
            printError("ほかの操作と重なり、緊急一時保護の状態が変わりました。もう一度実行してください。何も送っていません。")
            return ExitCode(1)
        case let error as LedgerError:
            printError("台帳を使えません: \(error.operatorHint)")
            return ExitCode(3)
        default:
            printError("依頼書を作れませんでした: \(error)")
            return ExitCode(3)
        }
    }

    /// The facility as the staff know it.
    static func facility(_ id: String, _ configuration: Configuration) -> String {
        guard let facility = configuration.shelter?.facility(id) else { return "施設「\(id)」（設定にありません）" }
        return "\(facility.name)（FAX \(facility.fax)、電話 \(facility.phone)）"
    }

    /// What goes out, and what comes next.
    static func sending(_ outcome: ShelterDesk.Outcome, configuration: Configuration) -> String {
        let stay = outcome.stay
        var lines = [
            "　施設　　　　\(facility(stay.facilityID, configuration))",
            "　委託期間　　\(JapaneseDateFormat.date(stay.startsOn))から\(JapaneseDateFormat.date(stay.endsOn))まで（\(stay.days)日間）",
            "　FAX　　　　\(outcome.facilityFaxes) 件（施設あて、第 \(stay.requestNumber) 号）",
            "　メール　　　\(outcome.staffCopies) 件（職員への控え）",
        ]
        if outcome.staffCopies == 0 {
            lines.append("　（mimamori.yaml に staff: がないため、職員への控えは送りません）")
        }
        let remindAt = configuration.shelter?.remindAt ?? TimeOfDay(hour: 8, minute: 30)
        lines += [
            "利用期間の最終日（\(JapaneseDateFormat.date(stay.endsOn))）の朝 \(remindAt) に、職員へお知らせします。",
            "送信の状況: mimamori report \(stay.caseID)",
        ]
        return lines.joined(separator: "\n")
    }
}
