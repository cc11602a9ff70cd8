import Foundation
import MimamoriCore
import Outlets

/// The drill report as the coordination meeting (年2回の調整会議) reads it on paper: the chain's
/// timings, reach per channel and per area, the FAX transmissions, the receipts and destruction
/// confirmations at the fixed marks with their cumulative chart, and who was not reached or did
/// not answer (names for the staff's eyes; none once the case is purged). Every figure comes from
/// `DrillReport`; this only words and orders them.
public enum DrillReportDocument {
    /// The chart's time axis, seconds after the start.
    static let ticks: [(Double, String)] = [
        (1, "1秒"), (10, "10秒"), (60, "1分"), (600, "10分"), (3600, "1時間"), (21_600, "6時間"), (86_400, "1日"), (259_200, "3日"),
        (604_800, "1週間"),
    ]

    /// 12月1日 12時26分: a confirmation's time in a narrow column (the year is the report's).
    static func shortTime(_ instant: Date) -> String {
        let day = JapaneseCalendar.localDate(of: instant)
        let time = JapaneseCalendar.timeOfDay(of: instant)
        return "\(day.month)月\(day.day)日 \(time.hour)時" + (time.minute < 10 ? "0" : "") + "\(time.minute)分"
    }

    /// `confirmationsAsked`: the notices carried the confirmation links (the town has `confirm:`,
    /// or confirmations were recorded); otherwise the section says none were asked rather than
    /// showing 0%.
    public static func document(
        _ report: DrillReport, town: Configuration.Town, madeAt: Date, confirmationsAsked: Bool = true
    ) -> ReportDocument {
        let subject = report.subject
        let start = report.chainStart()
        let kind = subject.drill ? "訓練" : "事案"
        var blocks: [ReportDocument.Block] = []

        var period = "捜索: \(JapaneseDateFormat.dateTime(start)) から"
        if let closed = report.closedAt() { period += " \(JapaneseDateFormat.dateTime(closed)) まで" } else { period += "（まだ終わっていません）" }
        blocks.append(
            .paragraph(
                "事案番号: \(subject.caseID.rawValue)　\(town.name) \(town.department)\n\(period)\n作成: \(JapaneseDateFormat.dateTime(madeAt))"))
        if subject.purged {
            blocks.append(
                .note("この事案は保存期間を過ぎ、個人情報を消去しました。件数と時刻は残っていますが、協力者の名前は載せていません（宛先IDだけです）。"))
        }

        blocks.append(.heading("1. 情報の流れ（捜索依頼）"))
        func timing(_ label: String, _ instant: Date?) -> [String] {
            [
                label, instant.map(JapaneseDateFormat.dateTime) ?? "—",
                instant.map { "+" + DrillReport.elapsed($0.timeIntervalSince(start)) } ?? "—",
            ]
        }
        var timings = [timing("発信（警察・町）", report.publishedAt()), timing("台帳に記録", report.recordedAt())]
        for channel in [Channel.fax, .email] {
            let span = report.acceptanceSpan(on: channel)
            let name = DrillReport.channelName(channel)
            timings.append(timing("\(name) 最初の受付", span?.first))
            timings.append(timing("\(name) 最後の受付", span?.last))
        }
        timings.append(timing("防災行政無線 放送", report.radioBroadcastAt()))
        timings.append(timing("捜索の終了", report.closedAt()))
        blocks.append(
            .table(.init(columns: [.init("段階", width: 3), .init("時刻", width: 4), .init("発信から", width: 2, numeric: true)], rows: timings)))
        if report.publishedAt() == nil {
            blocks.append(.paragraph("発信の時刻が台帳にないため、台帳に記録した時刻から数えています。"))
        }

        blocks.append(.heading("2. 届いた数（経路別）"))
        let reachColumns: [ReportDocument.Table.Column] = [
            .init("経路", width: 3), .init("予定", numeric: true), .init("届いた", numeric: true), .init("届かなかった", width: 1.4, numeric: true),
            .init("取り消し・送信待ち", width: 1.8, numeric: true), .init("届いた割合", width: 1.2, numeric: true),
        ]
        let channels = Channel.allCases.map { ($0, report.reach(on: $0)) }.filter { $0.1.planned > 0 }
        blocks.append(
            .table(
                .init(
                    columns: reachColumns,
                    rows: channels.map { channel, count in
                        [
                            DrillReport.channelName(channel), "\(count.planned)", "\(count.accepted)", "\(count.failed + count.expired)",
                            "\(count.cancelled + count.waiting)", DrillReport.percent(DrillReport.share(count.accepted, of: count.planned)),
                        ]
                    })))
        let fax = report.faxTransmissions()
        if report.reach(on: .fax).accepted > 0 {
            blocks.append(
                .paragraph(
                    "FAXの送信結果（受付済み \(report.reach(on: .fax).accepted) 件）: 送信完了 \(fax.transmitted)、送信失敗 \(fax.failed)、結果不明 \(fax.unknown)。"
                        + (fax.unknown > 0 ? "結果不明は、送信業者から結果の知らせがないものです。" : "")))
        }

        blocks.append(.heading("3. 届いた数（地区別）"))
        blocks.append(
            .table(
                .init(
                    columns: [
                        .init("地区（協力者名簿の地区）", width: 4), .init("予定", numeric: true), .init("届いた", numeric: true),
                        .init("届かなかった", width: 1.4, numeric: true), .init("届いた割合", width: 1.2, numeric: true),
                    ],
                    rows: report.reachByArea().map { area, count in
                        [
                            area, "\(count.planned)", "\(count.accepted)", "\(count.failed + count.expired)",
                            DrillReport.percent(DrillReport.share(count.accepted, of: count.planned)),
                        ]
                    })))
        blocks.append(.paragraph("防災行政無線は町内全域のため地区別には数えていません。複数の地区を受け持つ協力者は、それぞれの地区に数えています。"))

        let reached = report.reachedRecipients().count
        blocks.append(.heading("4. 受け取り・処分の確認（関心度）"))
        if !confirmationsAsked {
            blocks.append(
                .note(
                    "この町の設定に確認のしくみ（confirm:）がないため、通知に確認のリンク・QRコードを付けていません。受け取り・処分の確認は集めていません（電話で確かめたものは mimamori confirm で記録できます）。"
                ))
        }
        blocks.append(
            .paragraph(
                "捜索依頼が届いたFAX・メールの宛先 \(reached) に確認をお願いしました。「受け取りました」は発信から、「処分しました」は捜索の終了から数えています。"
            ))
        blocks.append(
            .table(
                .init(
                    columns: [.init("確認", width: 2.2)] + DrillReport.Mark.allCases.map { .init($0.japanese, width: 1.3, numeric: true) }
                        + [.init("合計", width: 1.3, numeric: true)],
                    rows: Confirmation.allCases.map { confirmation in
                        func cell(_ count: Int) -> String { "\(count)（\(DrillReport.percent(report.shareOfReached(count)))）" }
                        return [confirmation.japanese]
                            + DrillReport.Mark.allCases.map { cell(report.confirmations(confirmation, within: $0)) }
                            + [cell(report.confirmationTotal(confirmation))]
                    })))
        let last = DrillReport.Curve.allCases.flatMap { report.cumulative($0) }.map { $0.at.timeIntervalSince(start) }.max() ?? 0
        blocks.append(
            .chart(
                .init(
                    title: "届いた宛先と確認の累計",
                    series: DrillReport.Curve.allCases.map { curve in
                        .init(
                            name: curve.japanese,
                            points: report.cumulative(curve).map { .init(seconds: $0.at.timeIntervalSince(start), count: $0.count) })
                    },
                    from: 1, to: max(604_800, last * 1.2), ticks: ticks.map { .init(seconds: $0.0, label: $0.1) },
                    maximum: max(reached, 1), xLabel: "発信からの時間（目盛りは等間隔ではありません）", yLabel: "宛先の数（累計）")))

        blocks.append(.heading("5. 届かなかった宛先"))
        let unreached = report.unreached()
        if unreached.isEmpty {
            blocks.append(.paragraph("ありません。捜索依頼は予定したすべての宛先に届きました。"))
        } else {
            blocks.append(
                .table(
                    .init(
                        columns: [.init("宛先ID", width: 1.6), .init("名前", width: 3.4), .init("経路", width: 1.2), .init("理由", width: 3.8)],
                        rows: unreached.map { [$0.recipient.rawValue, $0.name ?? "—", DrillReport.channelName($0.channel), $0.reason] })))
        }

        blocks.append(.heading("6. 確認の返事がない宛先"))
        let unanswered = report.unanswered()
        if unanswered.isEmpty {
            blocks.append(.paragraph("ありません。届いたすべての宛先から受け取りと処分の確認がありました。"))
        } else {
            func answer(_ instant: Date?) -> String { instant.map(Self.shortTime) ?? "未" }
            blocks.append(
                .table(
                    .init(
                        columns: [
                            .init("宛先ID", width: 1.6), .init("名前", width: 3.8), .init("経路", width: 1.2), .init("受け取り", width: 2.3),
                            .init("処分", width: 2.3),
                        ],
                        rows: unanswered.map {
                            [
                                $0.recipient.rawValue, $0.name ?? "—", DrillReport.channelName($0.channel), answer($0.receivedAt),
                                answer($0.destroyedAt),
                            ]
                        })))
        }

        let network = town.network ?? town.name
        let staffOnly = subject.purged ? "" : "　職員限り（協力者の名前あり・会議のあと回収）"
        return ReportDocument(
            title: "\(network) \(kind)の報告（調整会議資料）",
            banner: subject.drill ? "【訓練】この報告は訓練の記録です" : nil,
            blocks: blocks,
            footer: "\(town.name) \(town.department)　事案番号 \(subject.caseID.rawValue)\(staffOnly)",
            created: madeAt)
    }
}
