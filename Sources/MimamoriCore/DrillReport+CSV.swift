import Foundation

/// The drill report's two CSV files, made to open in Excel on a town office's PC with a double
/// click: UTF-8 with a BOM (without one Excel takes the bytes for Shift_JIS), CRLF line ends,
/// RFC 4180 quoting, times on the town's clock as `2026-11-15 10:00:05` (a cell Excel reads as
/// a date and time).
extension DrillReport {
    /// The deliveries file's header, in the staff's words.
    public static let deliveryColumns = [
        "宛先ID", "名前", "地区", "経路", "通知", "版", "状態", "作成", "受付", "FAX送信結果", "受け取り", "処分", "確認の方法",
    ]

    /// One row per delivery of the case: who, where, how, what, and its times.
    public func deliveriesCSV() -> Data {
        var rows = [Self.deliveryColumns]
        let ordered = deliveries.sorted {
            ($0.recipient.rawValue, $0.revision, $0.kind.rawValue, $0.channel.rawValue)
                < ($1.recipient.rawValue, $1.revision, $1.kind.rawValue, $1.channel.rawValue)
        }
        for delivery in ordered {
            rows.append([
                delivery.recipient.rawValue, name(of: delivery.recipient) ?? "",
                delivery.channel == .radio ? Self.wholeTown : areas(of: delivery.recipient).joined(separator: "、"),
                Self.channelName(delivery.channel), Self.kindName(delivery.kind), "\(delivery.revision)", Self.stateName(delivery.state),
                Self.csvTime(delivery.plannedAt), Self.csvTime(delivery.acceptedAt), Self.transmissionName(delivery),
                Self.csvTime(delivery.receivedAt), Self.csvTime(delivery.destroyedAt), Self.viaName(delivery.confirmedVia),
            ])
        }
        return Self.csv(rows)
    }

    /// The figures of the report, one per row (項目, 値, and the share or the time since the
    /// publication), for a table of several years.
    public func summaryCSV() -> Data {
        var rows = [["項目", "値", "割合・発信から"]]
        let start = chainStart()
        func time(_ label: String, _ instant: Date?) {
            rows.append([label, Self.csvTime(instant), instant.map { Self.elapsed($0.timeIntervalSince(start)) + "後" } ?? ""])
        }
        rows.append(["事案番号", subject.caseID.rawValue, ""])
        rows.append(["訓練", subject.drill ? "はい" : "いいえ", ""])
        rows.append(["個人情報の消去", subject.purged ? "消去済み（名前は載せていません）" : "保存期間内", ""])
        time("発信（警察・町）", publishedAt())
        time("台帳に記録", recordedAt())
        for channel in [Channel.fax, .email] {
            let span = acceptanceSpan(on: channel)
            time("\(Self.channelName(channel)) 最初の受付", span?.first)
            time("\(Self.channelName(channel)) 最後の受付", span?.last)
        }
        time("防災行政無線 放送", radioBroadcastAt())
        time("捜索の終了", closedAt())
        for channel in Channel.allCases {
            let count = reach(on: channel)
            let name = Self.channelName(channel)
            rows.append(["\(name) 予定", "\(count.planned)", ""])
            rows.append(["\(name) 届いた", "\(count.accepted)", Self.percent(Self.share(count.accepted, of: count.planned))])
            rows.append([
                "\(name) 届かなかった", "\(count.failed + count.expired)",
                Self.percent(Self.share(count.failed + count.expired, of: count.planned)),
            ])
            rows.append(["\(name) 取り消し・送信待ち", "\(count.cancelled + count.waiting)", ""])
        }
        for (area, count) in reachByArea() {
            rows.append(["地区 \(area) 予定/届いた/届かなかった", "\(count.planned)/\(count.accepted)/\(count.failed + count.expired)", ""])
        }
        let fax = faxTransmissions()
        rows.append(["FAX 送信完了", "\(fax.transmitted)", ""])
        rows.append(["FAX 送信失敗", "\(fax.failed)", ""])
        rows.append(["FAX 送信結果不明", "\(fax.unknown)", ""])
        let reached = reachedRecipients().count
        rows.append(["確認をお願いした宛先", "\(reached)", ""])
        for confirmation in Confirmation.allCases {
            for mark in Mark.allCases {
                let count = confirmations(confirmation, within: mark)
                rows.append(["\(confirmation.japanese) \(mark.japanese)", "\(count)", Self.percent(shareOfReached(count))])
            }
            let total = confirmationTotal(confirmation)
            rows.append(["\(confirmation.japanese) 合計", "\(total)", Self.percent(shareOfReached(total))])
        }
        rows.append(["届かなかった宛先", "\(unreached().count)", ""])
        rows.append(["返事のない宛先", "\(unanswered().count)", ""])
        return Self.csv(rows)
    }

    /// `part` of `whole`, 0 … 1 (0 of nothing).
    public static func share(_ part: Int, of whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }

    // MARK: cells

    /// The rows as a file: BOM, fields quoted where they must be, CRLF after every row.
    static func csv(_ rows: [[String]]) -> Data {
        var text = "\u{FEFF}"
        for row in rows { text += row.map(csvField).joined(separator: ",") + "\r\n" }
        return Data(text.utf8)
    }

    /// A field quoted when it holds a comma, a quote or a line break (quotes doubled). A text
    /// that Excel would take for a formula (`=`, `+`, `-`, `@` first) gets an apostrophe in
    /// front, so a name in the directory can never run as one on a staff PC.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `2026-11-15 10:00:05` on the town's clock; empty for no time.
    public static func csvTime(_ instant: Date?) -> String {
        guard let instant else { return "" }
        let day = JapaneseCalendar.localDate(of: instant)
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + JapaneseCalendar.offsetSeconds
        let inDay = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(day) \(two(inDay / 3600)):\(two(inDay / 60 % 60)):\(two(inDay % 60))"
    }

    static func kindName(_ kind: NoticeKind) -> String {
        switch kind {
        case .alert: "捜索依頼"
        case .update: "続報"
        case .termination: "捜索終了"
        case .destructionReminder: "処分のお願い"
        case .destructionSecondReminder: "処分の再度のお願い"
        case .concernReport: "情報提供"
        case .concernResult: "情報提供の結果"
        case .shelterRequest: "緊急一時保護依頼"
        case .shelterDestruction: "緊急一時保護 処分のお願い"
        }
    }

    static func stateName(_ state: DeliveryState) -> String {
        switch state {
        case .planned: "送信待ち"
        case .sending: "送信中"
        case .delivered: "受付済み"
        case .failed: "送れなかった"
        case .cancelled: "取り消し"
        case .expired: "期限切れ"
        }
    }

    static func transmissionName(_ delivery: Delivery) -> String {
        guard delivery.channel == .fax, delivery.state == .delivered else { return "" }
        return switch delivery.transmission {
        case .transmitted: "送信完了"
        case .failed: "送信失敗"
        case nil: "不明"
        }
    }

    static func viaName(_ via: String?) -> String {
        switch via {
        case "link": "リンク・QRコード"
        case "staff": "電話・FAXで職員が記録"
        case nil: ""
        case let other?: other
        }
    }
}
