import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

/// A relay that is down: the channel pauses and probes instead of trying every pending delivery
/// against a closed port (each try costs that delivery a retry and its backoff, and the journal a
/// line), and is back within a pause of the relay's return.
@Suite("Dispatcher: a channel whose server is unreachable pauses and probes")
struct DispatcherGateTests {
    @Test(
        "200 deliveries, the relay down for 10 simulated minutes: a handful of tries meanwhile, then all delivered once, within a pause of the return"
    )
    func unreachableServerPausesTheChannel() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 200, at: t0))
        let clock = ManualClock(t0)
        let server = ServerSwitch()
        server.set(down: true)
        let email = RecordingOutlet(channel: .email, concurrency: 8, server: server)
        let dispatcher = Dispatcher(
            ledger: file.ledger, outlets: [email], alarm: RecordingAlarm(),
            configuration: .init(
                retry: RetryPolicy(initialDelay: .seconds(5), maximumDelay: .seconds(600), deadline: .seconds(4 * 3600)),
                maximumIdle: .seconds(5)),
            clock: clock, randomUnit: { 0.5 })
        let task = Task { try await dispatcher.run() }

        // Ten minutes of outage, a second at a time.
        #expect(try await eventually { email.attempts.count >= 8 })
        for _ in 0..<600 {
            clock.advance(by: 1)
            try await Task.sleep(for: .milliseconds(1))
        }
        let triedWhileDown = email.attempts.count
        #expect(
            triedWhileDown < 8 + 60, "tries while the relay was down: \(triedWhileDown) (a try per pending delivery would be 200 and more)")
        #expect(email.delivered.isEmpty)
        // The waiting deliveries are back in `planned`, not held as `sending` (at most the probe).
        let statesWhileDown = try await file.ledger.states()
        #expect((statesWhileDown[.sending] ?? 0) <= 1, "\(statesWhileDown)")

        // The relay is back: one pause at most, then everyone, once.
        server.set(down: false)
        let back = clock.now()
        let done = try await eventually(timeout: .seconds(60)) {
            clock.advance(by: 1)
            try await Task.sleep(for: .milliseconds(2))
            return try await file.ledger.states() == [.delivered: 200]
        }
        let finished = clock.now()
        dispatcher.stop()
        try await task.value
        #expect(done)
        #expect(email.delivered.count == 200 && email.delivered.values.allSatisfy { $0 == 1 })
        // The deliveries never tried during the outage kept their first due time: most were
        // sent at their first attempt.
        #expect(
            email.accepted.filter { $0.attempt == 1 }.count > 100,
            "\(email.accepted.filter { $0.attempt == 1 }.count) sent at the first attempt")
        print(
            "figure: relay down 600 simulated s: \(triedWhileDown) tries while down (200 pending), all 200 delivered within \(Int(finished.timeIntervalSince(back))) simulated s of the return"
        )
    }
}
