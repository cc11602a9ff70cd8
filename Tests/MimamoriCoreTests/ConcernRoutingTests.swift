import Foundation
import Testing

@testable import MimamoriCore

/// 連絡先 (seed section 8) with the desks of `config/samples/mimasaka.yaml`: every boundary of
/// the clock and the calendar, every station, and the forms in which staff write an area.
@Suite("Concern routing (contactDesks)")
struct ConcernRoutingTests {
    struct Expectation: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// JST, `yyyy-MM-ddTHH:mm`.
        var at: String
        var area: String?
        var urgent = false
        var desks: [String]
        /// The rule's code, as `mimamori route` and the audit show it.
        var rule: String
        var holiday: String?
    }

    static func route(_ e: Expectation) throws -> ConcernRoute {
        let c = try ConcernSample.configuration()
        return try #require(c.concerns).contactDesks(area: e.area, urgent: e.urgent, at: ConcernSample.at(e.at), areas: c.areas)
    }

    static func check(_ e: Expectation, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let route = try route(e)
        #expect(route.desks == e.desks, sourceLocation: sourceLocation)
        #expect(route.rule.rawValue == e.rule, sourceLocation: sourceLocation)
        #expect(route.urgent == e.urgent, sourceLocation: sourceLocation)
        #expect(route.holiday == e.holiday, sourceLocation: sourceLocation)
    }

    // MARK: the clock and the calendar (a report about 勝田)

    static let calendar: [Expectation] = [
        .init(
            testDescription: "Friday 17:59: still the station", at: "2026-12-04T17:59", area: "勝田", desks: ["shoda"],
            rule: "weekday.station"),
        .init(
            testDescription: "Friday 18:00: the duty desk", at: "2026-12-04T18:00", area: "勝田", desks: ["duty"], rule: "after-hours.evening"
        ),
        .init(
            testDescription: "Wednesday 7:59: not yet open", at: "2026-12-02T07:59", area: "勝田", desks: ["duty"],
            rule: "after-hours.evening"),
        .init(testDescription: "Wednesday 8:00: open", at: "2026-12-02T08:00", area: "勝田", desks: ["shoda"], rule: "weekday.station"),
        .init(testDescription: "Wednesday 0:00", at: "2026-12-02T00:00", area: "勝田", desks: ["duty"], rule: "after-hours.evening"),
        .init(testDescription: "Saturday in the morning", at: "2026-12-05T10:00", area: "勝田", desks: ["duty"], rule: "after-hours.weekend"),
        .init(testDescription: "Sunday at noon", at: "2026-12-06T12:00", area: "勝田", desks: ["duty"], rule: "after-hours.weekend"),
        .init(
            testDescription: "Monday 8:00 after the weekend", at: "2026-12-07T08:00", area: "勝田", desks: ["shoda"], rule: "weekday.station"),
        .init(
            testDescription: "Happy Monday: 成人の日 2027-01-11", at: "2027-01-11T10:00", area: "勝田", desks: ["duty"],
            rule: "after-hours.holiday", holiday: "成人の日"),
        .init(
            testDescription: "Happy Monday: スポーツの日 2026-10-12", at: "2026-10-12T10:00", area: "勝田", desks: ["duty"],
            rule: "after-hours.holiday", holiday: "スポーツの日"),
        .init(
            testDescription: "Happy Monday: 敬老の日 2026-09-21", at: "2026-09-21T09:00", area: "勝田", desks: ["duty"],
            rule: "after-hours.holiday", holiday: "敬老の日"),
        .init(
            testDescription: "振替休日 2026-05-06 (憲法記念日 on a Sunday)", at: "2026-05-06T10:00", area: "勝田", desks: ["duty"],
            rule: "after-hours.holiday", holiday: "振替休日"),
        .init(
            testDescription: "振替休日 2027-03-22 (春分の日 on a Sunday)", at: "2027-03-22T10:00", area: "勝田", desks: ["duty"],
            rule: "after-hours.holiday", holiday: "振替休日"),
        .init(
            testDescription: "国民の休日 2026-09-22 (between 敬老の日 and 秋分の日)", at: "2026-09-22T10:00", area: "勝田",
            desks: ["duty"], rule: "after-hours.holiday", holiday: "国民の休日"),
        .init(
            testDescription: "秋分の日 2026-09-23", at: "2026-09-23T10:00", area: "勝田", desks: ["duty"], rule: "after-hours.holiday",
            holiday: "秋分の日"),
        .init(
            testDescription: "2026-09-24, after the long weekend", at: "2026-09-24T08:00", area: "勝田", desks: ["shoda"],
            rule: "weekday.station"),
        .init(
            testDescription: "12/28 (Monday) 17:59: the last hour of the year", at: "2026-12-28T17:59", area: "勝田", desks: ["shoda"],
            rule: "weekday.station"),
        .init(testDescription: "12/28 23:59", at: "2026-12-28T23:59", area: "勝田", desks: ["duty"], rule: "after-hours.evening"),
        .init(
            testDescription: "12/29 0:00: the year-end break", at: "2026-12-29T00:00", area: "勝田", desks: ["duty"],
            rule: "after-hours.year-end"),
        .init(testDescription: "12/29 (Tuesday) 10:00", at: "2026-12-29T10:00", area: "勝田", desks: ["duty"], rule: "after-hours.year-end"),
        .init(
            testDescription: "1/1 is the year-end break, not only 元日", at: "2027-01-01T10:00", area: "勝田", desks: ["duty"],
            rule: "after-hours.year-end"),
        .init(testDescription: "1/3 23:59", at: "2027-01-03T23:59", area: "勝田", desks: ["duty"], rule: "after-hours.year-end"),
        .init(testDescription: "1/4 (Monday) 7:59", at: "2027-01-04T07:59", area: "勝田", desks: ["duty"], rule: "after-hours.evening"),
        .init(
            testDescription: "1/4 (Monday) 8:00: a business day", at: "2027-01-04T08:00", area: "勝田", desks: ["shoda"],
            rule: "weekday.station"),
    ]

    @Test(arguments: calendar)
    func theClockAndTheCalendar(_ e: Expectation) throws { try Self.check(e) }

    // MARK: the areas (a Wednesday in hours)

    static func inHours(_ area: String?, _ desks: [String], _ rule: String = "weekday.station", note: String = "")
        -> Expectation
    {
        .init(testDescription: "\(area ?? "no area")\(note)", at: "2026-12-02T10:20", area: area, desks: desks, rule: rule)
    }

    static let areas: [Expectation] = [
        inHours("勝田", ["shoda"]),
        inHours("大原", ["ohara"]),
        inHours("東粟倉", ["ohara"]),
        inHours("美作", ["mimasaka"]),
        inHours("作東", ["sakuto"]),
        inHours("英田", ["aida"]),
        inHours("梶並", ["shoda"], note: " (under 勝田)"),
        inHours("湯郷", ["mimasaka"], note: " (under 美作)"),
        inHours("美作市勝田", ["shoda"]),
        inHours("美作市　勝田", ["shoda"], note: " (with a full-width space)"),
        inHours("勝田町", ["shoda"], note: " (the old town's name)"),
        inHours("勝田町梶並", ["shoda"]),
        inHours("東粟倉村", ["ohara"]),
        inHours("美作市美作", ["mimasaka"]),
        inHours("英田付近", ["aida"]),
        inHours("美作市", ["centre"], "weekday.centre", note: " (the city itself)"),
        inHours("岡山市", ["centre"], "weekday.centre", note: " (unknown)"),
        inHours("勝田のJA支所付近", ["centre"], "weekday.centre", note: " (a landmark, not an area)"),
        inHours("梶並1丁目", ["centre"], "weekday.centre", note: " (a tail the tree does not know)"),
        inHours("", ["centre"], "weekday.centre", note: "(empty)"),
        inHours(nil, ["centre"], "weekday.centre"),
    ]

    @Test(arguments: areas)
    func eachAreaItsStation(_ e: Expectation) throws { try Self.check(e) }

    // MARK: urgent reports

    static let urgent: [Expectation] = [
        .init(
            testDescription: "urgent in hours: the station and the centre", at: "2026-12-02T10:20", area: "勝田", urgent: true,
            desks: ["shoda", "centre"], rule: "weekday.station"),
        .init(
            testDescription: "urgent in hours, a sub-area", at: "2026-12-04T17:59", area: "湯郷", urgent: true,
            desks: ["mimasaka", "centre"], rule: "weekday.station"),
        .init(
            testDescription: "urgent in hours, no station: the centre once", at: "2026-12-02T10:20", area: "岡山市", urgent: true,
            desks: ["centre"], rule: "weekday.centre"),
        .init(
            testDescription: "urgent about the city itself: the centre once", at: "2026-12-02T10:20", area: "美作市", urgent: true,
            desks: ["centre"], rule: "weekday.centre"),
        .init(
            testDescription: "urgent in the evening: the duty desk alone", at: "2026-12-04T18:00", area: "勝田", urgent: true,
            desks: ["duty"], rule: "after-hours.evening"),
        .init(
            testDescription: "urgent on a Saturday: the duty desk alone", at: "2026-12-05T03:00", area: "英田", urgent: true,
            desks: ["duty"], rule: "after-hours.weekend"),
        .init(
            testDescription: "urgent on 国民の休日: the duty desk alone", at: "2026-09-22T10:00", area: "大原", urgent: true,
            desks: ["duty"], rule: "after-hours.holiday", holiday: "国民の休日"),
        .init(
            testDescription: "urgent at the year-end: the duty desk alone", at: "2026-12-31T10:00", area: nil, urgent: true,
            desks: ["duty"], rule: "after-hours.year-end"),
    ]

    @Test(arguments: urgent)
    func urgentReports(_ e: Expectation) throws { try Self.check(e) }

    // MARK: properties over a fortnight around the year-end

    /// Every 10 minutes from 12/21 to 1/12: exactly the duty desk when the town's offices are
    /// closed (the calendar's own business days and the settings' hours), a station or the
    /// centre otherwise; never an empty route, never a desk twice.
    @Test func everyInstantHasADeskAndTheDutyDeskExactlyWhenClosed() throws {
        let c = try ConcernSample.configuration()
        let concerns = try #require(c.concerns)
        let start = ConcernSample.at("2026-12-21T00:00")
        for step in 0..<(22 * 24 * 6) {
            let instant = start.addingTimeInterval(Double(step) * 600)
            let date = JapaneseCalendar.localDate(of: instant)
            let time = JapaneseCalendar.timeOfDay(of: instant)
            let open = JapaneseCalendar.isBusinessDay(date) && time >= concerns.opens && time < concerns.closes
            for urgent in [false, true] {
                let route = concerns.contactDesks(area: "作東", urgent: urgent, at: instant, areas: c.areas)
                #expect(!route.desks.isEmpty && Set(route.desks).count == route.desks.count)
                if open {
                    #expect(route.desks == (urgent ? ["sakuto", "centre"] : ["sakuto"]), "\(instant)")
                } else {
                    #expect(route.desks == ["duty"], "\(instant)")
                }
            }
        }
    }

    /// Nested stations: the most specific one wins, whatever the order of the settings.
    @Test(arguments: [false, true])
    func aStationForASubAreaWinsOverItsParentsStation(_ subAreaFirst: Bool) throws {
        let c = try ConcernSample.configuration()
        var concerns = try #require(c.concerns)
        let kajinami = Configuration.Concerns.Desk(
            id: "kajinami", name: "梶並出張所", phone: "0868-75-0001", emails: ["kajinami@example.jp"], areas: ["梶並"])
        concerns.desks.insert(kajinami, at: subAreaFirst ? 1 : concerns.desks.count - 1)
        let at = ConcernSample.at("2026-12-02T10:20")
        #expect(concerns.contactDesks(area: "梶並", urgent: false, at: at, areas: c.areas).desks == ["kajinami"])
        #expect(concerns.contactDesks(area: "真加部", urgent: false, at: at, areas: c.areas).desks == ["shoda"])
        #expect(concerns.contactDesks(area: "勝田", urgent: false, at: at, areas: c.areas).desks == ["shoda"])
    }

    /// Hours come from the settings, not from the code.
    @Test func theHoursAreTheSettings() throws {
        let c = try ConcernSample.configuration()
        var concerns = try #require(c.concerns)
        concerns.opens = TimeOfDay(hour: 8, minute: 30)
        concerns.closes = TimeOfDay(hour: 17, minute: 15)
        func rule(_ at: String) -> String {
            concerns.contactDesks(area: "勝田", urgent: false, at: ConcernSample.at(at), areas: c.areas).rule.rawValue
        }
        #expect(rule("2026-12-02T08:29") == "after-hours.evening")
        #expect(rule("2026-12-02T08:30") == "weekday.station")
        #expect(rule("2026-12-02T17:14") == "weekday.station")
        #expect(rule("2026-12-02T17:15") == "after-hours.evening")
    }
}
