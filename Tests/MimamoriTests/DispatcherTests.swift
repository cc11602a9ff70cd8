import Foundation
import Ledger
import Logging
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Synchronization
import Testing
import Timing

@Suite("Dispatcher")
struct DispatcherTests {
    final class Beats: Sendable {
        let count = Atomic<Int>(0)
    }

    static func start(
        _ ledger: Ledger, _ outlets: [any Outlet], alarm: RecordingAlarm = RecordingAlarm(),
        clock: any WallClock = SystemWallClock(), retry: RetryPolicy = .default,
        shutdownGrace: Duration = .seconds(10), beats: Beats = Beats(),
        onOutcome: @escaping @Sendable (DeliveryJob, DeliveryOutcome) -> Void = { _, _ in }
    ) -> (Dispatcher, Task<Void, any Error>) {
        let dispatcher = Dispatcher(
            ledger: ledger, outlets: outlets, alarm: alarm,
            configuration: .init(retry: retry, shutdownGrace: shutdownGrace, maximumIdle: .seconds(5)),
            clock: clock, heartbeat: { _ in beats.count.add(1, ordering: .relaxed) }, randomUnit: { 0.5 },
            onOutcome: onOutcome)
        let task = Task { try await dispatcher.run() }
        return (dispatcher, task)
    }

    @Test("2,000 deliveries all go out exactly once (and the rate is reported)")
    func fanOut() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 14, email: 1986, at: Date()))
        let email = RecordingOutlet(channel: .email, concurrency: 32)
        let fax = RecordingOutlet(channel: .fax, concurrency: 4)
        let beats = Beats()
        let started = ContinuousClock.now
        let (dispatcher, task) = Self.start(file.ledger, [email, fax], beats: beats)
        let done = try await eventually { try await file.ledger.states() == [.delivered: 2000] }
        let elapsed = ContinuousClock.now - started
        dispatcher.stop()
        try await task.value
        #expect(done)
        #expect(email.delivered.count == 1986 && email.delivered.values.allSatisfy { $0 == 1 })
        #expect(fax.delivered.count == 14 && fax.delivered.values.allSatisfy { $0 == 1 })
        #expect(email.attempts.count + fax.attempts.count == 2000)
        #expect(beats.count.load(ordering: .relaxed) > 0)
        let seconds = elapsed.inSeconds
        print("figure: 2,000 deliveries through the dispatcher to recording outlets in \(elapsed): \(Int(2000 / seconds)) deliveries/s")
    }

    @Test("the concurrency limit of each outlet is respected and reached")
    func concurrencyLimit() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 20, email: 100, at: Date()))
        let email = RecordingOutlet(channel: .email, concurrency: 4, latency: .milliseconds(5))
        let fax = RecordingOutlet(channel: .fax, concurrency: 2, latency: .milliseconds(5))
        let (dispatcher, task) = Self.start(file.ledger, [email, fax])
        #expect(try await eventually { try await file.ledger.states() == [.delivered: 120] })
        dispatcher.stop()
        try await task.value
        #expect(email.maxInFlight == 4)
        #expect(fax.maxInFlight == 2)
    }

    @Test("a transient failure is retried with backoff until it succeeds")
    func transientRetried() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 10))
        let clock = ManualClock(t0)
        let email = RecordingOutlet(channel: .email, concurrency: 4, scripts: [RecipientID("email-3"): .transient(times: 3)])
        let alarm = RecordingAlarm()
        let outcomes = Mutex<[String]>([])
        let (dispatcher, task) = Self.start(file.ledger, [email], alarm: alarm, clock: clock) { job, outcome in
            if job.recipient == RecipientID("email-3") {
                outcomes.withLock {
                    switch outcome {
                    case .delivered: $0.append("delivered")
                    case .retry(let error, _, _): $0.append("retry \(error.code)")
                    case .failed, .expired: $0.append("final")
                    }
                }
            }
        }
        // Nine go out at once; the tenth waits for the clock.
        #expect(try await eventually { try await file.ledger.states() == [.delivered: 9, .planned: 1] })
        #expect(try await eventually(advancing: clock, step: 2, idle: file.ledger) { try await file.ledger.states() == [.delivered: 10] })
        dispatcher.stop()
        try await task.value
        let tries = email.attempts.filter { $0.recipient == RecipientID("email-3") }
        #expect(tries.map(\.attempt) == [1, 2, 3, 4])
        #expect(Set(tries.map(\.idempotencyKey)).count == 1)
        #expect(outcomes.withLock { $0 } == ["retry deferred", "retry deferred", "retry deferred", "delivered"])
        #expect(alarm.raised.isEmpty)
        // Backoff with the jitter unit 0.5: 4.5 s, 9 s, 18 s after each failure.
        let waited = clock.now().timeIntervalSince(t0)
        #expect(waited >= 4.5 + 9 + 18)
    }

    @Test("a permanent failure is reported once and not retried")
    func permanentReportedOnce() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 5))
        let clock = ManualClock(t0)
        let email = RecordingOutlet(channel: .email, concurrency: 4, scripts: [RecipientID("email-1"): .permanent])
        let alarm = RecordingAlarm()
        let (dispatcher, task) = Self.start(file.ledger, [email], alarm: alarm, clock: clock)
        #expect(try await eventually { try await file.ledger.states() == [.delivered: 4, .failed: 1] })
        for _ in 0..<50 {
            clock.advance(by: 600)
            try await Task.sleep(for: .milliseconds(2))
        }
        dispatcher.stop()
        try await task.value
        #expect(email.attempts.filter { $0.recipient == RecipientID("email-1") }.count == 1)
        #expect(alarm.raised.map(\.reason) == [.permanentFailure])
        #expect(alarm.raised.first?.recipient == RecipientID("email-1"))
        #expect(alarm.raised.first?.errorCode == "badAddress")
        let line = try #require(try await file.ledger.report(case: CaseID("KN-0042")).first { $0.state == .failed })
        #expect(line.lastErrorCode == "badAddress" && line.lastError == "550 no such mailbox")
    }

    @Test("still failing at the deadline: expired and one alarm")
    func deadlineExpires() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 3, deadline: 600))
        let clock = ManualClock(t0)
        let email = RecordingOutlet(channel: .email, concurrency: 4, scripts: [RecipientID("email-0"): .alwaysTransient])
        let alarm = RecordingAlarm()
        let (dispatcher, task) = Self.start(
            file.ledger, [email], alarm: alarm, clock: clock,
            retry: RetryPolicy(initialDelay: .seconds(5), maximumDelay: .seconds(120), deadline: .seconds(600)))
        #expect(
            try await eventually(advancing: clock, step: 5, idle: file.ledger) {
                try await file.ledger.states() == [.delivered: 2, .expired: 1]
            })
        let tries = email.attempts.filter { $0.recipient == RecipientID("email-0") }.count
        for _ in 0..<20 {
            clock.advance(by: 600)
            try await Task.sleep(for: .milliseconds(2))
        }
        dispatcher.stop()
        try await task.value
        #expect(tries > 3)
        #expect(email.attempts.filter { $0.recipient == RecipientID("email-0") }.count == tries)
        #expect(alarm.raised.map(\.reason) == [.expired])
        #expect(alarm.raised.first?.attempts == tries)
        #expect(clock.now() <= t0.addingTimeInterval(600 + 5 * 20 + 20 * 600 + 5))
    }

    @Test("a slow FAX gateway does not delay email")
    func slowFaxDoesNotDelayEmail() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 3, email: 67, at: Date()))
        let fax = RecordingOutlet(channel: .fax, concurrency: 1, latency: .seconds(5))
        let email = RecordingOutlet(channel: .email, concurrency: 8)
        let started = ContinuousClock.now
        let (dispatcher, task) = Self.start(file.ledger, [fax, email], shutdownGrace: .milliseconds(200))
        #expect(try await eventually { email.delivered.count == 67 })
        let emailDone = ContinuousClock.now - started
        #expect(fax.delivered.count < 2, "email finished only after the slow fax")
        dispatcher.stop()
        try await task.value
        print("figure: 67 emails done in \(emailDone) while the fax gateway takes 5 s per page")
        // The fax cut off by the stop is planned again or still marked sending: never lost.
        let states = try await file.ledger.states()
        #expect(states[.delivered] == 67 + fax.delivered.count)
        #expect((states[.planned] ?? 0) + (states[.sending] ?? 0) == 3 - fax.delivered.count)
    }

    @Test("after a restart, planned and in-flight deliveries are sent")
    func restartResumes() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let now = Date()
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 50, at: now))
        // The previous process claimed 10 and died before recording any result.
        let inFlight = try await file.ledger.claimDue(now: now, channel: .email, limit: 10)
        let restarted = try file.reopen()
        let email = RecordingOutlet(channel: .email, concurrency: 8)
        let (dispatcher, task) = Self.start(restarted, [email])
        #expect(try await eventually { try await restarted.states() == [.delivered: 50] })
        dispatcher.stop()
        try await task.value
        #expect(email.attempts.count == 50)
        let secondTries = Set(email.attempts.filter { $0.attempt == 2 }.map(\.id))
        #expect(secondTries == Set(inFlight.map(\.id)))
    }

    @Test("recorded work wakes the dispatcher at once, without waiting for a timer")
    func wakesOnSignal() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let clock = ManualClock(t0)
        let email = RecordingOutlet(channel: .email, concurrency: 8)
        let (dispatcher, task) = Self.start(file.ledger, [email], clock: clock)
        // Idle: the loop sleeps on the (frozen) clock.
        #expect(try await eventually { clock.sleeperCount > 0 })
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 20))
        dispatcher.workRecorded(channels: [.email])
        #expect(try await eventually(timeout: .seconds(10)) { try await file.ledger.states() == [.delivered: 20] })
        #expect(clock.now() == t0)
        dispatcher.stop()
        try await task.value
    }

    @Test("a graceful stop lets in-flight sends finish and leaves the rest planned")
    func gracefulStop() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 40, at: Date()))
        let email = RecordingOutlet(channel: .email, concurrency: 4, latency: .milliseconds(100))
        let (dispatcher, task) = Self.start(file.ledger, [email])
        #expect(try await eventually { email.attempts.count >= 4 })
        dispatcher.stop()
        try await task.value
        let states = try await file.ledger.states()
        #expect(states[.sending] == nil)
        #expect(states[.delivered] == email.attempts.count)
        #expect(states[.planned] == 40 - email.attempts.count)
        #expect(email.delivered.count == email.attempts.count)
    }
}
