import ArgumentParser
import Foundation
import MimamoriCore
import MimamoriDaemon
import MimamoriService

/// `mimamori plan EVENT.json [--at TIME] [--with-names]`: who the event's alert would reach with
/// the directory and settings in force, and who not and why, with nothing recorded or sent. For
/// staff checking a new directory or area tree before a real case: in Japanese, ids by default.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show who a case event's alert would reach and who not, and why (nothing is sent).")

    @Argument(help: "A case event (JSON, schema mimamori.case/1).")
    var event: String

    @Option(name: .long, help: "The time to plan at, RFC 3339 (default: now); decides the radio's quiet hours.")
    var at: String?

    @Flag(name: .customLong("with-names"), help: "Show cooperator names (personal data: for staff only).")
    var withNames = false

    @OptionGroup var options: ConfigOption

    @OptionGroup var registryKey: RegistryKeyOption

    func run() async throws {
        let instant = try instant(at, option: "--at")
        let files = try options.loadSettings()
        // As the intake plans it: completed from the registration the event names.
        let caseEvent = await registryKey.completed(try readCaseEvent(event), configuration: files.configuration, announce: false)
        if let refusal = files.directoryRefusal {
            printError("名簿を使えません: \(refusal)")
            throw ExitCode.failure
        }
        let planner = Planner(configuration: files.configuration, directory: files.directory, templates: files.templates)
        print(Self.describe(caseEvent, planner: planner, at: instant, withNames: withNames))
    }

    /// The printed plan. The alert's reach, as if the case had not been sent yet.
    static func describe(_ event: CaseEvent, planner: Planner, at instant: Date, withNames: Bool) -> String {
        let plan = planner.alert(event, now: instant)
        let reach = plan.reach
        var lines: [String] = []
        lines.append(
            "事案 \(event.caseID)\(event.drill ? "（訓練）" : "") の通知先（\(JapaneseDateFormat.dateTime(instant)) 時点の名簿・設定による。まだ何も送信していません）")
        let areas = planner.caseAreaTexts(event)
        let additions = event.registryAdditions
        let filledResidence = (additions?.filled.contains(.residenceArea) ?? false) ? event.person?.residenceArea : nil
        let written = [("住所の地域", filledResidence == nil ? event.person?.residenceArea : nil), ("最後に見かけた地域", event.lastSeen?.area)]
        for (label, text) in written {
            guard let text, !AreaTree.normalised(text).isEmpty else { continue }
            lines.append("\(label): \(text) → \(placement(text, tree: planner.configuration.areas))")
        }
        for text in areas.registered {
            let label = text == filledResidence ? "住所の地域（登録から）" : "よく行く場所の地域（登録から）"
            lines.append("\(label): \(text) → \(placement(text, tree: planner.configuration.areas))")
        }
        if areas.own.isEmpty {
            lines.append("事案の地域: 指定なし（全員に送信します）")
            if additions != nil {
                lines.append("　登録の地域（お住まい・よく行く場所）は送信先を広げるためにだけ使うので、絞り込みません。")
            }
        }
        if let additions {
            lines.append(RegistryKeyOption.summary(additions))
        }
        lines.append("")
        let groups: [(String, [Reach.Reason])] = [
            ("送信する", [.asked, .askedUnknownArea]),
            ("送信しない", [.skippedArea, .skippedConsent, .skippedInactive, .otherTown, .partnerDaemon]),
        ]
        for (title, reasons) in groups {
            let rows = reach.decisions.filter { reasons.contains($0.reason) }
            lines.append("\(title): \(rows.count) 件")
            for row in rows {
                let everywhere = row.reason == .asked && (planner.directory[row.recipient]?.areas.isEmpty ?? false)
                var fields = ["  \(row.recipient)", channelName(row.channel), everywhere ? "全域を担当（地域の指定なし）" : label(row.reason)]
                if withNames { fields.insert(planner.directory[row.recipient]?.name ?? "-", at: 1) }
                lines.append(fields.joined(separator: "\t"))
            }
            lines.append("")
        }
        let radio = plan.deliveries.first { $0.channel == .radio }
        if let radio {
            let later = radio.notBefore > instant ? "（放送休止時間のため \(JapaneseDateFormat.dateTime(radio.notBefore)) に放送）" : ""
            lines.append("防災行政無線: 放送します\(later)")
        } else if planner.configuration.radio == nil {
            lines.append("防災行政無線: 設定されていません")
        } else {
            lines.append("防災行政無線: 放送しません（家族の同意がありません）")
        }
        lines.append("写真: \(planner.photoToAttach(for: event) == nil ? "添付しません" : "添付します")")
        lines.append("")
        lines.append(
            "まとめ: 有効な協力者 \(reach.active) 件のうち \(reach.asked) 件に送信"
                + "（FAX \(plan.deliveries.filter { $0.channel == .fax }.count)、メール \(plan.deliveries.filter { $0.channel == .email }.count)）。"
                + "地域で除外 \(reach.count(.skippedArea))、同意なし \(reach.count(.skippedConsent))、無効 \(reach.count(.skippedInactive))、"
                + "地域一覧にない地域のため送信 \(reach.count(.askedUnknownArea))")
        if !reach.unknownCaseAreas.isEmpty {
            lines.append("注意: 事案の地域 \(reach.unknownCaseAreas.joined(separator: "、")) が mimamori.yaml の areas にないため、地域で絞り込まず全員に送信します。")
        }
        if reach.count(.askedUnknownArea) > 0 {
            lines.append("注意: 地域一覧にない地域の協力者がいます。mimamori check-config で行を確認し、名簿か areas を直してください。")
        }
        if IntakeService.unreached(kind: CaseEvent.Kind.opened.rawValue, reach: reach) != nil {
            lines.append("警告: この事案はどの協力者にも届きません。実際の事案では運用担当者に警報が送られます。")
        }
        return lines.joined(separator: "\n")
    }

    static func placement(_ text: String, tree: AreaTree) -> String {
        switch tree.place(text) {
        case .unknown:
            return "地域一覧にありません（絞り込みません）"
        case .known(let area):
            var path: [String] = []
            var cursor: AreaTree.Area? = area
            while let c = cursor {
                path.insert(tree.name(of: c), at: 0)
                cursor = tree.parent(of: c)
            }
            return path.joined(separator: " › ")
        }
    }

    static func channelName(_ channel: Channel) -> String {
        switch channel {
        case .fax: "FAX"
        case .email: "メール"
        case .radio: "無線"
        }
    }

    static func label(_ reason: Reach.Reason) -> String {
        switch reason {
        case .asked: "地域が該当"
        case .askedUnknownArea: "地域が地域一覧にないため送信（要確認）"
        case .holdsData: "すでに情報を受け取っている"
        case .skippedInactive: "無効（active 列）"
        case .skippedArea: "地域が該当しない"
        case .skippedConsent: "家族の同意なし（consent.cooperators）"
        case .otherTown: "他の市町村（partnerTowns の同意なし）"
        case .partnerDaemon: "相手の市町村の見守りシステムが送信"
        case .neverAlerted: "通知を受け取っていない"
        }
    }
}
