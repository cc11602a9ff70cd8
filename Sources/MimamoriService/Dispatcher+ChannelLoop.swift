import Foundation
import Ledger
import Logging
import MimamoriCore
import Timing

extension Dispatcher {
    /// One channel's loop: executes what its `ChannelStateMachine` decides. Keeps a queue of
    /// claimed deliveries (refilled with one claim when it falls below half a batch), starts them
    /// while slots are free, then waits for a slot to free up, for new work, or for the next due
    /// time.
    ///
    /// Claimed but not yet started deliveries are `sending` in the ledger. After a crash they are
    /// resumed (back to `planned`) and sent once: they were never handed to an outlet, so they are
    /// not duplicates. The duplicate window stays the deliveries actually in an outlet's hands (at
    /// most `concurrency`) whose outcome was not yet recorded. On a graceful stop the unstarted
    /// ones go back to `planned` at once.
    func runChannel(_ outlet: any Outlet, signal: WakeSignal) async {
        let channel = outlet.channel
        let state = channelStates[channel] ?? channelState(for: outlet)
        let refusals = self.refusals[channel] ?? NoticeRefusals()
        // Beats the loop at least every maximumIdle (heartbeat, a fresh look at the ledger), so
        // the loop itself can wait for plain signals: a timed wait per finished send (a task
        // group and a timer each time) was a measurable share of a large fan-out.
        let maximumIdle = configuration.maximumIdle
        // On the global executor: nothing but the loop and its sends may need the channel's
        // thread, which is closed when the loop ends.
        let ticker = Task(executorPreference: globalConcurrentExecutor) { [clock] in
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
        // A discarding group: the loop never reads its sends' results, and a plain task group
        // keeps every finished child until its result is read, for as long as the loop runs
        // (a few KiB per delivery, never returned while the daemon lives).
        await withDiscardingTaskGroup { group in
            while !stopping.load(ordering: .sequentiallyConsistent) && !Task.isCancelled {
                heartbeat(channel)
                let now = clock.now()
                let work = signal.takeWork()
                let (unstarted, claim) = state.update { $0.beginRound(now: now, workSignalled: work) }
                await release(unstarted, channel: channel)
                if let want = claim {
                    let jobs: [DeliveryJob]
                    do throws(LedgerError) {
                        jobs = try await claimJobs(now: now, channel: channel, limit: want)
                    } catch {
                        logLedgerError(error, channel: channel, during: "claim")
                        await wait(state.update { $0.claimFailed(now: now) }, signal: signal)
                        continue
                    }
                    if state.update({ $0.claimed(jobs, asked: want, now: now) }) == .lookUpNextDue {
                        do throws(LedgerError) {
                            let due = try await ledger.nextDue(channel: channel)
                            state.update { $0.nextDueFound(due) }
                        } catch {
                            logLedgerError(error, channel: channel, during: "nextDue")
                            state.update { $0.nextDueFailed(now: now) }
                        }
                    }
                }
                let (start, wait) = state.update { $0.startSends(now: now) }
                for job in start {
                    group.addTask {
                        await self.attempt(job, through: outlet, signal: signal, channelState: state, refusals: refusals)
                        state.update { $0.sendFinished(job) }
                        signal.signal()
                    }
                }
                await self.wait(wait, signal: signal)
            }
            await drain(channel: channel, state: state, signal: signal, group: &group)
            await release(state.update { $0.stop() }, channel: channel)
        }
    }

    /// Due deliveries of the channel; FAXes with their numbers spread out when the settings ask
    /// for it.
    private func claimJobs(now: Date, channel: Channel, limit: Int) async throws(LedgerError) -> [DeliveryJob] {
        if channel == .fax, let spacing = configuration.faxLines, let lines = ledger as? any FaxLineStore {
            return try await lines.claimDueFaxes(now: now, limit: limit, spacing: spacing)
        }
        return try await ledger.claimDue(now: now, channel: channel, limit: limit)
    }

    /// The state machine of a channel the dispatcher was not built with (tests that drive one loop).
    func channelState(for outlet: any Outlet) -> LockedChannelStateMachine {
        LockedChannelStateMachine(
            ChannelStateMachine(
                concurrency: outlet.concurrency, maximumIdle: configuration.maximumIdle,
                ledgerErrorPause: configuration.ledgerErrorPause, rate: configuration.rates[outlet.channel]))
    }

    private func wait(_ wait: ChannelStateMachine.Wait, signal: WakeSignal) async {
        switch wait {
        case .none: return
        case .signal: await signal.wait(until: nil, clock: clock)
        case .until(let instant): await signal.wait(until: instant, clock: clock)
        }
    }

    /// Gives claimed but unstarted deliveries back to `planned` (a few tries; if the ledger
    /// refuses, they stay `sending` and are resumed at the next start: still sent once).
    private func release(_ jobs: [DeliveryJob], channel: Channel) async {
        guard !jobs.isEmpty else { return }
        _ = await retryingLedger(channel: channel, during: "release") { () async throws(LedgerError) in
            try await ledger.release(jobs.map(\.id))
        }
    }

    /// Tries a ledger write a few times (`ledgerRetries`): a busy or full disk may clear. Logs
    /// each failure; stops at one that cannot clear. Returns whether the write went through.
    func retryingLedger(
        channel: Channel?, during step: String, _ write: () async throws(LedgerError) -> Void
    ) async -> Bool {
        for attempt in 1...Self.ledgerTries {
            if attempt > 1 { try? await Task.sleep(for: Self.ledgerRetries.delay(afterAttempt: attempt - 1)) }
            do throws(LedgerError) {
                try await write()
                return true
            } catch {
                logLedgerError(error, channel: channel, during: step)
                if !error.isRetriable { return false }
            }
        }
        return false
    }

    /// A ledger write is tried at once, after 100 ms, then after a second.
    static let ledgerRetries = Backoff.steps([.milliseconds(100), .seconds(1)])
    static let ledgerTries = 3

    /// After a stop: let in-flight sends finish within the grace period, then cancel the rest
    /// (they stay `sending` and are resumed at the next start).
    private func drain(
        channel: Channel, state: LockedChannelStateMachine, signal: WakeSignal, group: inout DiscardingTaskGroup
    ) async {
        let pending = state.inFlight
        guard pending > 0 else { return }
        logger.info("dispatcher.draining", metadata: .keys([.channel: "\(channel.rawValue)", .count: "\(pending)"]))
        let deadline = clock.now().adding(configuration.shutdownGrace)
        while state.inFlight > 0 && !Task.isCancelled {
            heartbeat(channel)
            if clock.now() >= deadline {
                let left = state.inFlight
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
