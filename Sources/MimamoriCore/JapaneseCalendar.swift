import Foundation

/// Japanese public holidays (国民の祝日に関する法律, as amended through 2020), the municipal
/// year-end break (12/29–1/3) and the town's clock (JST, UTC+9, no daylight saving).
///
/// Computed, not tabulated, so it stays right in years nobody typed in. The equinox days use the
/// usual approximation, valid 1980–2099 (the Cabinet Office confirms them each February).
/// Pure arithmetic on day numbers: no Foundation Calendar, no time zone database.
public enum JapaneseCalendar {
    public static let offsetSeconds = 9 * 3600

    // MARK: the clock

    public static func localDate(of instant: Date) -> LocalDate {
        LocalDate(dayNumber: floorDiv(localSeconds(instant), 86400))
    }

    public static func timeOfDay(of instant: Date) -> TimeOfDay {
        let secs = localSeconds(instant) - floorDiv(localSeconds(instant), 86400) * 86400
        return TimeOfDay(hour: secs / 3600, minute: secs / 60 % 60)
    }

    /// The instant at `time` on `date`, JST.
    public static func instant(_ date: LocalDate, _ time: TimeOfDay) -> Date {
        Date(timeIntervalSince1970: Double(date.dayNumber * 86400 + time.minutes * 60 - offsetSeconds))
    }

    static func localSeconds(_ instant: Date) -> Int {
        Int(instant.timeIntervalSince1970.rounded(.down)) + offsetSeconds
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : (a - b + 1) / b }

    // MARK: business days

    /// 12/29–1/3: town offices are closed (行政機関の休日に関する法律).
    public static func isYearEndBreak(_ date: LocalDate) -> Bool {
        (date.month == 12 && date.day >= 29) || (date.month == 1 && date.day <= 3)
    }

    public static func isBusinessDay(_ date: LocalDate) -> Bool {
        !date.isWeekend && holidayName(date) == nil && !isYearEndBreak(date)
    }

    /// The first day strictly after `date` that is a business day (or simply the next day).
    public static func nextDay(after date: LocalDate, businessDaysOnly: Bool) -> LocalDate {
        var day = date.adding(days: 1)
        while businessDaysOnly && !isBusinessDay(day) { day = day.adding(days: 1) }
        return day
    }

    /// "The next business morning": `time` on the first business day after the day of `instant`.
    /// Closing at 08:00 on a Monday gives Tuesday morning, not the same morning: the reminder
    /// follows the termination notice, it does not race it.
    public static func nextMorning(after instant: Date, at time: TimeOfDay, businessDaysOnly: Bool) -> Date {
        self.instant(nextDay(after: localDate(of: instant), businessDaysOnly: businessDaysOnly), time)
    }

    // MARK: public holidays

    /// The holiday's name, or nil on an ordinary day. Covers 2020 onwards (the current law).
    public static func holidayName(_ date: LocalDate) -> String? {
        if let name = fixedOrComputedHoliday(date) { return name }
        // 振替休日: a holiday on a Sunday moves to the next day that is not itself a holiday.
        if date.weekday != 0 {
            var back = date.adding(days: -1)
            while fixedOrComputedHoliday(back) != nil {
                if back.weekday == 0 { return "振替休日" }
                back = back.adding(days: -1)
            }
        }
        // 国民の休日: an ordinary day between two holidays (September 敬老の日 and 秋分の日).
        if date.weekday != 0, fixedOrComputedHoliday(date.adding(days: -1)) != nil,
            fixedOrComputedHoliday(date.adding(days: 1)) != nil
        {
            return "国民の休日"
        }
        return nil
    }

    public static func isHoliday(_ date: LocalDate) -> Bool { holidayName(date) != nil }

    static func fixedOrComputedHoliday(_ date: LocalDate) -> String? {
        let (m, d) = (date.month, date.day)
        func nthMonday(_ n: Int) -> Bool { date.weekday == 1 && (d - 1) / 7 == n - 1 }
        switch (m, d) {
        case (1, 1): return "元日"
        case (1, _) where nthMonday(2): return "成人の日"
        case (2, 11): return "建国記念の日"
        case (2, 23): return "天皇誕生日"
        case (3, vernalEquinoxDay(date.year)): return "春分の日"
        case (4, 29): return "昭和の日"
        case (5, 3): return "憲法記念日"
        case (5, 4): return "みどりの日"
        case (5, 5): return "こどもの日"
        case (7, _) where nthMonday(3): return "海の日"
        case (8, 11): return "山の日"
        case (9, _) where nthMonday(3): return "敬老の日"
        case (9, autumnalEquinoxDay(date.year)): return "秋分の日"
        case (10, _) where nthMonday(2): return "スポーツの日"
        case (11, 3): return "文化の日"
        case (11, 23): return "勤労感謝の日"
        default: return nil
        }
    }

    static func vernalEquinoxDay(_ year: Int) -> Int {
        Int(20.8431 + 0.242194 * Double(year - 1980)) - (year - 1980) / 4
    }

    static func autumnalEquinoxDay(_ year: Int) -> Int {
        Int(23.2488 + 0.242194 * Double(year - 1980)) - (year - 1980) / 4
    }
}
