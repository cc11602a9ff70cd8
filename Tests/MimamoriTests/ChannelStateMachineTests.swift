import Foundation
import Ledger
import MimamoriCore
import Testing

@testable import MimamoriDaemon
@testable import MimamoriService

/// The channel loop's decisions, event by event, with a clock moved by hand and no ledger,
/// outlet or socket.
@Suite("ChannelStateMachine: queue, claims, due times, pause and probe")
struct ChannelStateMachineTests {
    let clock = ManualClock(t0)

    func machine(concurrency: Int = 2) -> ChannelStateMachine {
        ChannelStateMachine(concurrency: concurrency, maximumIdle: .seconds(5), ledgerErrorPause: .seconds(1))
    }

    func jobs(_ ids: ClosedRange<Int64>, claims: Int = 1) -> [DeliveryJob] {
        ids.map { id in
            DeliveryJob(
                id: DeliveryID(rawValue: id), caseID: CaseID("KN-1"), revision: 1, recipient: RecipientID("coop-\(id)"),
                channel: .email, kind: .alert, address: "-", idempotencyKey: "k\(id)", attempt: 1, notBefore: t0,
                deadline: t0.addingTimeInterval(3600), drill: false, content: Data(), claims: claims)
        }
    }

    /// The time since the clock's start, in seconds.
    var elapsed: TimeInterval { clock.now().timeIntervalSince(t0) }

    @Test("claim batches: twice the concurrency at least, sixteen times at most, 256 unless the concurrency is higher")
    func claimBatchSizes() {
        #expect(ChannelStateMachine.claimBatch(concurrency: 1) == 16)
        #expect(ChannelStateMachine.claimBatch(concurrency: 8) == 128)
        #expect(ChannelStateMachine.claimBatch(concurrency: 32) == 256)
        #expect(ChannelStateMachine.claimBatch(concurrency: 200) == 400)
        #expect(machine(concurrency: 0).limit == 1, "a concurrency below one sends one at a time")
    }

    @Test("a full batch is claimed, the free slots start, the queue is refilled when below half a batch")
    func queueAndRefill() {
        var machine = machine(concurrency: 2)
        let now = clock.now()
        let first = machine.beginRound(now: now, workSignalled: false)
        #expect(first.release.isEmpty && first.claim == 32)
        #expect(machine.claimed(jobs(1...32), asked: 32, now: now) == .proceed)
        var (start, wait) = machine.startSends(now: now)
        #expect(start.map(\.id.rawValue) == [1, 2])
        #expect(wait == .signal, "claimed deliveries wait for a slot")
        #expect(machine.startSends(now: now).start.isEmpty, "no more than the concurrency in flight")
        while machine.queue.count > 16 {
            for job in start { machine.sendFinished(job) }
            start = machine.startSends(now: now).start
            #expect(machine.beginRound(now: now, workSignalled: false).claim == nil, "half a batch queued: no claim")
        }
        machine.sendFinished(start[0])
        #expect(machine.startSends(now: now).start.count == 1)
        #expect(machine.queue.count == 15)
        #expect(machine.beginRound(now: now, workSignalled: false).claim == 17, "below half a batch: refilled to a batch")
        #expect(machine.claimed(jobs(33...49), asked: 17, now: now) == .proceed)
        #expect(machine.queue.map(\.id.rawValue) == Array(18...49), "oldest claim first")
    }

    @Test("claimed all and started all: go round and claim again at once")
    func fullBatchGoesRound() {
        var machine = machine(concurrency: 8)
        let round = machine.beginRound(now: clock.now(), workSignalled: false)
        #expect(round.claim == 128)
        _ = machine.claimed(jobs(1...128), asked: 128, now: clock.now())
        var started = 0
        var wait = ChannelStateMachine.Wait.signal
        while !machine.queue.isEmpty {
            let step = machine.startSends(now: clock.now())
            started += step.start.count
            wait = step.wait
            for job in step.start { machine.sendFinished(job) }
        }
        #expect(started == 128)
        #expect(wait == .none)
    }

    @Test("drained: no claim until new work, the next due time, or the longest idle")
    func drainedWaitsForWorkDueOrIdle() {
        var machine = machine(concurrency: 2)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == machine.batch)
        #expect(machine.claimed(jobs(1...1), asked: machine.batch, now: clock.now()) == .lookUpNextDue)
        machine.nextDueFound(t0.addingTimeInterval(3))
        let (start, wait) = machine.startSends(now: clock.now())
        #expect(start.count == 1)
        #expect(wait == .until(t0.addingTimeInterval(3)), "due before the ticker beats: wait for that time as well")
        machine.sendFinished(start[0])

        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == nil)
        clock.advance(by: 1)
        #expect(machine.beginRound(now: clock.now(), workSignalled: true).claim == machine.batch, "new work")
        _ = machine.claimed([], asked: machine.batch, now: clock.now())
        machine.nextDueFound(t0.addingTimeInterval(3))
        clock.advance(by: 1)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == nil)
        clock.advance(by: 1)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == machine.batch, "the next due time came")

        _ = machine.claimed([], asked: machine.batch, now: clock.now())
        machine.nextDueFound(nil)
        #expect(machine.startSends(now: clock.now()).wait == .signal, "nothing due: the ticker or new work wakes it")
        clock.advance(by: 4.9)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == nil)
        clock.advance(by: 0.1)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == machine.batch, "the longest idle passed")

        _ = machine.claimed([], asked: machine.batch, now: clock.now())
        machine.nextDueFound(clock.now().addingTimeInterval(60))
        #expect(machine.startSends(now: clock.now()).wait == .signal, "due after the ticker's next beat: the ticker wakes it")
    }

    @Test("ledger errors: a failed claim waits a ledger pause; an unknown next due time is looked up after one")
    func ledgerErrors() {
        var machine = machine()
        #expect(machine.claimFailed(now: clock.now()) == .until(t0.addingTimeInterval(1)))
        _ = machine.beginRound(now: clock.now(), workSignalled: false)
        _ = machine.claimed([], asked: machine.batch, now: clock.now())
        machine.nextDueFailed(now: clock.now())
        #expect(machine.nextDue == t0.addingTimeInterval(1))
        clock.advance(by: 1)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == machine.batch)
    }

    @Test(
        "the pause grows only with failed probes (1, 2, 4, 8, then 15 s); sends that fail during a pause do not lengthen it; the first success opens the channel"
    )
    func pausesGrowWithFailedProbes() {
        var machine = machine()
        #expect(machine.pausedUntil == nil)
        #expect(machine.sendReported(.reachable, now: clock.now()) == nil, "an open channel stays open")

        // The first failure pauses; the others in flight when it happened change nothing.
        #expect(machine.sendReported(.unreachable(cause: "unreachable"), now: clock.now()) == .paused(for: .seconds(1)))
        for late in [0.1, 0.5, 0.9] {
            #expect(machine.sendReported(.unreachable(cause: "late"), now: t0.addingTimeInterval(late)) == nil)
        }
        #expect(machine.pausedUntil == t0.addingTimeInterval(1))
        #expect(machine.pauseCause == "unreachable", "a send that started before the pause does not change its cause")

        // Each failed probe (at or after the end of the pause) pauses longer, up to 15 s.
        clock.advance(by: 1)
        var pauses: [TimeInterval] = []
        for _ in 0..<7 {
            #expect(
                machine.sendReported(.unreachable(cause: "smtp-530 at mail-from"), now: clock.now()) == nil, "said once, when it paused")
            let pause = machine.pausedUntil!.timeIntervalSince(clock.now())
            pauses.append(pause)
            clock.advance(by: pause)
        }
        #expect(pauses == [2, 4, 8, 15, 15, 15, 15])
        #expect(machine.pauseCause == "smtp-530 at mail-from")
        #expect(machine.sendReported(.unknown, now: clock.now()) == nil, "a recipient's refusal says nothing of the server")
        #expect(machine.pausedUntil != nil)

        // A send gets through: open again, and it says how long the channel was down.
        #expect(machine.sendReported(.reachable, now: clock.now()) == .resumed(downFor: elapsed))
        #expect(machine.pausedUntil == nil && machine.pauseCause == nil)
        #expect(
            machine.sendReported(.unreachable(cause: "unreachable"), now: clock.now()) == .paused(for: .seconds(1)),
            "a new outage starts from the shortest pause")
    }

    @Test("paused: unstarted claims go back, nothing is claimed until the pause ends, then one probe at a time until one gets through")
    func pauseReleasesAndProbes() {
        var machine = machine(concurrency: 2)
        _ = machine.beginRound(now: clock.now(), workSignalled: false)
        _ = machine.claimed(jobs(1...32), asked: machine.batch, now: clock.now())
        let sending = machine.startSends(now: clock.now()).start
        #expect(machine.sendReported(.unreachable(cause: "unreachable"), now: clock.now()) == .paused(for: .seconds(1)))
        machine.sendFinished(sending[0])

        let round = machine.beginRound(now: clock.now(), workSignalled: true)
        #expect(round.release.map(\.id.rawValue) == Array(3...32), "the unstarted claims go back to planned")
        #expect(round.claim == nil, "new work is not claimed while paused")
        #expect(machine.queue.isEmpty)
        let paused = machine.startSends(now: clock.now())
        #expect(paused.start.isEmpty && paused.wait == .until(t0.addingTimeInterval(1)), "wakes for the probe")

        clock.advance(by: 1)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == nil, "no probe while a send is in flight")
        machine.sendFinished(sending[1])
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == 1, "the probe: one delivery")
        _ = machine.claimed(jobs(5...5), asked: 1, now: clock.now())
        let probe = machine.startSends(now: clock.now())
        #expect(probe.start.map(\.id.rawValue) == [5] && probe.wait == .signal)
        #expect(machine.beginRound(now: clock.now(), workSignalled: true).claim == nil, "one probe at a time")

        // The probe fails: paused longer; the next probe after 2 s.
        #expect(machine.sendReported(.unreachable(cause: "unreachable"), now: clock.now()) == nil)
        machine.sendFinished(probe.start[0])
        let second = machine.beginRound(now: clock.now(), workSignalled: false)
        #expect(second.claim == nil && machine.startSends(now: clock.now()).wait == .until(t0.addingTimeInterval(3)))
        clock.advance(by: 2)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == 1)
        _ = machine.claimed(jobs(6...6), asked: 1, now: clock.now())
        let next = machine.startSends(now: clock.now()).start
        #expect(machine.sendReported(.reachable, now: clock.now()) == .resumed(downFor: 3))
        machine.sendFinished(next[0])
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == machine.batch, "open again: a full batch")
    }

    @Test("paused with nothing due for the probe: waits for the next due time, a second at least")
    func pausedProbeFindsNothing() {
        var machine = machine()
        _ = machine.sendReported(.unreachable(cause: "unreachable"), now: clock.now())
        clock.advance(by: 1)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == 1)
        #expect(machine.claimed([], asked: 1, now: clock.now()) == .lookUpNextDue)
        machine.nextDueFound(t0)
        #expect(machine.startSends(now: clock.now()).wait == .until(t0.addingTimeInterval(2)))
        machine.nextDueFound(t0.addingTimeInterval(30))
        #expect(machine.startSends(now: clock.now()).wait == .until(t0.addingTimeInterval(30)))
        machine.nextDueFound(nil)
        #expect(machine.startSends(now: clock.now()).wait == .signal)
    }

    @Test("a delivery back from more than one crash is sent with nothing claimed beside it")
    func suspectSentAlone() {
        var machine = machine(concurrency: 4)
        _ = machine.beginRound(now: clock.now(), workSignalled: false)
        // The ledger hands a suspect out alone.
        _ = machine.claimed(jobs(1...1, claims: 3), asked: machine.batch, now: clock.now())
        let (start, wait) = machine.startSends(now: clock.now())
        #expect(start.map(\.id.rawValue) == [1] && machine.suspectsInFlight == 1)
        #expect(wait == .signal, "its end signals")
        #expect(machine.beginRound(now: clock.now(), workSignalled: true).claim == nil, "nothing claimed beside it")
        clock.advance(by: 60)
        #expect(machine.beginRound(now: clock.now(), workSignalled: true).claim == nil, "not even after the longest idle")
        machine.sendFinished(start[0])
        #expect(machine.suspectsInFlight == 0)
        #expect(machine.beginRound(now: clock.now(), workSignalled: true).claim == machine.batch)
    }

    /// The others behind it are due already: waiting "until" their past due time would return
    /// at once, and the loop would go round without ever suspending; on its channel thread the
    /// suspect's own send, queued behind the loop, would then never run.
    @Test("a suspect out alone with others already due: the loop waits for its end, not for their due time")
    func suspectWaitsForItsEndNotForADueTimeGoneBy() {
        var machine = machine(concurrency: 4)
        _ = machine.beginRound(now: clock.now(), workSignalled: false)
        #expect(machine.claimed(jobs(1...1, claims: 2), asked: machine.batch, now: clock.now()) == .lookUpNextDue)
        machine.nextDueFound(clock.now().addingTimeInterval(-1))
        #expect(machine.startSends(now: clock.now()).wait == .signal)
        #expect(machine.beginRound(now: clock.now(), workSignalled: false).claim == nil)
        #expect(machine.startSends(now: clock.now()).wait == .signal, "round after round")
    }

    @Test("a suspect while a full batch is out: no claim again until it is over")
    func suspectStopsTheGoRound() {
        var machine = machine(concurrency: 4)
        _ = machine.beginRound(now: clock.now(), workSignalled: false)
        _ = machine.claimed(jobs(1...1, claims: 2), asked: 1, now: clock.now())
        #expect(machine.startSends(now: clock.now()).wait == .signal)
    }

    @Test("stop: the unstarted claims go back at once")
    func stopReleases() {
        var machine = machine(concurrency: 1)
        _ = machine.beginRound(now: clock.now(), workSignalled: false)
        _ = machine.claimed(jobs(1...3), asked: 16, now: clock.now())
        _ = machine.startSends(now: clock.now())
        #expect(machine.stop().map(\.id.rawValue) == [2, 3])
        #expect(machine.queue.isEmpty && machine.inFlight == 1, "the send in flight drains")
    }

    @Test("due times keep the part below a second")
    func subsecondDueTimes() {
        #expect(t0.adding(.milliseconds(1500)) == t0.addingTimeInterval(1.5))
    }
}
