import Foundation
import Ledger
import Logging
import Metrics
import MimamoriCore
import Timing

extension Dispatcher {
    /// What one attempt comes to: the ledger outcome, and an alarm if a person must act.
    /// Pure: `now` and the jitter `unit` come from the caller.
    public static func settle(
        _ job: DeliveryJob, failure: DeliveryFailure?, now: Date, policy: RetryPolicy, unit: Double
    ) -> (outcome: DeliveryOutcome, alarm: DeliveryAlarm?) {
        guard let failure else { return (.delivered(at: now), nil) }
        let record = DeliveryErrorRecord(code: failure.code.rawValue, summary: failure.summary)
        func alarm(_ reason: DeliveryAlarm.Reason) -> DeliveryAlarm {
            DeliveryAlarm(
                reason: reason, caseID: job.caseID, deliveryID: job.id, recipient: job.recipient, channel: job.channel,
                kind: job.kind, attempts: job.attempt, errorCode: failure.code.rawValue,
                operatorHint: failure.operatorHint, at: now, resends: job.resends)
        }
        switch policy.decide(
            attempt: job.attempt, isRetriable: failure.isRetriable, now: now, deadline: job.deadline, unit: unit)
        {
        case .retry(let next): return (.retry(record, at: now, nextAttemptAt: next), nil)
        case .stop: return (.failed(record, at: now), alarm(.permanentFailure))
        case .giveUp: return (.expired(record, at: now), alarm(.expired))
        }
    }

    /// What one attempt came to, before it is recorded.
    struct AttemptResult {
        var outcome: DeliveryOutcome
        var alarm: DeliveryAlarm?
        /// Failed with its notice, whose refusal raised the one alarm: owes none of its own.
        var coveredByNoticeAlarm = false
        /// Set on the delivery that found its notice refused: the notice's alarm goes with it.
        var firstRefusal: DeliveryErrorRecord?
        var gateChange: GateChange?
        /// The relay refused it as one too many: sent again when the pace allows, unrecorded.
        var tooMany = false
        var elapsed: Duration?
        var metadata: Logger.Metadata = [:]
    }

    /// Sends one claimed job and records the result; tells `channelState` whether the server was
    /// reached and willing, and `refusals` when the server refused the notice's message itself.
    func attempt(
        _ job: DeliveryJob, through outlet: any Outlet, signal: WakeSignal? = nil,
        channelState: LockedChannelStateMachine? = nil, refusals: NoticeRefusals? = nil
    ) async {
        var result = await send(job, through: outlet, channelState: channelState, refusals: refusals)
        var metadata: Logger.Metadata = .keys([
            .case: "\(job.caseID)", .recipient: "\(job.recipient)", .channel: "\(job.channel.rawValue)",
            .kind: "\(job.kind.rawValue)", .attempt: "\(job.attempt)",
        ])
        metadata.merge(result.metadata) { _, new in new }
        if result.tooMany, case .retry(let error, _, _) = result.outcome, let channelState,
            channelState.update({ $0.sendDeferred(job) })
        {
            // Still claimed, back in the channel's queue: nothing to record, no retry spent.
            metadata[LogKey.code.rawValue] = "\(error.code)"
            logger.notice("delivery.throttled", metadata: metadata)
            return
        }

        // The alarm this outcome owes is in hand from before its commit: the owed-alarm pass,
        // reading the ledger meanwhile, leaves it to this attempt.
        let reserved = result.alarm != nil && alarmsInHand.withLock { $0.insert(job.id).inserted }
        defer { if reserved { _ = alarmsInHand.withLock { $0.remove(job.id) } } }

        // Record; a busy or full disk may clear, so try a few times. If it never records, the
        // delivery stays `sending` and is resumed at the next start (sent again: at least once).
        let recorded = await retryingLedger(channel: job.channel, during: "record") { () async throws(LedgerError) in
            try await ledger.record(result.outcome, for: job.id)
        }

        logOutcome(result.outcome, metadata: metadata)
        // Planned again with a new due time the channel loop has not seen.
        if case .retry = result.outcome, recorded { signal?.signalWork() }
        countMetrics(result.outcome, channel: job.channel, elapsed: result.elapsed)
        if case .paused(let channelAlarm) = result.gateChange { await raiseChannelAlarm(channelAlarm) }
        if case .resumed = result.gateChange { await raiseOwedChannelAlarms() }
        guard recorded else { return }
        onOutcome(job, result.outcome)
        if result.coveredByNoticeAlarm {
            do throws(LedgerError) {
                try await ledger.markAlarmed(job.id, at: clock.now())
            } catch {
                logLedgerError(error, channel: job.channel, during: "mark-alarmed")
            }
            return
        }
        if let record = result.firstRefusal, var noticeAlarm = result.alarm {
            result.alarm = nil
            let others = await failNotice(of: job, error: record)
            noticeAlarm.reason = .noticeRefused
            noticeAlarm.operatorHint =
                "the server refused the notice itself, whoever it goes to: every delivery of it on \(job.channel.rawValue) fails with this one (\(others) still planned failed at once). "
                + noticeAlarm.operatorHint
            await raiseAndMark(noticeAlarm, inHand: reserved)
        }
        // After the final state is recorded; the ledger owes the alarm until it is handed over
        // (a crash in between, or a refused alarm mail: `raiseOwedAlarms` sends it later).
        if let alarm = result.alarm { await raiseAndMark(alarm, inHand: reserved) }
    }

    /// The attempt itself: expired before it started, refused with its notice, or handed to the
    /// outlet and settled by the retry policy.
    private func send(
        _ job: DeliveryJob, through outlet: any Outlet, channelState: LockedChannelStateMachine?, refusals: NoticeRefusals?
    ) async -> AttemptResult {
        let startedAt = clock.now()
        if startedAt > job.deadline {
            // Claimed after its deadline (the daemon was down, or a retry landed late).
            let alarm = DeliveryAlarm(
                reason: .expired, caseID: job.caseID, deliveryID: job.id, recipient: job.recipient,
                channel: job.channel, kind: job.kind, attempts: job.attempt - 1, errorCode: nil,
                operatorHint: "the deadline passed before it could be sent", at: startedAt, resends: job.resends)
            return AttemptResult(outcome: .expired(nil, at: startedAt), alarm: alarm)
        }
        if let refusal = refusals?.refusal(of: job) {
            // The server refused this notice's message for another recipient: the same bytes
            // would be refused again, so this one is not sent.
            return AttemptResult(
                outcome: .failed(DeliveryErrorRecord(code: refusal.code.rawValue, summary: refusal.summary), at: startedAt),
                coveredByNoticeAlarm: true, metadata: .keys([.reason: "notice refused"]))
        }
        let started = ContinuousClock.now
        var failure: DeliveryFailure? = nil
        do throws(DeliveryFailure) {
            try await outlet.deliver(job)
        } catch {
            failure = error
        }
        let took = ContinuousClock.now - started
        // Jitter only for a failure: the system's random source is a system call, once per
        // delivery of a fan-out for nothing.
        let settled = Self.settle(
            job, failure: failure, now: clock.now(), policy: retry, unit: failure == nil ? 0 : randomUnit())
        var result = AttemptResult(
            outcome: settled.outcome, alarm: settled.alarm, elapsed: took, metadata: .keys([.ms: "\(took.milliseconds)"]))
        if let failure, failure.scope == .message, !failure.isRetriable, case .failed(let record, _) = settled.outcome {
            if refusals?.refuse(job, failure) ?? true {
                result.firstRefusal = record
            } else {
                result.alarm = nil
                result.coveredByNoticeAlarm = true
            }
        }
        if let failure, let stage = failure.stage { result.metadata[LogKey.stage.rawValue] = .string(stage) }
        if let channelState { result.gateChange = pass(failure, to: channelState, channel: job.channel) }
        result.tooMany = failure?.asksToSlowDown ?? false
        return result
    }

    /// Messages per second as the journal shows them: `4`, `0.5`.
    static func rateText(_ rate: Double) -> String {
        rate == rate.rounded() ? "\(Int(rate))" : String(format: "%.2g", rate)
    }

    private func logOutcome(_ outcome: DeliveryOutcome, metadata: Logger.Metadata) {
        var metadata = metadata
        switch outcome {
        case .delivered:
            logger.info("delivery.accepted", metadata: metadata)
        case .retry(let error, _, _):
            metadata[LogKey.code.rawValue] = "\(error.code)"
            logger.notice("delivery.retry", metadata: metadata)
        case .failed(let error, _):
            metadata[LogKey.code.rawValue] = "\(error.code)"
            logger.error("delivery.failed", metadata: metadata)
        case .expired(let error, _):
            metadata[LogKey.code.rawValue] = "\(error?.code ?? "deadline")"
            logger.error("delivery.expired", metadata: metadata)
        }
    }

    /// Fails the notice's other planned deliveries on the channel with `error` (covered by the
    /// alarm of the delivery that found the refusal); one `notice.refused` line.
    private func failNotice(of job: DeliveryJob, error: DeliveryErrorRecord) async -> Int {
        var failed = 0
        _ = await retryingLedger(channel: job.channel, during: "fail-notice") { () async throws(LedgerError) in
            failed = try await ledger.failNotice(
                case: job.caseID, revision: job.revision, kind: job.kind, channel: job.channel, error: error,
                at: clock.now())
        }
        logger.error(
            "notice.refused",
            metadata: .keys([
                .case: "\(job.caseID)", .channel: "\(job.channel.rawValue)", .kind: "\(job.kind.rawValue)",
                .code: .string(error.code), .count: "\(failed)",
            ]))
        for _ in 0..<failed { countMetrics(.failed(error, at: clock.now()), channel: job.channel, elapsed: nil) }
        return failed
    }

    /// What a send told the channel's gate.
    enum GateChange {
        case paused(ChannelAlarm)
        case resumed
    }

    /// One journal line when a channel pauses because its server is unreachable or refuses the
    /// channel (AUTH, MAIL FROM, HTTP 401/403/429/5xx…), one when a send gets through again;
    /// `mimamori_channel_paused{channel}` follows.
    private func pass(
        _ failure: DeliveryFailure?, to channelState: LockedChannelStateMachine, channel: Channel
    ) -> GateChange? {
        let now = clock.now()
        let reach: ChannelStateMachine.Reach
        if let failure, failure.asksToSlowDown {
            reach = .tooMany
        } else if let failure, failure.scope == .channel {
            reach = .unreachable(cause: failure.stage.map { "\(failure.code) at \($0)" } ?? "\(failure.code)")
        } else {
            reach = failure == nil ? .reachable : .unknown
        }
        switch channelState.update({ $0.sendReported(reach, now: now) }) {
        case .paused(let pause):
            guard let failure else { return nil }
            Gauge(label: "mimamori_channel_paused", dimensions: [("channel", channel.rawValue)]).record(1)
            let hint = failure.operatorHint.isEmpty ? "the server cannot be reached" : failure.operatorHint
            var metadata: Logger.Metadata = .keys([
                .channel: "\(channel.rawValue)", .code: "\(failure.code)", .delayMs: "\(pause.milliseconds)",
                .reason: .string(hint),
            ])
            if let stage = failure.stage { metadata[LogKey.stage.rawValue] = .string(stage) }
            logger.warning("channel.paused", metadata: metadata)
            return .paused(
                ChannelAlarm(
                    channel: channel, code: failure.code.rawValue, stage: failure.stage, operatorHint: hint, pausedAt: now))
        case .resumed(let down):
            Gauge(label: "mimamori_channel_paused", dimensions: [("channel", channel.rawValue)]).record(0)
            logger.notice("channel.resumed", metadata: .keys([.channel: "\(channel.rawValue)", .ms: "\(Int(down * 1000))"]))
            return .resumed
        case .slowed(let rate, let hold):
            var metadata: Logger.Metadata = .keys([
                .channel: "\(channel.rawValue)", .code: "\(failure?.code.rawValue ?? "-")", .rate: "\(Self.rateText(rate))",
                .delayMs: "\(hold.milliseconds)",
            ])
            if let stage = failure?.stage { metadata[LogKey.stage.rawValue] = .string(stage) }
            logger.warning("channel.slowed", metadata: metadata)
            return nil
        case .raised(let rate):
            logger.notice("channel.sped-up", metadata: .keys([.channel: "\(channel.rawValue)", .rate: "\(Self.rateText(rate))"]))
            return nil
        case .restored(let rate):
            logger.notice(
                "channel.sped-up",
                metadata: .keys([.channel: "\(channel.rawValue)", .rate: "\(rate.map(Self.rateText) ?? "unlimited")"]))
            return nil
        case nil:
            return nil
        }
    }
}
