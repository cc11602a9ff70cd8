import Foundation
import Testing

@testable import MimamoriCore

@Suite("Quiet hours")
struct QuietHoursTests {
    let night = QuietHours(from: TimeOfDay(hour: 21, minute: 0), to: TimeOfDay(hour: 7, minute: 0), policy: .defer)
    let lunch = QuietHours(from: TimeOfDay(hour: 12, minute: 0), to: TimeOfDay(hour: 13, minute: 0), policy: .defer)

    @Test(arguments: [
        ("20:59", false), ("21:00", true), ("23:59", true), ("00:00", true), ("06:59", true), ("07:00", false), ("12:00", false),
    ])
    func spanningMidnight(_ time: String, _ quiet: Bool) {
        #expect(night.contains(TimeOfDay(time)!) == quiet)
    }

    @Test(arguments: [("11:59", false), ("12:00", true), ("12:59", true), ("13:00", false)])
    func withinOneDay(_ time: String, _ quiet: Bool) {
        #expect(lunch.contains(TimeOfDay(time)!) == quiet)
    }

    @Test func equalBoundsMeanNoQuietHours() {
        #expect(!QuietHours.none.contains(TimeOfDay(hour: 0, minute: 0)))
        #expect(QuietHours.none.earliestBroadcast(at: Sample.now) == Sample.now)
    }

    @Test(arguments: [
        ("2026-11-27T23:59:00+09:00", "2026-11-28T07:00:00+09:00"),
        ("2026-11-28T00:00:00+09:00", "2026-11-28T07:00:00+09:00"),
        ("2026-12-31T22:00:00+09:00", "2027-01-01T07:00:00+09:00"),
        ("2026-11-27T18:00:00+09:00", "2026-11-27T18:00:00+09:00"),
    ])
    func deferUntilTheEnd(_ now: String, _ expected: String) {
        #expect(night.earliestBroadcast(at: Sample.at(now)) == Sample.at(expected))
    }

    @Test func broadcastPolicyIgnoresQuietHours() {
        var q = night
        q.policy = .broadcast
        let late = Sample.at("2026-11-27T23:59:00+09:00")
        #expect(q.earliestBroadcast(at: late) == late)
    }
}
