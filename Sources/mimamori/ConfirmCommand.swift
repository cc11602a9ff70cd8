import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon

/// `mimamori confirm CODE --received|--destroyed [--by NAME]`: records what a cooperator told
/// the staff by phone or sent back on the FAX's reply strip, as their link would have
/// (`via=staff`). Exit status: 0 recorded; 1 recorded before (nothing changed); 2 no such code
/// (mistyped, never issued, its case purged, or the notice does not ask this); 3 the ledger
/// cannot be used.
struct ConfirmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Record a receipt (受け取りました) or a destruction (処分しました) a cooperator told the staff by phone or FAX.")

    @Argument(help: "The code on the notice (K7QM-2XWD-9HVR; case, hyphens and full-width forms do not matter).")
    var code: String

    @Flag(name: .customLong("received"), help: "The cooperator received the notice (受け取りました).")
    var received = false

    @Flag(name: .customLong("destroyed"), help: "The cooperator destroyed every paper of the case (処分しました).")
    var destroyed = false

    @Option(help: "The staff member who took the call or the FAX (default: your login).")
    var by: String?

    @Option(help: "When the cooperator said so: RFC 3339 or a time in Japan (\"2026-12-03 16:10\"); default now.")
    var at: String?

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var options: ConfigOption

    func validate() throws {
        guard received != destroyed else { throw ValidationError("--received か --destroyed のどちらか一方を指定してください。") }
    }

    func run() async throws {
        let confirmation: Confirmation = destroyed ? .destroyed : .received
        let instant = try townInstant(at, option: "--at")
        guard instant <= Date().addingTimeInterval(300) else { throw ValidationError("--at: 今より後の時刻です。") }
        guard let parsed = ConfirmationCode(parsing: code) else {
            printError("\(code): コードの形ではありません（英数字12文字、例 K7QM-2XWD-9HVR）。記録していません。")
            throw ExitCode(2)
        }
        let outcome: ConfirmationOutcome
        do {
            let ledger = try await Ledger.open(try ledgerSettings(ledger, options), password: ledgerPassword())
            outcome = try await ledger.recordConfirmation(
                confirmation, code: parsed, at: instant, via: .staff, by: by ?? ResendCommand.invoker())
        } catch let error as LedgerError {
            printError("台帳を使えません: \(error.operatorHint)")
            throw ExitCode(3)
        }
        switch outcome {
        case .recorded(let target, let covered):
            print(
                "記録しました: 案件 \(target.caseID.rawValue) の協力者 \(target.recipient.rawValue)（\(Self.label(target))）の「\(confirmation.japanese)」（\(JapaneseDateFormat.dateTime(instant))）"
            )
            if confirmation == .destroyed, covered > 1 {
                print("この協力者に送ったこの案件の書類 \(covered) 件すべてを処分済みとしました。")
            }
        case .alreadyRecorded(let target):
            let when = target.recorded(confirmation).map { JapaneseDateFormat.dateTime($0) } ?? "-"
            printError(
                "既に記録されています: 案件 \(target.caseID.rawValue) の協力者 \(target.recipient.rawValue) の「\(confirmation.japanese)」（\(when)）。何も変えていません。"
            )
            throw ExitCode.failure
        case .notAsked(let target):
            printError(
                "そのコードは見つかりません: \(parsed.rawValue) は\(Self.label(target))のコードで、「\(confirmation.japanese)」は尋ねていません（\(target.kind.confirmations.map { "--\($0.rawValue)" }.joined(separator: " か ")) を指定してください）。"
            )
            throw ExitCode(2)
        case .unknown:
            printError("そのコードは見つかりません: \(parsed.rawValue)（読み間違いがないか確かめてください。案件の保存期間が過ぎたコードも見つかりません）。記録していません。")
            throw ExitCode(2)
        }
    }

    static func label(_ target: ConfirmationTarget) -> String {
        let notice =
            switch target.kind {
            case .alert: "発見協力のお願い"
            case .update: "続報"
            case .termination: "終結のお知らせ"
            case .destructionReminder: "処分のお願い"
            default: "お知らせ"
            }
        return "\(ResendCommand.label(target.channel))の\(notice)" + (target.drill ? "・訓練" : "")
    }
}
