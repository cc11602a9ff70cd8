import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon

/// `mimamori report REPORT-ID` for a concern report: each delivery (to a desk, named by its id
/// as `concerns.desks` has it, or to `reporter`), then whether the result went back in writing
/// or by a call-back, and when the call was made.
extension ReportCommand {
    func concernReport(_ status: CaseStatus, ledger: any CaseLedger) async throws {
        let lines = try await ledger.report(case: status.caseID, withAddresses: withNames)
        let concerns = (try? SettingsFiles.load(configPath: SettingsFiles.configPath(options.config)))?.configuration.concerns
        print(
            "情報提供 \(status.caseID)\(status.drill ? " 【訓練】" : "")  phase=\(status.stateName)（\(StatusCommand.phaseName(status.stateName))） reported=\(StatusCommand.format(status.openedAt))\(status.closedAt.map { " resolved=\(StatusCommand.format($0))" } ?? "")"
        )
        print("recipient\tdesk\tchannel\tnotice\trev\tstate\taccepted_at\tattempts\tlast_error" + (withNames ? "\taddress" : ""))
        for line in lines {
            var fields = [line.recipient.rawValue, Self.deskName(line.recipient, concerns: concerns)] + Self.deliveryFields(line)
            if withNames { fields.append(line.address ?? "-") }
            print(fields.joined(separator: "\t"))
        }
        print(Self.totals(lines))

        let callback = try await ledger.callbacks(desk: nil, includeMade: true).first { $0.reportID == status.caseID }
        if let callback {
            let desk = concerns?.desk(callback.deskID).map { "\(callback.deskID)（\($0.name)）" } ?? callback.deskID
            let made =
                callback.calledAt.map { "電話済み \(StatusCommand.format($0))" }
                ?? "まだ電話していません（済んだら mimamori concern called-back \(status.caseID) で記録）"
            print("結果の連絡: 電話（報告者は電話番号のみ）　担当 \(desk)　結果の記録 \(StatusCommand.format(callback.raisedAt))　\(made)")
        } else if lines.contains(where: { $0.recipient == ConcernDelivery.reporter }) {
            print("結果の連絡: 報告者へ書面（上の reporter の行）")
        } else if status.closedAt == nil {
            print("結果の連絡: 結果の記録待ち")
        }
    }

    /// The desk a recipient id names (`shoda`, or `shoda-2` for its second address).
    static func deskName(_ recipient: RecipientID, concerns: Configuration.Concerns?) -> String {
        if recipient == ConcernDelivery.reporter { return "報告者" }
        return concerns.flatMap { ConcernDelivery.desk(of: recipient, in: $0) }?.name ?? "-"
    }
}
