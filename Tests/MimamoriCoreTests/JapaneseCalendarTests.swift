import Foundation
import Testing

@testable import MimamoriCore

@Suite("Japanese calendar and business days")
struct JapaneseCalendarTests {
    /// Holidays as published by the Cabinet Office (内閣府「国民の祝日について」).
    @Test(arguments: [
        (LocalDate(2025, 1, 1), "元日"), (LocalDate(2025, 1, 13), "成人の日"), (LocalDate(2025, 2, 11), "建国記念の日"),
        (LocalDate(2025, 2, 23), "天皇誕生日"), (LocalDate(2025, 2, 24), "振替休日"), (LocalDate(2025, 3, 20), "春分の日"),
        (LocalDate(2025, 4, 29), "昭和の日"), (LocalDate(2025, 5, 3), "憲法記念日"), (LocalDate(2025, 5, 4), "みどりの日"),
        (LocalDate(2025, 5, 5), "こどもの日"), (LocalDate(2025, 5, 6), "振替休日"), (LocalDate(2025, 7, 21), "海の日"),
        (LocalDate(2025, 8, 11), "山の日"), (LocalDate(2025, 9, 15), "敬老の日"), (LocalDate(2025, 9, 23), "秋分の日"),
        (LocalDate(2025, 10, 13), "スポーツの日"), (LocalDate(2025, 11, 3), "文化の日"), (LocalDate(2025, 11, 23), "勤労感謝の日"),
        (LocalDate(2025, 11, 24), "振替休日"),
        (LocalDate(2026, 1, 12), "成人の日"), (LocalDate(2026, 3, 20), "春分の日"), (LocalDate(2026, 5, 6), "振替休日"),
        (LocalDate(2026, 7, 20), "海の日"), (LocalDate(2026, 9, 21), "敬老の日"), (LocalDate(2026, 9, 22), "国民の休日"),
        (LocalDate(2026, 9, 23), "秋分の日"), (LocalDate(2026, 10, 12), "スポーツの日"),
        (LocalDate(2027, 1, 11), "成人の日"), (LocalDate(2027, 3, 21), "春分の日"), (LocalDate(2027, 3, 22), "振替休日"),
        (LocalDate(2027, 9, 20), "敬老の日"), (LocalDate(2027, 9, 23), "秋分の日"), (LocalDate(2027, 10, 11), "スポーツの日"),
    ])
    func holidays(_ date: LocalDate, _ name: String) {
        #expect(JapaneseCalendar.holidayName(date) == name)
        #expect(!JapaneseCalendar.isBusinessDay(date))
    }

    @Test(arguments: [
        LocalDate(2025, 5, 7), LocalDate(2025, 9, 22), LocalDate(2026, 9, 24), LocalDate(2026, 11, 27), LocalDate(2026, 2, 24),
        LocalDate(2027, 9, 22), LocalDate(2027, 3, 23),
    ])
    func ordinaryWeekdays(_ date: LocalDate) {
        #expect(JapaneseCalendar.holidayName(date) == nil)
        #expect(JapaneseCalendar.isBusinessDay(date))
    }

    @Test func holidayCountsPerYear() {
        func count(_ year: Int) -> Int {
            (0..<366).map { LocalDate(year, 1, 1).adding(days: $0) }.filter { $0.year == year && JapaneseCalendar.isHoliday($0) }.count
        }
        // 16 holidays + substitutes/国民の休日: 2025 has 3 substitutes, 2026 one substitute and one 国民の休日, 2027 one.
        #expect(count(2025) == 19)
        #expect(count(2026) == 18)
        #expect(count(2027) == 17)
    }

    @Test func yearEndBreak() {
        for d in [LocalDate(2026, 12, 29), LocalDate(2026, 12, 31), LocalDate(2027, 1, 2), LocalDate(2027, 1, 3)] {
            #expect(JapaneseCalendar.isYearEndBreak(d) && !JapaneseCalendar.isBusinessDay(d))
        }
        #expect(JapaneseCalendar.isBusinessDay(LocalDate(2026, 12, 28)))
        #expect(JapaneseCalendar.isBusinessDay(LocalDate(2027, 1, 4)))
    }

    @Test(arguments: [
        // Friday evening and Friday 23:59 → Monday.
        ("2026-11-27T19:15:00+09:00", "2026-11-30T09:00:00+09:00"),
        ("2026-11-27T23:59:00+09:00", "2026-11-30T09:00:00+09:00"),
        // Just after midnight it is already Saturday → Monday.
        ("2026-11-28T00:00:00+09:00", "2026-11-30T09:00:00+09:00"),
        // A weekday morning before 09:00 → the next business day, not the same morning.
        ("2026-11-30T08:00:00+09:00", "2026-12-01T09:00:00+09:00"),
        // 12/28 (Mon) → over the year-end break → 2027-01-04 (Mon).
        ("2026-12-28T17:00:00+09:00", "2027-01-04T09:00:00+09:00"),
        ("2026-12-31T23:59:00+09:00", "2027-01-04T09:00:00+09:00"),
        // Before Silver Week 2026 (9/19 Sat … 9/23 Wed) → 9/24.
        ("2026-09-18T12:00:00+09:00", "2026-09-24T09:00:00+09:00"),
        // UTC instant that is already the next day in Japan: 2026-11-27T15:30Z = 11/28 00:30 JST (Sat).
        ("2026-11-27T15:30:00Z", "2026-11-30T09:00:00+09:00"),
    ])
    func nextBusinessMorning(_ now: String, _ expected: String) {
        let at = JapaneseCalendar.nextMorning(after: Sample.at(now), at: TimeOfDay(hour: 9, minute: 0), businessDaysOnly: true)
        #expect(at == Sample.at(expected))
    }

    @Test func nextMorningWithoutBusinessDays() {
        let at = JapaneseCalendar.nextMorning(
            after: Sample.at("2026-12-31T23:59:00+09:00"), at: TimeOfDay(hour: 9, minute: 0), businessDaysOnly: false)
        #expect(at == Sample.at("2027-01-01T09:00:00+09:00"))
    }

    @Test func dayArithmeticRoundTrips() {
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(dayNumber: n).dayNumber == n)
        }
        #expect(LocalDate(1970, 1, 1).weekday == 4)
        #expect(LocalDate(2026, 11, 27).weekday == 5)
        #expect(LocalDate(1969, 12, 31).weekday == 3)
    }

    @Test func timeOfDayParsing() {
        #expect(TimeOfDay("07:00") == TimeOfDay(hour: 7, minute: 0))
        #expect(TimeOfDay("7:05") == TimeOfDay(hour: 7, minute: 5))
        for bad in ["24:00", "7", "07:60", "07:0", "ab:cd", ""] { #expect(TimeOfDay(bad) == nil) }
    }
}
