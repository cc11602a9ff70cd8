import Foundation

/// Dates as a Japanese town office writes and says them, on the town's clock (JST).
/// 西暦 with the weekday in full-width brackets: 2026年11月27日（金）15時30分.
public enum JapaneseDateFormat {
    static let weekdays = ["日", "月", "火", "水", "木", "金", "土"]

    /// 2026年11月27日（金）
    public static func date(_ instant: Date) -> String { date(JapaneseCalendar.localDate(of: instant)) }

    public static func date(_ d: LocalDate) -> String { "\(d.year)年\(d.month)月\(d.day)日（\(weekdays[d.weekday])）" }

    /// 2026年11月27日（金）15時30分; 15時00分 is written 15時00分 (offices keep the zero).
    public static func dateTime(_ instant: Date) -> String {
        let t = JapaneseCalendar.timeOfDay(of: instant)
        return date(instant) + "\(t.hour)時" + (t.minute < 10 ? "0" : "") + "\(t.minute)分"
    }

    /// 11月27日、午後3時30分ごろ — for the radio.
    public static func spokenDateTime(_ instant: Date) -> String {
        let d = JapaneseCalendar.localDate(of: instant)
        let t = JapaneseCalendar.timeOfDay(of: instant)
        let half = t.hour < 12 ? "午前" : "午後"
        let hour = t.hour % 12
        return "\(d.month)月\(d.day)日、\(half)\(hour)時" + (t.minute == 0 ? "" : "\(t.minute)分") + "ごろ"
    }

    /// 11月27日 — for the radio.
    public static func spokenDate(_ instant: Date) -> String {
        let d = JapaneseCalendar.localDate(of: instant)
        return "\(d.month)月\(d.day)日"
    }

    /// 2026年11月27日（金）, or 2026年11月27日（金）から11月28日（土）まで for documents sent over
    /// several days.
    public static func dateRange(_ from: Date, _ to: Date) -> String {
        let a = JapaneseCalendar.localDate(of: from)
        let b = JapaneseCalendar.localDate(of: to)
        if a >= b { return date(a) }
        let end = a.year == b.year ? "\(b.month)月\(b.day)日（\(weekdays[b.weekday])）" : date(b)
        return date(a) + "から" + end + "まで"
    }

    /// 昭和19年5月3日（1944年）: a date of birth as a care facility's papers write it, in the
    /// era (和暦) with the Western year beside it; 元年 for an era's first year.
    public static func birthDate(_ d: LocalDate) -> String {
        "\(eraYear(d))\(d.month)月\(d.day)日（\(d.year)年）"
    }

    /// The era and its year of a day (明治 from 1868, 大正 from 1912-07-30, 昭和 from 1926-12-25,
    /// 平成 from 1989-01-08, 令和 from 2019-05-01): 昭和19年, 令和元年. Before 明治, the Western year.
    public static func eraYear(_ d: LocalDate) -> String {
        let eras: [(name: String, first: LocalDate)] = [
            ("令和", LocalDate(2019, 5, 1)), ("平成", LocalDate(1989, 1, 8)), ("昭和", LocalDate(1926, 12, 25)),
            ("大正", LocalDate(1912, 7, 30)), ("明治", LocalDate(1868, 1, 25)),
        ]
        guard let era = eras.first(where: { d >= $0.first }) else { return "\(d.year)年" }
        let year = d.year - era.first.year + 1
        return era.name + (year == 1 ? "元" : "\(year)") + "年"
    }

    /// 073-482-0110 → 073の482の0110, the way a number is read out.
    public static func spokenPhone(_ phone: String) -> String {
        Addresses.halfWidth(phone).split(whereSeparator: { "-() ".contains($0) }).joined(separator: "の")
    }
}
