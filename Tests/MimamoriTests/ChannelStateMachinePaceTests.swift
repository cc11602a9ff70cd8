import Foundation
import Ledger
import MimamoriCore
import Outlets
import Testing

@testable import MimamoriService

/// The pace of a channel's starts (`email.rate`) and its slow-down after a relay's "too many",
/// event by event with a clock moved by hand.
@Suite("ChannelStateMachine: rate, burst, slow-down on too many, recovery")
struct ChannelStateMachinePaceTests {
    let clock = ManualClock(t0)

    func machine(concurrency: Int = 8, rate: Double?) -> ChannelStateMachine {
        ChannelStateMachine(concurrency: concurrency, maximumIdle: .seconds(5), ledgerErrorPause: .seconds(1), rate: rate)
    }

    func jobs(_ ids: ClosedRange<Int64>, claims: Int = 1) -> [DeliveryJob] {
        ids.map { id in
            DeliveryJob(
                id: DeliveryID(rawValue: id), caseID: CaseID("KN-1"), revision: 1, recipient: RecipientID("coop-\(id)"),
                channel: .email, kind: .alert, address: "-", idempotencyKey: "k\(id)", attempt: 1, notBefore: t0,
                deadline: t0.addingTimeInterval(3600), drill: false, content: Data(), claims: claims)
        }
    }

    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    /// Whether the loop waits until `seconds` after the start (to a microsecond: instants are
    /// sums of fractions).
    func waits(_ wait: ChannelStateMachine.Wait, until seconds: TimeInterval) -> Bool {
        guard case .until(let instant) = wait else { return false }
        return abs(instant.timeIntervalSince(t0) - seconds) < 1e-6
    }

    /// Claims `ids` into a fresh round of `machine`.
    func claim(_ ids: ClosedRange<Int64>, into machine: inout ChannelStateMachine) {
        _ = machine.beginRound(now: clock.now(), workSignalled: true)
        _ = machine.claimed(jobs(ids), asked: ids.count, now: clock.now())
    }

    /// Starts what the machine allows at `now` and finishes those sends at once.
    func startAndFinish(_ machine: inout ChannelStateMachine, now: Date) -> (ids: [Int64], wait: ChannelStateMachine.Wait) {
        let (start, wait) = machine.startSends(now: now)
        for job in start { machine.sendFinished(job) }
        return (start.map(\.id.rawValue), wait)
    }

    @Test("unlimited: every free slot starts at once, as before")
    func unlimitedStartsEverySlot() {
        var machine = machine(concurrency: 8, rate: nil)
        claim(1...20, into: &machine)
        let (start, wait) = machine.startSends(now: clock.now())
        #expect(start.count == 8 && wait == .signal)
    }

    @Test("a rate of 2: a burst of one second's worth, then one start every half second, oldest first")
    func spacingAndBurst() {
        var machine = machine(concurrency: 8, rate: 2)
        claim(1...10, into: &machine)
        var step = startAndFinish(&machine, now: at(0))
        #expect(step.ids == [1, 2], "a burst of one second's worth")
        #expect(waits(step.wait, until: 0.5), "the loop wakes when the next may start")
        #expect(startAndFinish(&machine, now: at(0.2)).ids.isEmpty, "not before its time, though slots are free")
        step = startAndFinish(&machine, now: at(0.5))
        #expect(step.ids == [3] && waits(step.wait, until: 1))
        step = startAndFinish(&machine, now: at(1))
        #expect(step.ids == [4] && waits(step.wait, until: 1.5))
        // Late by 0.3 s: the next comes 0.2 s after, not 0.5 (the bucket kept the part).
        step = startAndFinish(&machine, now: at(1.8))
        #expect(step.ids == [5] && waits(step.wait, until: 2))
        // Idle for a while: the bucket fills to one second's worth, no more.
        step = startAndFinish(&machine, now: at(60))
        #expect(step.ids == [6, 7], "after a long idle, the burst again and no bigger")
        #expect(waits(step.wait, until: 60.5))
    }

    @Test("twenty starts at a rate of 4 take at least four seconds, whatever the rounds in between")
    func countOverTime() {
        var machine = machine(concurrency: 8, rate: 4)
        claim(1...20, into: &machine)
        var started: [Int64] = []
        var now = at(0)
        var rounds = 0
        while started.count < 20 && rounds < 1000 {
            let step = startAndFinish(&machine, now: now)
            started += step.ids
            rounds += 1
            guard case .until(let next) = step.wait else { break }
            now = next
        }
        #expect(started == Array(1...20), "every delivery once, in claim order")
        #expect(now.timeIntervalSince(t0) >= 4 - 1e-6, "\(now.timeIntervalSince(t0)) s")
        #expect(now.timeIntervalSince(t0) <= 4 + 1e-6)
    }

    @Test("a fractional rate: one message every two seconds")
    func fractionalRate() {
        var machine = machine(concurrency: 8, rate: 0.5)
        claim(1...3, into: &machine)
        let first = startAndFinish(&machine, now: at(0))
        #expect(first.ids == [1] && waits(first.wait, until: 2))
        #expect(startAndFinish(&machine, now: at(1.9)).ids.isEmpty)
        #expect(startAndFinish(&machine, now: at(2)).ids == [2])
    }

    @Test("slots full under a rate: wait for a finishing send's signal")
    func slotsFullWaitsForASignal() {
        var machine = machine(concurrency: 2, rate: 100)
        claim(1...10, into: &machine)
        #expect(machine.startSends(now: at(0)).start.count == 2)
        let full = machine.startSends(now: at(0))
        #expect(full.start.isEmpty && full.wait == .signal)
    }

    @Test("too many: the rate halves, every start holds a second, the refused delivery goes first again, attempt unused")
    func slowDownOnTooMany() {
        var machine = machine(concurrency: 8, rate: 4)
        claim(1...12, into: &machine)
        let (start, _) = machine.startSends(now: at(0))
        #expect(start.map(\.id.rawValue) == [1, 2, 3, 4])
        #expect(machine.sendReported(.tooMany, now: at(0.25)) == .slowed(perSecond: 2, holding: .seconds(1)))
        let deferred = machine.sendDeferred(start[3])
        #expect(deferred)
        machine.sendFinished(start[3])
        #expect(machine.queue.first?.id.rawValue == 4 && machine.queue.first?.attempt == 1, "back at the head, same attempt")
        // The others of the same moment met the same window: no second halving.
        #expect(machine.sendReported(.tooMany, now: at(0.375)) == nil)
        let deferredToo = machine.sendDeferred(start[2])
        #expect(deferredToo)
        machine.sendFinished(start[2])
        for job in start.prefix(2) {
            #expect(machine.sendReported(.reachable, now: at(0.5)) == nil)
            machine.sendFinished(job)
        }
        #expect(machine.queue.prefix(2).map(\.id.rawValue) == [3, 4])
        #expect(machine.pausedUntil == nil && machine.pauseCause == nil, "slowed, not paused: no alarm")
        let held = machine.startSends(now: at(0.5))
        #expect(held.start.isEmpty && waits(held.wait, until: 1.25), "held until a second after the answer")
        var step = startAndFinish(&machine, now: at(1.25))
        #expect(step.ids == [3] && waits(step.wait, until: 1.75), "then at the halved rate, without a burst")
        step = startAndFinish(&machine, now: at(1.75))
        #expect(step.ids == [4])
        #expect(machine.pace.current == 2 && machine.pace.isSlowed)
    }

    @Test("recovery: ten seconds without a too many doubles the rate, until the configured one")
    func recovery() {
        var machine = machine(concurrency: 8, rate: 4)
        #expect(machine.sendReported(.tooMany, now: at(0)) == .slowed(perSecond: 2, holding: .seconds(1)))
        #expect(machine.sendReported(.tooMany, now: at(1)) == .slowed(perSecond: 1, holding: .seconds(1)))
        #expect(machine.sendReported(.reachable, now: at(5)) == nil, "too soon after the last slow-down")
        #expect(machine.sendReported(.reachable, now: at(11)) == .raised(perSecond: 2))
        #expect(machine.sendReported(.reachable, now: at(15)) == nil, "each step waits its own ten seconds")
        #expect(machine.sendReported(.reachable, now: at(21)) == .restored(perSecond: 4))
        #expect(machine.pace.current == 4 && !machine.pace.isSlowed)
        #expect(machine.sendReported(.reachable, now: at(60)) == nil, "at the configured rate: nothing more")
        // A later too many starts again from the configured rate.
        #expect(machine.sendReported(.tooMany, now: at(61)) == .slowed(perSecond: 2, holding: .seconds(1)))
    }

    @Test("an unlimited channel slows to half its concurrency per second, and recovers to unlimited")
    func unlimitedSlowsAndRecovers() {
        var machine = machine(concurrency: 8, rate: nil)
        #expect(machine.sendReported(.tooMany, now: at(0)) == .slowed(perSecond: 4, holding: .seconds(1)))
        claim(1...20, into: &machine)
        #expect(startAndFinish(&machine, now: at(1)).ids == [1])
        #expect(machine.sendReported(.reachable, now: at(10)) == .restored(perSecond: nil))
        #expect(startAndFinish(&machine, now: at(10)).ids.count == 8, "unlimited again: every free slot")
    }

    @Test("however often the relay says too many, the rate stays above a message every ten seconds")
    func slowestRate() {
        var machine = machine(concurrency: 8, rate: 1)
        for second in 0..<20 { _ = machine.sendReported(.tooMany, now: at(Double(second) * 2)) }
        #expect(machine.pace.current == ChannelStateMachine.Pace.slowest)
        claim(1...3, into: &machine)
        let slowest = startAndFinish(&machine, now: at(39))
        #expect(slowest.ids == [1] && waits(slowest.wait, until: 49))
    }

    @Test("a too many does not pause the channel; an unreachable server still does, and a probe ignores the pace")
    func tooManyIsNotAPause() {
        var machine = machine(concurrency: 8, rate: 0.5)
        _ = machine.sendReported(.tooMany, now: at(0))
        #expect(machine.pausedUntil == nil)
        #expect(machine.sendReported(.unreachable(cause: "unreachable"), now: at(2)) == .paused(for: .seconds(1)))
        #expect(machine.beginRound(now: at(3), workSignalled: false).claim == 1, "the probe")
        _ = machine.claimed(jobs(1...1), asked: 1, now: at(3))
        #expect(machine.startSends(now: at(3)).start.map(\.id.rawValue) == [1], "the probe goes when the pause ends")
    }

    @Test("a delivery back from crashes is not kept waiting in the queue: its outcome is recorded instead")
    func suspectNotDeferred() {
        var machine = machine(concurrency: 8, rate: 4)
        let suspect = jobs(1...1, claims: 3)[0]
        let deferred = machine.sendDeferred(suspect)
        #expect(!deferred)
        #expect(machine.queue.isEmpty)
    }

    @Test("a reload's rate applies to the next start; none means unlimited, and a slow-down is forgotten")
    func reloadedRate() {
        var machine = machine(concurrency: 8, rate: 1)
        claim(1...20, into: &machine)
        #expect(startAndFinish(&machine, now: at(0)).ids == [1])
        machine.apply(rate: 10)
        #expect(startAndFinish(&machine, now: at(0.5)).ids == [2, 3, 4, 5, 6], "half a second at 10 per second")
        _ = machine.sendReported(.tooMany, now: at(0.6))
        machine.apply(rate: nil)
        #expect(machine.pace.current == nil && !machine.pace.isSlowed)
        #expect(startAndFinish(&machine, now: at(2)).ids.count == 8)
    }
}

/// Which refusals are a relay's "too many": from the reply and the step alone, as the SMTP
/// outlet reports them.
@Suite("DeliveryFailure.asksToSlowDown: 421 after the greeting, 451 at MAIL FROM")
struct TooManyReplyTests {
    @Test(
        "the reply and the step decide",
        arguments: [
            (421, OutletError.SMTPStage.mailFrom, true), (421, .rcptTo, true), (421, .data, true), (421, .endOfData, true),
            (421, .greeting, false), (451, .mailFrom, true), (451, .rcptTo, false), (451, .endOfData, false),
            (530, .mailFrom, false), (550, .rcptTo, false), (554, .endOfData, false),
        ])
    func decided(reply: Int, stage: OutletError.SMTPStage, slowsDown: Bool) {
        let scope: OutletError.Scope = (reply == 421 || stage == .mailFrom || stage == .greeting) ? .channel : .recipient
        let error = OutletError(
            code: .deferred, isRetriable: reply < 500, message: "-", operatorHint: "-", smtpReplyCode: reply, scope: scope,
            smtpStage: stage)
        #expect(DeliveryFailure(outletError: error).asksToSlowDown == slowsDown, "\(reply) at \(stage)")
    }

    @Test("an HTTP 429 or an unreachable server is not a slow-down (they pause the channel)")
    func othersPause() {
        #expect(!DeliveryFailure.channelFault(.reply("http", 429), "too many requests").asksToSlowDown)
        #expect(!DeliveryFailure.transient(.unreachable, "refused").asksToSlowDown)
    }
}
