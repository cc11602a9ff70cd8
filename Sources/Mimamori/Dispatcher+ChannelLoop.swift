import Foundation
import Ledger
import Logging
import MimamoriCore
import Synchronization

extension Dispatcher {
    /// One channel's loop: claim as many due deliveries as there are free slots, start them, then
    /// wait for a slot to free up, for new work, or for the next due time.
    func runChannel(_ outlet: any Outlet, signal: WakeSignal) async {
        let channel = outlet.channel
        let limit = max(1, outlet.concurrency)
        let inFlight = InFlightCount()
        await withTaskGroup(of: Void.self) { group in
            while !stopping.load(ordering: .sequentiallyConsistent) && !Task.isCancelled {
                heartbeat(channel)
                let free = limit - inFlight.value
                var wakeAt: Date? = nil
                if free > 0 {
                    let now = clock.now()
                    let jobs: [DeliveryJob]
                    do throws(LedgerError) {
                        jobs = try await ledger.claimDue(now: now, channel: channel, limit: free)
                    } catch {
                        logLedgerError(error, channel: channel, during: "claim")
                        await signal.wait(until: now.adding(configuration.ledgerErrorPause), clock: clock)
                        continue
                    }
                    for job in jobs {
                        inFlight.add(1)
                        group.addTask {
                            await self.attempt(job, through: outlet)
                            inFlight.add(-1)
                            signal.signal()
                        }
                    }
                    // All slots filled: there may be more due; the next turn waits for a slot.
                    if jobs.count == free { continue }
                    // Nothing more due now: sleep until the next due delivery, at most maximumIdle.
                    let idle = now.adding(configuration.maximumIdle)
                    do throws(LedgerError) {
                        wakeAt = min(try await ledger.nextDue(channel: channel) ?? idle, idle)
                    } catch {
                        logLedgerError(error, channel: channel, during: "nextDue")
                        wakeAt = now.adding(configuration.ledgerErrorPause)
                    }
                } else {
                    // Every slot busy: a finishing send signals. Still beat the heart now and then.
                    wakeAt = clock.now().adding(configuration.maximumIdle)
                }
                await signal.wait(until: wakeAt, clock: clock)
            }
            await drain(channel: channel, inFlight: inFlight, signal: signal, group: &group)
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

    func logLedgerError(_ error: LedgerError, channel: Channel, during step: String) {
        logger.error(
            "ledger.error",
            metadata: .keys([
                .channel: "\(channel.rawValue)", .code: "\(error.code)", .reason: "\(step): \(error.operatorHint)",
            ]))
    }
}

/// How many sends of one channel are in flight.
final class InFlightCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
    func add(_ delta: Int) { count.add(delta, ordering: .sequentiallyConsistent) }
}
