import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

/// The operator's alarm survives what used to lose it: a crash after the final state committed,
/// and an alarm mail the relay did not take. The ledger owes the alarm until it is handed over.
@Suite("Dispatcher alarms (the ledger as outbox)")
struct DispatcherAlarmTests {
    static func start(_ ledger: Ledger, _ outlets: [any Outlet], alarm: RecordingAlarm, clock: ManualClock)
        -> (Dispatcher, Task<Void, any Error>)
    {
        let dispatcher = Dispatcher(
            ledger: ledger, outlets: outlets, alarm: alarm,
            configuration: .init(maximumIdle: .seconds(5), alarmRetryInterval: .seconds(60)), clock: clock,
            randomUnit: { 0.5 })
        return (dispatcher, Task { try await dispatcher.run() })
    }

    /// Moves the manual clock a minute at a time, giving the dispatcher real time to react.
    static func minutesPass(_ minutes: Int, on clock: ManualClock) async throws {
        for _ in 0..<minutes {
            clock.advance(by: 61)
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("an alarm the relay refused is raised again each minute until it is taken, then never again")
    func refusedAlarmIsRaisedAgain() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 3))
        let clock = ManualClock(t0)
        let email = RecordingOutlet(channel: .email, concurrency: 4, scripts: [RecipientID("email-1"): .permanent])
        let alarm = RecordingAlarm(refusals: 2)
        let (dispatcher, task) = Self.start(file.ledger, [email], alarm: alarm, clock: clock)
        #expect(try await eventually { try await file.ledger.states() == [.delivered: 2, .failed: 1] && alarm.raised.count == 1 })
        #expect(try await file.ledger.pendingAlarms(finishedBefore: .distantFuture).count == 1, "refused: still owed")
        let taken = try await eventually(timeout: .seconds(30)) {
            try await Self.minutesPass(1, on: clock)
            return try await file.ledger.pendingAlarms(finishedBefore: .distantFuture).isEmpty
        }
        try await Self.minutesPass(5, on: clock)
        dispatcher.stop()
        try await task.value
        #expect(taken)
        #expect(alarm.raised.count == 3, "once by the send, twice more until the relay took it: \(alarm.raised.count)")
        #expect(Set(alarm.raised.map(\.deliveryID)).count == 1)
        #expect(alarm.raised.allSatisfy { $0.reason == .permanentFailure && $0.recipient == RecipientID("email-1") })
        #expect(alarm.raised.last?.errorCode == "badAddress")
    }

    @Test("a crash between the final state and its alarm: the next start raises the alarm, once")
    func alarmOwedAcrossACrash() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 2, at: t0))
        // The daemon before the crash: both claimed, one failed for good and one past its
        // deadline, recorded — and it died before either alarm went out.
        let jobs = try await file.ledger.claimDue(now: t0, channel: .email, limit: 10)
        #expect(jobs.count == 2)
        try await file.ledger.record(.failed(.init(code: "badAddress", summary: "550"), at: t0), for: jobs[0].id)
        try await file.ledger.record(.expired(nil, at: t0), for: jobs[1].id)
        #expect(try await file.ledger.pendingAlarms(finishedBefore: t0.addingTimeInterval(1)).count == 2)

        let clock = ManualClock(t0.addingTimeInterval(30))
        let alarm = RecordingAlarm()
        let (dispatcher, task) = Self.start(file.ledger, [RecordingOutlet(channel: .email, concurrency: 4)], alarm: alarm, clock: clock)
        #expect(try await eventually { alarm.raised.count == 2 })
        try await Self.minutesPass(5, on: clock)
        dispatcher.stop()
        try await task.value
        #expect(alarm.raised.count == 2, "each owed alarm raised once")
        #expect(Set(alarm.raised.map(\.reason)) == [.permanentFailure, .expired])
        #expect(alarm.raised.first { $0.reason == .permanentFailure }?.errorCode == "badAddress")
        #expect(try await file.ledger.pendingAlarms(finishedBefore: .distantFuture).isEmpty)
    }

    @Test("while the relay refuses, a pass stops at the first refusal (one journal line a minute, not one per owed alarm)")
    func passStopsAtTheFirstRefusal() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 3, at: t0))
        for job in try await file.ledger.claimDue(now: t0, channel: .email, limit: 10) {
            try await file.ledger.record(.failed(.init(code: "badAddress", summary: "550"), at: t0), for: job.id)
        }
        let clock = ManualClock(t0.addingTimeInterval(30))
        let alarm = RecordingAlarm(refusals: 2)
        let (dispatcher, task) = Self.start(file.ledger, [RecordingOutlet(channel: .email, concurrency: 4)], alarm: alarm, clock: clock)
        #expect(try await eventually { alarm.raised.count == 1 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(alarm.raised.count == 1, "the first pass stopped at the refusal")
        try await Self.minutesPass(1, on: clock)
        #expect(try await eventually { alarm.raised.count == 2 }, "the next pass: refused again, stopped again")
        try await Self.minutesPass(1, on: clock)
        #expect(try await eventually { alarm.raised.count == 5 }, "then the relay takes all three")
        try await Self.minutesPass(3, on: clock)
        dispatcher.stop()
        try await task.value
        #expect(alarm.raised.count == 5)
        #expect(try await file.ledger.pendingAlarms(finishedBefore: .distantFuture).isEmpty)
    }

    @Test("upgrading a ledger: deliveries that failed before the outbox existed are not alarmed again")
    func migrationMarksOldFailuresAlarmed() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 1, at: t0))
        let job = try #require(try await file.ledger.claimDue(now: t0, channel: .email, limit: 1).first)
        try await file.ledger.record(.failed(.init(code: "badAddress", summary: "550"), at: t0), for: job.id)
        // As a version-1 ledger would hold it: no alarmed_at column yet, the migration not run.
        let sqlite = "/usr/bin/sqlite3"
        _ = try runTool(
            sqlite,
            [
                file.path,
                """
                DROP INDEX deliveries_unalarmed; ALTER TABLE deliveries DROP COLUMN alarmed_at;
                DELETE FROM grdb_migrations WHERE identifier = 'v2-alarm-outbox';
                """,
            ])
        let upgraded = try file.reopen()
        #expect(try await upgraded.pendingAlarms(finishedBefore: .distantFuture).isEmpty)
    }
}
