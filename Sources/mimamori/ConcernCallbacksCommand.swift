import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon

/// `mimamori concern callbacks [--desk ID] [--all]`: the reporters who gave only a phone number
/// and are owed a call with the result, oldest first: who to call, at which number, and the
/// desk's words to read out. Personal data, for the staff making the calls: printed here, never
/// logged. Read from the report's state in the ledger; a report past its retention is "purged".
struct ConcernCallbacksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callbacks",
        abstract: "The call-back list: reporters to phone with the result (personal data: for the staff making the calls).")

    @Option(help: "Only this desk's list (its id in concerns.desks, e.g. shoda).")
    var desk: String?

    @Flag(help: "Also the calls already made.")
    var all = false

    @Option(help: "Ledger file (default: ledger.path of the settings).")
    var ledger: String?

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let concerns = (try? SettingsFiles.load(configPath: SettingsFiles.configPath(options.config)))?.configuration.concerns
        if let desk, let concerns, concerns.desk(desk) == nil {
            throw ValidationError("--desk \(desk) is not one of concerns.desks (\(concerns.desks.map(\.id).joined(separator: ", ")))")
        }
        let ledger = try await Ledger.open(try ledgerSettings(ledger, options), password: ledgerPassword())
        let callbacks = try await ledger.callbacks(desk: desk, includeMade: all)
        let whose = desk.map { desk in concerns?.desk(desk).map { "\($0.name)の" } ?? "\(desk) の" } ?? ""
        guard !callbacks.isEmpty else {
            print(all ? "\(whose)コールバックはありません" : "\(whose)まだ電話していないコールバックはありません")
            return
        }
        let owed = callbacks.filter { $0.calledAt == nil }.count
        print("\(whose)コールバック一覧　まだ電話していないもの \(owed) 件" + (all ? "（電話済みを含め \(callbacks.count) 件）" : ""))
        for callback in callbacks {
            print("")
            let deskName = concerns?.desk(callback.deskID)?.name
            print(
                "\(callback.reportID)  担当 \(callback.deskID)\(deskName.map { "（\($0)）" } ?? "")　結果の記録 \(JapaneseDateFormat.dateTime(callback.raisedAt))"
            )
            if let calledAt = callback.calledAt { print("  電話済み: \(JapaneseDateFormat.dateTime(calledAt))") }
            guard let snapshot = callback.snapshot, let state = try? snapshot.decode(ConcernState.self) else {
                print("  purged（保存期間を過ぎ、報告者の連絡先と結果は削除済み）")
                continue
            }
            let reporter = state.report.reporter
            print("  協力団体: \(reporter?.organization ?? "（記載なし）")")
            print("  報告者: \(reporter?.name ?? "（名乗りなし）")　電話 \(reporter?.phone ?? "（記載なし）")")
            print("  伝える結果: \(state.result ?? "（結果の記録がありません）")")
            if callback.calledAt == nil { print("  電話が済んだら: mimamori concern called-back \(callback.reportID)") }
        }
    }
}
