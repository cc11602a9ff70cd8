import Testing

@testable import Timing

@Suite("CivilDays: day numbers and Gregorian dates")
struct CivilDaysTests {
    @Test("known dates: the epoch, a leap day, the Heisei-Reiwa change, the year 2100 (no leap day)")
    func knownDates() {
        #expect(CivilDays.days(fromCivil: 1970, 1, 1) == 0)
        #expect(CivilDays.civil(fromDays: 0) == (1970, 1, 1))
        #expect(CivilDays.days(fromCivil: 2024, 2, 29) == 19782)
        #expect(CivilDays.civil(fromDays: 19782 + 1) == (2024, 3, 1))
        #expect(CivilDays.civil(fromDays: CivilDays.days(fromCivil: 2019, 5, 1)) == (2019, 5, 1))
        #expect(CivilDays.civil(fromDays: CivilDays.days(fromCivil: 2100, 2, 28) + 1) == (2100, 3, 1))
        #expect(CivilDays.civil(fromDays: -1) == (1969, 12, 31))
    }

    @Test("every day from 1900 to 2200 goes there and back, one day after the other")
    func roundTrip() {
        let first = CivilDays.days(fromCivil: 1900, 1, 1)
        let last = CivilDays.days(fromCivil: 2200, 12, 31)
        var previous = CivilDays.civil(fromDays: first - 1)
        for day in first...last {
            let date = CivilDays.civil(fromDays: day)
            #expect(CivilDays.days(fromCivil: date.year, date.month, date.day) == day)
            let follows =
                date.day == 1
                ? (previous.month == 12
                    ? (date.year, date.month) == (previous.year + 1, 1) : (date.year, date.month) == (previous.year, previous.month + 1))
                : (date.year, date.month, date.day) == (previous.year, previous.month, previous.day + 1)
            if !follows {
                Issue.record("\(date) does not follow \(previous)")
                return
            }
            previous = date
        }
    }
}
