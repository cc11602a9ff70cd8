/// 和暦: the era names a town office writes dates of birth in (昭和19年5月12日), read and written.
/// Only the eras of people alive today and of registrations: 明治 to 令和.
public struct JapaneseEra: Sendable, Hashable {
    /// 昭和
    public var name: String
    /// The romanised initial staff also write (S19.5.12).
    public var initial: Character
    /// The era's first day (元年 is the year it starts in).
    public var firstDay: LocalDate

    /// Oldest first. 明治 is taken from 1868-01-01: the Gregorian calendar came in 明治6年, and no
    /// one alive was born before it.
    public static let all: [JapaneseEra] = [
        JapaneseEra(name: "明治", initial: "M", firstDay: LocalDate(1868, 1, 1)),
        JapaneseEra(name: "大正", initial: "T", firstDay: LocalDate(1912, 7, 30)),
        JapaneseEra(name: "昭和", initial: "S", firstDay: LocalDate(1926, 12, 25)),
        JapaneseEra(name: "平成", initial: "H", firstDay: LocalDate(1989, 1, 8)),
        JapaneseEra(name: "令和", initial: "R", firstDay: LocalDate(2019, 5, 1)),
    ]

    /// The era by its name or initial (after NFKC, so ㍼ is 昭和), nil for any other.
    public static func named(_ text: String) -> JapaneseEra? {
        let key = text.precomposedStringWithCompatibilityMapping.uppercased()
        return all.first { $0.name == key || String($0.initial) == key }
    }

    /// The day after the era's last day, or nil for the current era.
    public var nextFirstDay: LocalDate? {
        guard let index = Self.all.firstIndex(of: self), index + 1 < Self.all.count else { return nil }
        return Self.all[index + 1].firstDay
    }

    /// The era a day falls in; nil before 明治.
    public static func of(_ day: LocalDate) -> JapaneseEra? { all.last { $0.firstDay <= day } }

    /// Year `year` of this era (1 is 元年) as a Gregorian day, or nil when the era has no such
    /// day (昭和64年1月8日 is 平成元年1月8日; 2月30日 is no day at all).
    public func day(year: Int, month: Int, day: Int) -> LocalDate? {
        guard year >= 1, (1...12).contains(month), (1...31).contains(day) else { return nil }
        let date = LocalDate(firstDay.year + year - 1, month, day)
        guard LocalDate(dayNumber: date.dayNumber) == date, date >= firstDay else { return nil }
        if let next = nextFirstDay, date >= next { return nil }
        return date
    }

    /// 昭和19年5月12日 (元年 for the first year); nil before 明治.
    public static func format(_ day: LocalDate) -> String? {
        guard let era = of(day) else { return nil }
        let year = day.year - era.firstDay.year + 1
        return "\(era.name)\(year == 1 ? "元" : String(year))年\(day.month)月\(day.day)日"
    }

    /// The era's span as staff read it in a problem: 昭和は元年12月25日から64年1月7日まで.
    public var span: String {
        let first = "元年\(firstDay.month)月\(firstDay.day)日"
        guard let next = nextFirstDay else { return "\(name)は\(first)から" }
        let last = next.adding(days: -1)
        return "\(name)は\(first)から\(last.year - firstDay.year + 1)年\(last.month)月\(last.day)日まで"
    }
}
