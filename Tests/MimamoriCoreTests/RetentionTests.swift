import Foundation
import MimamoriCore
import Testing

@Suite("Retention.isDueForPurge: when a case's personal data must go")
struct RetentionTests {
    static let closedAt = Date(timeIntervalSince1970: 1_795_000_000)
    static let thirtyDays = Duration.seconds(30 * 86400)

    @Test("an open case keeps its data, however old")
    func openCaseKeeps() {
        #expect(
            !Retention.isDueForPurge(closedAt: nil, unfinished: [], retention: .zero, now: Self.closedAt.addingTimeInterval(365 * 86400)))
    }

    @Test("a closed case goes once the retention after its closure is over, not at its last instant")
    func retentionOver() {
        let end = Self.closedAt.addingTimeInterval(30 * 86400)
        #expect(
            !Retention.isDueForPurge(closedAt: Self.closedAt, unfinished: [], retention: Self.thirtyDays, now: end.addingTimeInterval(-1)))
        #expect(!Retention.isDueForPurge(closedAt: Self.closedAt, unfinished: [], retention: Self.thirtyDays, now: end))
        #expect(
            Retention.isDueForPurge(closedAt: Self.closedAt, unfinished: [], retention: Self.thirtyDays, now: end.addingTimeInterval(0.001))
        )
    }

    @Test("a notice still being sent, or planned within its deadline, holds the purge; one past its deadline does not")
    func leftToSend() {
        let now = Self.closedAt.addingTimeInterval(31 * 86400)
        let sending = Retention.UnfinishedDelivery(isSending: true, deadline: now.addingTimeInterval(-3600))
        let planned = Retention.UnfinishedDelivery(isSending: false, deadline: now.addingTimeInterval(60))
        let pastDeadline = Retention.UnfinishedDelivery(isSending: false, deadline: now)
        #expect(!Retention.isDueForPurge(closedAt: Self.closedAt, unfinished: [sending], retention: Self.thirtyDays, now: now))
        #expect(
            !Retention.isDueForPurge(closedAt: Self.closedAt, unfinished: [pastDeadline, planned], retention: Self.thirtyDays, now: now))
        #expect(Retention.isDueForPurge(closedAt: Self.closedAt, unfinished: [pastDeadline], retention: Self.thirtyDays, now: now))
    }
}

@Suite("Retention.isDueForPurge with an emergency temporary stay")
struct RetentionStayTests {
    static let closedAt = Date(timeIntervalSince1970: 1_795_000_000)
    static let oneDay = Duration.seconds(86400)

    @Test("a stay held or at the facility keeps the case's data, however long after the closure")
    func ongoingStayKeeps() {
        let now = Self.closedAt.addingTimeInterval(365 * 86400)
        #expect(!Retention.isDueForPurge(closedAt: Self.closedAt, unfinished: [], stay: .ongoing, retention: Self.oneDay, now: now))
    }

    @Test("the retention of a case with a stay starts when the stay ended, if that is later than the closure")
    func retentionFromTheEnd() {
        let ended = Self.closedAt.addingTimeInterval(5 * 86400)
        let stay = Retention.Stay.ended(at: ended)
        #expect(
            !Retention.isDueForPurge(
                closedAt: Self.closedAt, unfinished: [], stay: stay, retention: Self.oneDay, now: ended.addingTimeInterval(86400)))
        #expect(
            Retention.isDueForPurge(
                closedAt: Self.closedAt, unfinished: [], stay: stay, retention: Self.oneDay, now: ended.addingTimeInterval(86401)))
        // Ended before the closure's retention is over: the closure's counts.
        let early = Retention.Stay.ended(at: Self.closedAt.addingTimeInterval(-3600))
        #expect(
            Retention.isDueForPurge(
                closedAt: Self.closedAt, unfinished: [], stay: early, retention: Self.oneDay, now: Self.closedAt.addingTimeInterval(86401)))
    }

    @Test("the facility's destruction reminder still planned holds the purge like any notice")
    func facilityReminderHolds() {
        let ended = Self.closedAt
        let now = ended.addingTimeInterval(2 * 86400)
        let reminder = Retention.UnfinishedDelivery(isSending: false, deadline: now.addingTimeInterval(3600))
        #expect(
            !Retention.isDueForPurge(
                closedAt: Self.closedAt, unfinished: [reminder], stay: .ended(at: ended), retention: Self.oneDay, now: now))
    }
}

@Suite("Retention.isOpenTooLong: the open-case alarm")
struct OpenCaseAlarmRuleTests {
    static let openedAt = Date(timeIntervalSince1970: 1_795_000_000)

    @Test("open longer than the limit: too long; at the limit, or closed, not")
    func openTooLong() {
        let limit = Duration.seconds(14 * 86400)
        let end = Self.openedAt.addingTimeInterval(14 * 86400)
        #expect(!Retention.isOpenTooLong(openedAt: Self.openedAt, closedAt: nil, limit: limit, now: end))
        #expect(Retention.isOpenTooLong(openedAt: Self.openedAt, closedAt: nil, limit: limit, now: end.addingTimeInterval(1)))
        #expect(!Retention.isOpenTooLong(openedAt: Self.openedAt, closedAt: end, limit: limit, now: end.addingTimeInterval(86400)))
    }
}
