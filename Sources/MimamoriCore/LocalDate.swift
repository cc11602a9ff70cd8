import Timing

/// A calendar day on the town's clock (Japan Standard Time), without a time of day.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(_ year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int { CivilDays.days(fromCivil: year, month, day) }
    public init(dayNumber: Int) {
        let (y, m, d) = CivilDays.civil(fromDays: dayNumber)
        self.init(y, m, d)
    }

    /// 0 = Sunday … 6 = Saturday.
    public var weekday: Int { ((dayNumber % 7) + 7 + 4) % 7 }
    public var isWeekend: Bool { weekday == 0 || weekday == 6 }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}

extension LocalDate {
    /// `2026-04-01` (as `description` writes it); nil for anything else or a day that does not
    /// exist (2027-02-29).
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1
        else { return nil }
        let date = LocalDate(y, m, d)
        // Round trip through the day number: 2/30 comes back as 3/2.
        guard LocalDate(dayNumber: date.dayNumber) == date else { return nil }
        self = date
    }
}
