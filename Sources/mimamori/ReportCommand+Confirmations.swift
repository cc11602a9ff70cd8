import ArgumentParser
import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon

/// `mimamori report CASE` for a case whose notices asked for confirmations (`confirm:`): per
/// delivery also when it was received (受領) and destroyed (処分), who told us (本人: the
/// cooperator's link or QR code; 職員: recorded by staff), the FAX's transmission where the
/// provider reported it, and per channel how many recipients were delivered, received,
/// destroyed and have not confirmed destruction. `--unconfirmed`: those, by name, for the
/// staff's phone calls.
extension ReportCommand {
    /// Whether the case's notices carried confirmation codes (or, once purged and the codes
    /// gone, whether anyone confirmed): only then is the report the one with receipts.
    static func asksConfirmations(_ lines: [ReportLine]) -> Bool {
        lines.contains { $0.confirmation != nil || $0.receivedAt != nil || $0.destroyedAt != nil || $0.transmission != nil }
    }

    func confirmationReport(_ lines: [ReportLine], status: CaseStatus?) {
        let names = withNames ? cooperatorNames() : [:]
        print(Self.heading(status, title: "配信と受領・処分の確認"))
        print(
            ["受信者", "経路", "通知", "版", "状態", "受付", "受領", "処分", "確認", "FAX送信", "試行", "最後のエラー"].joined(separator: "\t")
                + (withNames ? "\t氏名\t宛先" : ""))
        for line in lines {
            var fields = [line.recipient.rawValue] + Self.confirmationFields(line)
            if withNames { fields += [names[line.recipient] ?? "-", line.address ?? "-"] }
            print(fields.joined(separator: "\t"))
        }
        print(Self.totals(lines))
        print(Self.confirmationCounts(lines), terminator: "")
        let left = Self.unconfirmedRecipients(lines).count
        if left > 0 {
            print("処分の確認がない方の一覧（職員用）: mimamori report \(caseID) --unconfirmed")
        }
    }

    /// 経路, 通知, 版, 状態, 受付, 受領, 処分, 確認, FAX送信, 試行, 最後のエラー.
    static func confirmationFields(_ line: ReportLine) -> [String] {
        let asked = line.kind.confirmations
        func time(_ date: Date?, _ confirmation: Confirmation) -> String {
            if let date { return StatusCommand.format(date) }
            return line.channel != .radio && asked.contains(confirmation) ? "未確認" : "-"
        }
        let transmission: String =
            switch line.transmission {
            case "transmitted": "送信済み" + (line.transmittedAt.map { " " + StatusCommand.format($0) } ?? "")
            case "failed": "送れず" + (line.transmittedAt.map { " " + StatusCommand.format($0) } ?? "")
            default: "-"
            }
        return [
            ResendCommand.label(line.channel), ResendCommand.label(line.kind), "\(line.revision)", label(line.state),
            line.acceptedAt.map(StatusCommand.format) ?? "-", time(line.receivedAt, .received), time(line.destroyedAt, .destroyed),
            line.confirmedVia.map { label($0) } ?? "-", transmission, "\(line.attempts)",
            line.lastErrorCode.map { code in "\(code)\(line.lastError.map { ": \($0)" } ?? "")" } ?? "-",
        ]
    }

    /// Per channel, in people (a 処分しました covers all the case's papers a recipient holds):
    /// those a notice asking for confirmation reached, those who said it arrived, those who said
    /// they destroyed it, and those who did not.
    static func confirmationCounts(_ lines: [ReportLine]) -> String {
        var text = "経路別の人数（防災無線は確認の対象外）\n経路\t配信\t受領\t処分\t処分の確認なし\n"
        for channel in Channel.allCases where channel != .radio {
            let reached = Set(
                lines.filter { $0.channel == channel && $0.state == .delivered && !$0.kind.confirmations.isEmpty }.map(\.recipient))
            guard !reached.isEmpty else { continue }
            let mine = lines.filter { $0.channel == channel && reached.contains($0.recipient) }
            let received = Set(mine.filter { $0.receivedAt != nil }.map(\.recipient)).count
            let destroyed = Set(mine.filter { $0.destroyedAt != nil }.map(\.recipient)).count
            text += "\(label(channel: channel))\t\(reached.count)\t\(received)\t\(destroyed)\t\(reached.count - destroyed)\n"
        }
        return text
    }

    /// Recipients a notice asking for destruction reached (or may have) who have not confirmed
    /// it, with the channel and the code of their latest such notice (what they read out on
    /// the phone, or staff type for them).
    static func unconfirmedRecipients(_ lines: [ReportLine]) -> [(recipient: RecipientID, channel: Channel, code: ConfirmationCode?)] {
        let destroyed = Set(lines.filter { $0.destroyedAt != nil }.map(\.recipient))
        var result: [(recipient: RecipientID, channel: Channel, code: ConfirmationCode?)] = []
        var seen = Set<String>()
        for line in lines.reversed()
        where line.channel != .radio && line.kind.confirmations.contains(.destroyed) && line.acceptedAt != nil
            && !destroyed.contains(line.recipient)
        {
            guard seen.insert("\(line.recipient.rawValue)/\(line.channel.rawValue)").inserted else { continue }
            result.append((line.recipient, line.channel, line.confirmation))
        }
        return result.sorted { ($0.channel.rawValue, $0.recipient.rawValue) < ($1.channel.rawValue, $1.recipient.rawValue) }
    }

    /// `--unconfirmed`: for staff's eyes only; nothing of it is logged.
    func unconfirmedReport(_ lines: [ReportLine], status: CaseStatus?) throws {
        guard Self.asksConfirmations(lines) else {
            throw ValidationError(
                "案件 \(caseID) の通知には確認コードが付いていません（confirm: の設定前の案件です）。処分の確認は記録されていないため、一覧は作れません。")
        }
        let left = Self.unconfirmedRecipients(lines)
        print(Self.heading(status, title: "処分の確認がない方（職員用。外に出さないでください）"))
        guard !left.isEmpty else {
            print("全員から処分しましたの確認をいただいています。")
            return
        }
        let names = cooperatorNames()
        print("受信者\t氏名\t経路\t確認コード")
        for entry in left {
            print(
                [entry.recipient.rawValue, names[entry.recipient] ?? "-", Self.label(channel: entry.channel), entry.code?.rawValue ?? "-"]
                    .joined(separator: "\t"))
        }
        print("\(left.count)名")
        print("電話やFAXで「処分しました」と聞いたときは、その方の確認コードで次のように記録してください:")
        print("  mimamori confirm 確認コード --destroyed")
    }

    /// The cooperators' names from the directory of the settings; a directory that cannot be
    /// read is said on stderr, not passed over.
    func cooperatorNames() -> [RecipientID: String] {
        do {
            let files = try SettingsFiles.load(configPath: SettingsFiles.configPath(options.config))
            return Dictionary(files.directory.cooperators.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        } catch {
            printError("協力者名簿を読めないため、氏名は「-」で表示します（\(error)）。")
            return [:]
        }
    }

    static func heading(_ status: CaseStatus?, title: String) -> String {
        guard let status else { return title }
        return "案件 \(status.caseID)\(status.drill ? " 【訓練】" : "")　\(title)"
            + (status.purgedAt != nil ? "（保存期間を過ぎ、宛先と通知の内容は消去済み）" : "")
    }

    static func label(channel: Channel) -> String { ResendCommand.label(channel) }

    static func label(_ state: DeliveryState) -> String {
        switch state {
        case .planned: "送信待ち"
        case .sending: "送信中"
        case .delivered: "受付済み"
        case .failed: "失敗"
        case .cancelled: "取り消し"
        case .expired: "期限切れ"
        }
    }

    static func label(_ source: ConfirmationSource) -> String {
        switch source {
        case .link: "本人"
        case .staff: "職員"
        }
    }
}
