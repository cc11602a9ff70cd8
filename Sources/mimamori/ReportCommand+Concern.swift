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
            var fields = [
                line.recipient.rawValue, Self.deskName(line.recipient, concerns: concerns), line.channel.rawValue, line.kind.rawValue,
                "\(line.revision)", line.state.rawValue, line.acceptedAt.map(StatusCommand.format) ?? "-", "\(line.attempts)",
                line.lastErrorCode.map { code in "\(code)\(line.lastError.map { ": \($0)" } ?? "")" } ?? "-",
            ]
            if withNames { fields.append(line.address ?? "-") }
            print(fields.joined(separator: "\t"))
        }
        var byState: [String: Int] = [:]
        for line in lines { byState["\(line.kind.rawValue)/\(line.state.rawValue)", default: 0] += 1 }
        print("total \(lines.count): " + byState.keys.sorted().map { "\($0)=\(byState[$0]!)" }.joined(separator: " "))

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
        guard let concerns else { return "-" }
        if let desk = concerns.desk(recipient.rawValue) { return desk.name }
        if let dash = recipient.rawValue.lastIndex(of: "-"), Int(recipient.rawValue[recipient.rawValue.index(after: dash)...]) != nil,
            let desk = concerns.desk(String(recipient.rawValue[..<dash]))
        {
            return desk.name
        }
        return "-"
    }
}
