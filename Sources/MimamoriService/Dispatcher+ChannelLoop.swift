import Foundation
import Ledger
import Logging
import MimamoriCore
import Synchronization

extension Dispatcher {
    /// How many deliveries a channel loop claims ahead of its free slots: enough that one claim
    /// transaction serves many sends (a 10,000-recipient fan-out claimed a few at a time spent
    /// most of its time in claim transactions), few enough that a graceful stop has little to
    /// give back.
    static func claimBatch(concurrency limit: Int) -> Int {
        max(2 * limit, min(16 * limit, 256))
    }

    /// One channel's loop: keeps a queue of claimed deliveries (refilled with one claim when it
    /// falls below half a batch), starts them while slots are free, then waits for a slot to free
    /// up, for new work, or for the next due time.
    ///
    /// Claimed but not yet started deliveries are `sending` in the ledger. After a crash they are
    /// resumed (back to `planned`) and sent once: they were never handed to an outlet, so they are
    /// not duplicates. The duplicate window stays the deliveries actually in an outlet's hands (at
    /// most `concurrency`) whose outcome was not yet recorded. On a graceful stop the unstarted
    /// ones go back to `planned` at once.
    func runChannel(_ outlet: any Outlet, signal: WakeSignal) async {
        let channel = outlet.channel
        let limit = max(1, outlet.concurrency)
        let batch = Self.claimBatch(concurrency: limit)
        let inFlight = InFlightCount()
        // A delivery back from more than one crash is sent with nothing claimed beside it, so a
        // delivery that kills the daemon does not drag the claims made with it to crash-loop.
        let suspectsInFlight = InFlightCount()
        let gate = gates[channel] ?? ChannelGate()
        let refusals = self.refusals[channel] ?? NoticeRefusals()
        var queue: [DeliveryJob] = []
        var head = 0
        // Set when a claim found fewer due deliveries than it asked for: no more claims until new
        // work is signalled, the next due time comes, or `maximumIdle` passes.
        var drained = false
        var drainedAt = Date.distantPast
        var nextDue: Date? = nil
        // Beats the loop at least every maximumIdle (heartbeat, a fresh look at the ledger), so
        // the loop itself can wait for plain signals: a timed wait per finished send (a task
        // group and a timer each time) was a measurable share of a 10,000-message fan-out.
        let maximumIdle = configuration.maximumIdle
        let ticker = Task { [clock] in
            while !Task.isCancelled {
                do {
                    try await clock.sleep(until: clock.now().adding(maximumIdle))
                } catch {
                    return
                }
                signal.signal()
            }
        }
        defer { ticker.cancel() }
        await withTaskGroup(of: Void.self) { group in
            while !stopping.load(ordering: .sequentiallyConsistent) && !Task.isCancelled {
                heartbeat(channel)
                let now = clock.now()
                if signal.takeWork() || now >= drainedAt.adding(configuration.maximumIdle) { drained = false }
                if drained, let due = nextDue, due <= now { drained = false }
                // A paused channel (its server unreachable) gives its unstarted claims back to
                // `planned` (the ledger shows them waiting, not sending), claims nothing until the
                // pause is over, then one delivery at a time as a probe until a send gets through.
                let pausedUntil = gate.pausedUntil
                if pausedUntil != nil && head < queue.count {
                    await release(Array(queue[head...]), channel: channel)
                    queue.removeAll(keepingCapacity: true)
                    head = 0
                }
                let probing = pausedUntil.map { now >= $0 } ?? false
                let queued = queue.count - head
                let claimNow =
                    suspectsInFlight.value == 0
                    && (pausedUntil == nil ? (!drained && queued < max(1, batch / 2)) : (probing && queued == 0 && inFlight.value == 0))
                if claimNow {
                    let want = pausedUntil == nil ? batch - queued : 1
                    let jobs: [DeliveryJob]
                    do throws(LedgerError) {
                        jobs = try await ledger.claimDue(now: now, channel: channel, limit: want)
                    } catch {
                        logLedgerError(error, channel: channel, during: "claim")
                        await signal.wait(until: now.adding(configuration.ledgerErrorPause), clock: clock)
                        continue
                    }
                    if head > 0 {
                        queue.removeFirst(head)
                        head = 0
                    }
                    queue += jobs
                    if jobs.count < want {
                        drained = true
                        drainedAt = now
                        do throws(LedgerError) {
                            nextDue = try await ledger.nextDue(channel: channel)
                        } catch {
                            logLedgerError(error, channel: channel, during: "nextDue")
                            nextDue = now.adding(configuration.ledgerErrorPause)
                        }
                    }
                }
                let allowed = pausedUntil == nil ? limit : (probing ? 1 : 0)
                while inFlight.value < allowed && head < queue.count {
                    let job = queue[head]
                    head += 1
                    inFlight.add(1)
                    if job.isSuspect { suspectsInFlight.add(1) }
                    group.addTask {
                        await self.attempt(job, through: outlet, signal: signal, gate: gate, refusals: refusals)
                        if job.isSuspect { suspectsInFlight.add(-1) }
                        inFlight.add(-1)
                        signal.signal()
                    }
                }
                var wakeAt: Date? = nil
                if let until = pausedUntil {
                    // Paused: wake for the probe (or when the probe in flight finishes).
                    if now < until { wakeAt = until } else if inFlight.value == 0 && head == queue.count, let due = nextDue {
                        wakeAt = max(due, now.adding(.seconds(1)))
                    }
                } else if head == queue.count {
                    // Claimed a full batch and started it all: claim again (unless a suspect is out
                    // alone: its end signals).
                    if !drained && suspectsInFlight.value == 0 { continue }
                    // Due before the ticker beats again: wait for that time as well.
                    if let due = nextDue, due < now.adding(maximumIdle) { wakeAt = due }
                }
                // A finishing send signals; so do new work and the ticker.
                await signal.wait(until: wakeAt, clock: clock)
            }
            await drain(channel: channel, inFlight: inFlight, signal: signal, group: &group)
            await release(Array(queue[head...]), channel: channel)
        }
    }

    /// Gives claimed but unstarted deliveries back to `planned` (a few tries; if the ledger
    /// refuses, they stay `sending` and are resumed at the next start: still sent once).
    private func release(_ jobs: [DeliveryJob], channel: Channel) async {
        guard !jobs.isEmpty else { return }
        for pause in [0, 100, 1000] {
            if pause > 0 { try? await Task.sleep(for: .milliseconds(pause)) }
            do throws(LedgerError) {
                try await ledger.release(jobs.map(\.id))
                return
            } catch {
                logLedgerError(error, channel: channel, during: "release")
                if !error.isRetriable { return }
            }
        }
    }

    /// After a stop: let in-flight sends finish within the grace period, then cancel the rest
    /// (they stay `sending` and are resumed at the next start).
    private func drain(
        channel: Channel, inFlight: InFlightCount, signal: WakeSignal, group: inout TaskGroup<Void>
    ) async {
        let pending = inFlight.value
        guard pending > 0 else { return }
        logger.info("dispatcher.draining", metadata: .keys([.channel: "\(channel.rawValue)", .count: "\(pending)"]))
        let deadline = clock.now().adding(configuration.shutdownGrace)
        while inFlight.value > 0 && !Task.isCancelled {
            heartbeat(channel)
            if clock.now() >= deadline {
                let left = inFlight.value
                logger.warning(
                    "dispatcher.drain.timeout", metadata: .keys([.channel: "\(channel.rawValue)", .count: "\(left)"]))
                group.cancelAll()
                break
            }
            await signal.wait(until: deadline, clock: clock)
        }
    }

    func logLedgerError(_ error: LedgerError, channel: Channel?, during step: String) {
        logger.error(
            "ledger.error",
            metadata: .keys([
                .channel: .string(channel?.rawValue ?? "-"), .code: "\(error.code)", .reason: "\(step): \(error.operatorHint)",
            ]))
    }
}

/// How many sends of one channel are in flight.
final class InFlightCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
    func add(_ delta: Int) { count.add(delta, ordering: .sequentiallyConsistent) }
}
