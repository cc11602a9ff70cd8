import Foundation
import MimamoriCore

/// What `mimamori route` prints: `Configuration.Concerns.contactDesks` put in the words of the
/// staff who keep the table. Desk names and addresses are the town's, not personal data.
struct ConcernRouter {
    var concerns: Configuration.Concerns
    var areas: AreaTree

    struct Input {
        var reportID: CaseID?
        var area: String?
        var urgent: Bool
    }

    /// One report at one time: the rule, then each desk with every address it would be sent to.
    func explain(_ input: Input, at instant: Date) -> String {
        let route = concerns.contactDesks(area: input.area, urgent: input.urgent, at: instant, areas: areas)
        var lines: [String] = []
        if route.urgent { lines.append("【至急】") }
        let about = input.reportID.map { "情報提供 \($0.rawValue)" } ?? "情報提供"
        lines.append("\(about) の届け先　\(JapaneseDateFormat.date(instant)) \(Self.clock(JapaneseCalendar.timeOfDay(of: instant)))")
        lines.append("  地域: \(input.area ?? "（記載なし）")　緊急対応: \(input.urgent ? "あり" : "なし")")
        let date = JapaneseCalendar.localDate(of: instant)
        lines.append("  規則: \(route.rule.rawValue) — \(reason(route, area: input.area, on: date))")
        lines.append("  届け先:")
        for id in route.desks {
            guard let desk = concerns.desk(id) else {
                lines.append("    \(id)  （concerns.desks にありません）")
                continue
            }
            lines.append("    \(desk.id)  \(desk.name)（電話 \(desk.phone)）")
            // As the settings write them (the ledger keeps the normal forms).
            for (channel, addresses) in [(Channel.fax, desk.faxes), (Channel.email, desk.emails)] {
                for (index, address) in addresses.enumerated() {
                    let name = channel.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                    let recipient = ConcernDelivery.recipient(desk: desk, index: index)
                    lines.append("      \(name) \(address)　（記録上の宛先 \(recipient.rawValue)）")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Why the rule matched, as a sentence fragment for staff.
    func reason(_ route: ConcernRoute, area: String?, on date: LocalDate) -> String {
        let hours = "\(Self.clock(concerns.opens))〜\(Self.clock(concerns.closes))"
        let centreName = concerns.desk(concerns.centre)?.name ?? concerns.centre
        switch route.rule {
        case .station:
            let station = "平日 \(hours)、\(area ?? "-") の地域ステーション"
            return route.urgent ? "\(station)（至急のため \(centreName) にも）" : station
        case .centre:
            guard let area else { return "平日 \(hours)、地域の記載がないため \(centreName)" }
            if case .unknown = areas.place(area) { return "平日 \(hours)、地域「\(area)」が設定の areas: にないため \(centreName)" }
            return "平日 \(hours)、\(area) には地域ステーションがないため \(centreName)"
        case .evening: return "平日の時間外（\(Self.clock(concerns.opens)) より前・\(Self.clock(concerns.closes)) 以降）"
        case .weekend, .holiday, .yearEnd: return dayReason(route, on: date)
        }
    }

    func dayReason(_ route: ConcernRoute, on date: LocalDate) -> String {
        switch route.rule {
        case .holiday:
            switch route.holiday {
            case "振替休日", "国民の休日": return route.holiday ?? "祝日"
            case let name?: return "祝日（\(name)）"
            case nil: return "祝日"
            }
        case .yearEnd: return "年末年始（12/29〜1/3）"
        default: return date.weekday == 6 ? "土曜日" : "日曜日"
        }
    }

    /// The kind of day, as the table's second column shows it.
    func dayKind(_ date: LocalDate) -> String {
        if JapaneseCalendar.isYearEndBreak(date) { return "年末年始（12/29〜1/3）" }
        if date.weekday == 6 { return "土曜日" }
        if date.weekday == 0 { return "日曜日" }
        if let name = JapaneseCalendar.holidayName(date) {
            return dayReason(ConcernRoute(desks: [], rule: .holiday, urgent: false, holiday: name), on: date)
        }
        return "平日"
    }

    /// The times the table shows: a minute before opening, opening, noon, a minute before
    /// closing, closing: where the desk changes.
    var tableTimes: [TimeOfDay] {
        let noon = TimeOfDay(hour: 12, minute: 0)
        var times = [
            TimeOfDay(hour: 0, minute: max(0, concerns.opens.minutes - 1)), concerns.opens, noon,
            TimeOfDay(hour: 0, minute: max(0, concerns.closes.minutes - 1)), concerns.closes,
        ]
        times = Array(Set(times)).sorted()
        return times
    }

    /// A Markdown table of the desks day by day, and the desks' names under it.
    func table(area: String?, urgent: Bool, from first: LocalDate, days: Int) -> String {
        let times = tableTimes
        let last = first.adding(days: days - 1)
        var lines = [
            "情報提供の届け先表　\(JapaneseDateFormat.date(first))〜\(JapaneseDateFormat.date(last))",
            "地域: \(area ?? "（記載なし）")　緊急対応: \(urgent ? "あり【至急】" : "なし")　（時刻は日本時間）",
            "",
            "| 日付 | 区分 | " + times.map(Self.clock).joined(separator: " | ") + " |",
            "|---|---|" + String(repeating: "---|", count: times.count),
        ]
        var shown: [String] = []
        for offset in 0..<days {
            let date = first.adding(days: offset)
            let cells = times.map { time in
                let route = concerns.contactDesks(area: area, urgent: urgent, at: JapaneseCalendar.instant(date, time), areas: areas)
                for desk in route.desks where !shown.contains(desk) { shown.append(desk) }
                return route.desks.joined(separator: " + ")
            }
            let day = "\(date.month)/\(date.day)（\(Self.weekdays[date.weekday])）"
            lines.append("| \(day) | \(dayKind(date)) | " + cells.joined(separator: " | ") + " |")
        }
        lines.append("")
        lines.append("届け先: " + shown.map { "\($0) = \(concerns.desk($0)?.name ?? "?")" }.joined(separator: "、"))
        return lines.joined(separator: "\n") + "\n"
    }

    static let weekdays = ["日", "月", "火", "水", "木", "金", "土"]

    /// 8:00, 17:59: as a timetable writes it.
    static func clock(_ time: TimeOfDay) -> String {
        "\(time.hour):" + (time.minute < 10 ? "0" : "") + "\(time.minute)"
    }
}
