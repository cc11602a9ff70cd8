import Foundation
import Ledger
import MimamoriCore
import MimamoriService
import Synchronization
import Testing

/// A FAX outlet that notes when (by the dispatcher's clock) each recipient's FAX went out.
final class TimedFaxOutlet: Outlet {
    let channel = Channel.fax
    let concurrency = 4
    let clock: ManualClock
    let sent = Mutex<[(recipient: RecipientID, at: Date)]>([])

    init(clock: ManualClock) { self.clock = clock }

    func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        let now = clock.now()
        sent.withLock { $0.append((job.recipient, now)) }
    }
}

@Suite("The dispatcher spreads FAXes to one number")
struct DispatcherFaxLineTests {
    @Test("two institutions sharing a number get their FAXes a gap apart; another number is not held up")
    func sharedNumberSpread() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        var intake = alertIntake(fax: 3, email: 0)
        intake.deliveries = intake.deliveries.map { delivery in
            var d = delivery
            d.address = d.planned.recipient == RecipientID("fax-2") ? "+81736001002" : "+81736001001"
            return d
        }
        _ = try await file.ledger.recordIntake(intake)
        let clock = ManualClock(t0)
        let fax = TimedFaxOutlet(clock: clock)
        let dispatcher = Dispatcher(
            ledger: file.ledger, outlets: [fax], alarm: RecordingAlarm(), configuration: .init(faxLines: FaxLineSpacing()),
            clock: clock)
        let task = Task { try await dispatcher.run() }
        // The two numbers' first FAXes before the clock moves at all: on a busy machine the
        // dispatcher's first claim can come after the helper's first idle look.
        #expect(try await eventually { fax.sent.withLock { $0.count } >= 2 })
        #expect(
            try await eventually(advancing: clock, step: 15, idle: file.ledger) {
                try await file.ledger.states() == [.delivered: 3]
            })
        dispatcher.stop()
        try await task.value
        let sent = Dictionary(uniqueKeysWithValues: fax.sent.withLock { $0 }.map { ($0.recipient, $0.at) })
        let first = try #require(sent[RecipientID("fax-0")])
        let second = try #require(sent[RecipientID("fax-1")])
        #expect(first == t0)
        #expect(sent[RecipientID("fax-2")] == t0)
        #expect(second.timeIntervalSince(first) >= 180)
        #expect(second.timeIntervalSince(first) < 180 + 30)
    }
}
