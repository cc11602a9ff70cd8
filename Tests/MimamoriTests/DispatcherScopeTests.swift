import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

/// What the dispatcher does with a failure's scope: a channel fault pauses the channel (no
/// delivery fails) with one pause alarm; a refusal of the message fails its notice once.
@Suite("Dispatcher: channel faults pause, message refusals fail the notice once")
struct DispatcherScopeTests {
    @Test(
        "the relay refuses the sender: nothing fails, the channel pauses with one alarm that stays owed while refused and goes out when the channel resumes"
    )
    func channelFaultPausesAndAlarmsOnce() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 20, at: t0))
        let clock = ManualClock(t0)
        let server = ServerSwitch()
        server.set(refusing: true)
        let email = RecordingOutlet(channel: .email, concurrency: 4, server: server)
        let alarm = RecordingAlarm(channelRefusals: 1)
        let dispatcher = Dispatcher(
            ledger: file.ledger, outlets: [email], alarm: alarm,
            configuration: .init(
                retry: RetryPolicy(initialDelay: .seconds(5), maximumDelay: .seconds(60), deadline: .seconds(4 * 3600)),
                maximumIdle: .seconds(5)),
            clock: clock, randomUnit: { 0.5 })
        let task = Task { try await dispatcher.run() }

        #expect(try await eventually { alarm.raisedChannel.count == 1 })
        // 40 simulated seconds: short of the owed-alarm look (every 60 s), so only a resume can
        // send the refused pause alarm.
        for _ in 0..<40 {
            clock.advance(by: 1)
            try await Task.sleep(for: .milliseconds(2))
        }
        let states = try await file.ledger.states()
        #expect(states[.failed] == nil && states[.expired] == nil, "\(states)")
        #expect(email.attempts.count < 20 + 10, "\(email.attempts.count) tries against a refusing relay")
        #expect(dispatcher.pausedChannels.map(\.channel) == [.email])
        #expect(dispatcher.pausedChannels.first?.cause == "smtp-530 at mail-from")
        let first = try #require(alarm.raisedChannel.first)
        #expect(first.channel == .email && first.code == "smtp-530" && first.stage == "mail-from")
        #expect(alarm.raisedChannel.count == 1, "the refused pause alarm was tried again before the channel resumed")

        server.set(refusing: false)
        let done = try await eventually(timeout: .seconds(60)) {
            clock.advance(by: 1)
            try await Task.sleep(for: .milliseconds(2))
            return try await file.ledger.states() == [.delivered: 20]
        }
        #expect(done)
        #expect(try await eventually { alarm.raisedChannel.count == 2 })
        dispatcher.stop()
        try await task.value
        #expect(alarm.raisedChannel.count == 2, "the owed pause alarm: one refused try, one that went out")
        #expect(Set(alarm.raisedChannel).count == 1, "the same alarm both times")
        #expect(alarm.raised.isEmpty, "a delivery alarm for a channel fault")
        #expect(dispatcher.pausedChannels.isEmpty)
        #expect(email.delivered.count == 20 && email.delivered.values.allSatisfy { $0 == 1 })
    }

    @Test("the server refuses the message of a notice: its 30 deliveries fail with one alarm, only the ones already in flight were sent")
    func messageRefusalFailsTheNoticeOnce() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 30, at: t0))
        var scripts: [RecipientID: RecordingOutlet.Script] = [:]
        for i in 0..<30 { scripts[RecipientID("email-\(i)")] = .messageRefused }
        let email = RecordingOutlet(channel: .email, concurrency: 4, latency: .milliseconds(20), scripts: scripts)
        let alarm = RecordingAlarm()
        let (dispatcher, task) = DispatcherTests.start(file.ledger, [email], alarm: alarm, clock: ManualClock(t0))
        #expect(try await eventually { try await file.ledger.states() == [.failed: 30] })
        #expect(try await eventually { alarm.raised.count == 1 })
        dispatcher.stop()
        try await task.value
        #expect(email.attempts.count == 4, "\(email.attempts.count) sends of a refused message (4 were in flight)")
        #expect(alarm.raised.map(\.reason) == [.noticeRefused])
        #expect(alarm.raised.first?.errorCode == "smtp-554")
        #expect(try await file.ledger.pendingAlarms(finishedBefore: t0.addingTimeInterval(3600)).isEmpty, "alarms still owed")
        let lines = try await file.ledger.report(case: CaseID("KN-0042"))
        #expect(lines.allSatisfy { $0.lastErrorCode == "smtp-554" })
    }
}
