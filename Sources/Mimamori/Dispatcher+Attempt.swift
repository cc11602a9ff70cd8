import Foundation
import Ledger
import Logging
import Metrics
import MimamoriCore

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

    /// Sends one claimed job and records the result; tells `gate` whether the server was reached.
    func attempt(_ job: DeliveryJob, through outlet: any Outlet, signal: WakeSignal? = nil, gate: ChannelGate? = nil) async {
        var metadata: Logger.Metadata = .keys([
            .case: "\(job.caseID)", .recipient: "\(job.recipient)", .channel: "\(job.channel.rawValue)",
            .kind: "\(job.kind.rawValue)", .attempt: "\(job.attempt)",
        ])
        let startedAt = clock.now()
        var elapsed: Duration? = nil
        let outcome: DeliveryOutcome
        let alarm: DeliveryAlarm?
        if startedAt > job.deadline {
            // Claimed after its deadline (the daemon was down, or a retry landed late).
            outcome = .expired(nil, at: startedAt)
            alarm = DeliveryAlarm(
                reason: .expired, caseID: job.caseID, deliveryID: job.id, recipient: job.recipient,
                channel: job.channel, kind: job.kind, attempts: job.attempt - 1, errorCode: nil,
                operatorHint: "the deadline passed before it could be sent", at: startedAt, resends: job.resends)
        } else {
            let started = ContinuousClock.now
            var failure: DeliveryFailure? = nil
            do throws(DeliveryFailure) {
                try await outlet.deliver(job)
            } catch {
                failure = error
            }
            let took = ContinuousClock.now - started
            elapsed = took
            metadata[LogKey.ms.rawValue] = "\(took.milliseconds)"
            (outcome, alarm) = Self.settle(
                job, failure: failure, now: clock.now(), policy: configuration.retry, unit: randomUnit())
            if let gate { pass(failure, to: gate, channel: job.channel) }
        }

        // Record; a busy or full disk may clear, so try a few times. If it never records, the
        // delivery stays `sending` and is resumed at the next start (sent again: at least once).
        var recorded = false
        for pause in [0, 100, 1000] {
            if pause > 0 { try? await Task.sleep(for: .milliseconds(pause)) }
            do throws(LedgerError) {
                try await ledger.record(outcome, for: job.id)
                recorded = true
                break
            } catch {
                logLedgerError(error, channel: job.channel, during: "record")
                if !error.isRetriable { break }
            }
        }

        switch outcome {
        case .delivered:
            logger.info("delivery.accepted", metadata: metadata)
        case .retry(let error, _, _):
            metadata[LogKey.code.rawValue] = "\(error.code)"
            logger.notice("delivery.retry", metadata: metadata)
            // Planned again with a new due time the channel loop has not seen.
            if recorded { signal?.signalWork() }
        case .failed(let error, _):
            metadata[LogKey.code.rawValue] = "\(error.code)"
            logger.error("delivery.failed", metadata: metadata)
        case .expired(let error, _):
            metadata[LogKey.code.rawValue] = "\(error?.code ?? "deadline")"
            logger.error("delivery.expired", metadata: metadata)
        }
        countMetrics(outcome, channel: job.channel, elapsed: elapsed)
        guard recorded else { return }
        onOutcome(job, outcome)
        // After the final state is recorded; the ledger owes the alarm until it is handed over
        // (a crash in between, or a refused alarm mail: `raiseOwedAlarms` sends it later).
        if let alarm { await raiseAndMark(alarm) }
    }

    /// One journal line when a channel pauses because its server is unreachable, one when it is
    /// reached again; `mimamori_channel_paused{channel}` follows.
    private func pass(_ failure: DeliveryFailure?, to gate: ChannelGate, channel: Channel) {
        let now = clock.now()
        if let failure, failure.code == .unreachable {
            let (pause, wasOpen) = gate.unreachable(at: now)
            guard wasOpen else { return }
            Gauge(label: "mimamori_channel_paused", dimensions: [("channel", channel.rawValue)]).record(1)
            logger.warning(
                "channel.paused",
                metadata: .keys([
                    .channel: "\(channel.rawValue)", .code: "\(failure.code)", .delayMs: "\(Int(pause * 1000))",
                    .reason: .string(failure.operatorHint.isEmpty ? "the server cannot be reached" : failure.operatorHint),
                ]))
        } else if failure == nil, let down = gate.reachable(at: now) {
            Gauge(label: "mimamori_channel_paused", dimensions: [("channel", channel.rawValue)]).record(0)
            logger.notice("channel.resumed", metadata: .keys([.channel: "\(channel.rawValue)", .ms: "\(Int(down * 1000))"]))
        }
    }
}
