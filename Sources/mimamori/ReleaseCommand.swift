import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori release CASE`: sends a held alert (`held.stale`) that the staff confirmed with the
/// police is genuine. Run as the `mimamori` user; Japanese output for the staff.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Send a held (stale) alert after the staff confirmed it is genuine; the running daemon sends it.")

    @Argument(help: "The case id (from the held.stale alarm mail).")
    var caseID: String

    @OptionGroup var options: ConfigOption

    @OptionGroup var registryKey: RegistryKeyOption

    func run() async throws {
        guard CaseID.isValid(caseID) else { throw ValidationError("事案番号の形式ではありません: \(caseID)") }
        let files: SettingsFiles
        do {
            files = try SettingsFiles.load(configPath: SettingsFiles.configPath(options.config))
        } catch {
            for problem in error.problems { printError(problem) }
            throw ExitCode.failure
        }
        if let refusal = files.directoryRefusal {
            printError("名簿を使えません: \(refusal)")
            throw ExitCode.failure
        }
        let outcome: CaseRelease.Outcome
        do {
            let ledger = try await Ledger.open(files.configuration.ledger, password: ledgerPassword())
            // The alert is completed from the registration it names, as the intake would have.
            var registry: Registry?
            if files.configuration.registry != nil {
                do {
                    registry = try registryKey.openRegistry(files.configuration, ledger: ledger)
                } catch {
                    printError("登録の情報は使わず、事案の情報だけで送信します。")
                }
            }
            outcome = try await CaseRelease.release(
                CaseID(caseID), ledger: ledger, settings: CaseIntake.Settings(files: files), registry: registry, now: Date())
        } catch {
            printError("送信できませんでした: \(error)")
            throw ExitCode.failure
        }
        switch outcome {
        case .notHeld(let state):
            printError("事案 \(caseID) は保留中ではありません（\(state.map { "状態: \($0)" } ?? "台帳にありません")）。何も送信していません。")
            throw ExitCode.failure
        case .released(let planned, let reach, let use):
            print(
                """
                事案 \(caseID) の保留を解除しました。発見協力依頼を送信します（mimamorid が送ります）。
                　FAX　　　\(planned[.fax] ?? 0) 件
                　メール　　\(planned[.email] ?? 0) 件
                　防災無線　\(planned[.radio] ?? 0) 件
                　（有効な協力者 \(reach.active)、うち送信 \(reach.asked)）
                送信の状況: mimamori status \(caseID)
                """)
            switch use {
            case .none: break
            case .merged(let additions, let auditFailed):
                print(RegistryKeyOption.summary(additions))
                if auditFailed { printError("登録簿の記録（merged）を書けませんでした。通知の送信には影響ありません。") }
            case .unavailable(let code):
                printError("事案が指定した登録を使えませんでした（\(code)）。通知は事案の情報だけで送ります。")
            }
        }
    }
}
