import Foundation
import Ledger
import Logging
import MimamoriCore

extension Dispatcher {
    /// Raises an alarm and, once it is handed over, tells the ledger it is no longer owed.
    /// Returns whether it was handed over.
    ///
    /// An alarm in hand elsewhere (the attempt that owes it holds it from before its commit until
    /// `markAlarmed`) is left to that holder, so the owed-alarm pass never raises it twice.
    /// `inHand`: the caller holds it already.
    @discardableResult
    func raiseAndMark(_ alarm: DeliveryAlarm, inHand: Bool = false) async -> Bool {
        if !inHand {
            guard alarmsInHand.withLock({ $0.insert(alarm.deliveryID).inserted }) else { return true }
        }
        defer { if !inHand { _ = alarmsInHand.withLock { $0.remove(alarm.deliveryID) } } }
        guard await self.alarm.raise(alarm) else { return false }
        do throws(LedgerError) {
            try await ledger.markAlarmed(alarm.deliveryID, at: clock.now())
        } catch {
            // Raised again at the next look (the mail keeps its Message-ID).
            logLedgerError(error, channel: alarm.channel, during: "mark-alarmed")
        }
        return true
    }

    /// The alarm of a pause: raised once; kept in memory while the alarm relay refuses it.
    func raiseChannelAlarm(_ alarm: ChannelAlarm) async {
        guard await self.alarm.raise(alarm) == false else { return }
        owedChannelAlarms.withLock { owed in
            // Bounded: a channel flapping for hours owes its most recent pauses, not all of them.
            if owed.count >= 16 { owed.removeFirst() }
            owed.append(alarm)
        }
    }

    /// Raises the pause alarms still owed, oldest first; those refused again stay owed.
    func raiseOwedChannelAlarms() async {
        let owed = owedChannelAlarms.withLock { owed in
            defer { owed.removeAll() }
            return owed
        }
        guard !owed.isEmpty else { return }
        var left: [ChannelAlarm] = []
        for (index, alarm) in owed.enumerated() {
            // The relay refused one: the others would fare no better now.
            guard await self.alarm.raise(alarm) else {
                left = Array(owed[index...])
                break
            }
        }
        guard !left.isEmpty else { return }
        owedChannelAlarms.withLock { owed in owed.insert(contentsOf: left, at: 0) }
    }

    /// Raises the alarms the ledger still owes: at start everything that ended before it (a crash
    /// between a final state and its alarm), then every `alarmRetryInterval` what ended at least
    /// that long ago (an alarm mail the relay did not take).
    func raiseOwedAlarms() async {
        var finishedBefore = clock.now()
        while !stopping.load(ordering: .sequentiallyConsistent) && !Task.isCancelled {
            do throws(LedgerError) {
                let owed = try await ledger.pendingAlarms(finishedBefore: finishedBefore)
                if !owed.isEmpty { logger.notice("alarm.owed", metadata: .keys([.count: "\(owed.count)"])) }
                for pending in owed {
                    // The relay refused one: the others would fare no better now, and each try
                    // is a journal line. The next look starts again with the oldest.
                    guard await raiseAndMark(Self.alarm(for: pending)) else { break }
                }
            } catch {
                logLedgerError(error, channel: nil, during: "pending-alarms")
            }
            await raiseOwedChannelAlarms()
            do {
                try await clock.sleep(until: clock.now().adding(configuration.alarmRetryInterval))
            } catch {
                return
            }
            finishedBefore = clock.now().adding(.zero - configuration.alarmRetryInterval)
        }
    }

    /// A delivery the start found back from more than `Ledger.crashLoopLimit` crashes: failed,
    /// so the rest of its channel goes on.
    func logCrashLoop(_ failed: PendingAlarm) {
        logger.error(
            "delivery.failed",
            metadata: .keys([
                .case: "\(failed.caseID)", .recipient: "\(failed.recipient)", .channel: "\(failed.channel.rawValue)",
                .kind: "\(failed.kind.rawValue)", .attempt: "\(failed.attempts)", .code: .string(DeliveryErrorRecord.crashLoopCode),
                .delivery: "\(failed.deliveryID)",
            ]))
    }

    static func alarm(for pending: PendingAlarm) -> DeliveryAlarm {
        if pending.errorCode == DeliveryErrorRecord.crashLoopCode {
            return DeliveryAlarm(
                reason: .permanentFailure, caseID: pending.caseID, deliveryID: pending.deliveryID,
                recipient: pending.recipient, channel: pending.channel, kind: pending.kind, attempts: pending.attempts,
                errorCode: pending.errorCode,
                operatorHint: "the daemon stopped (crashed or was killed) \(Ledger.crashLoopLimit + 1) times while this "
                    + "delivery was claimed: it was given up so the rest of the channel goes on; check the journal "
                    + "around those stops, then `mimamori resend \(pending.caseID) --recipient \(pending.recipient)`",
                at: pending.finishedAt, resends: pending.resends)
        }
        if let code = pending.errorCode, FaxLineCode.all.contains(code) {
            let what =
                code == FaxLineCode.failed
                ? "the FAX service gave up on the number (not a FAX machine, or the transfer broke off)"
                : "the FAX service found the number engaged or unanswered at every try"
            return DeliveryAlarm(
                reason: .permanentFailure, caseID: pending.caseID, deliveryID: pending.deliveryID,
                recipient: pending.recipient, channel: pending.channel, kind: pending.kind, attempts: pending.attempts,
                errorCode: code,
                operatorHint: "accepted, but not transmitted: \(what); phone the institution (is its FAX on, with paper?), "
                    + "then `mimamori resend \(pending.caseID) --recipient \(pending.recipient)`",
                at: pending.finishedAt, resends: pending.resends)
        }
        return DeliveryAlarm(
            reason: pending.state == .expired ? .expired : .permanentFailure, caseID: pending.caseID,
            deliveryID: pending.deliveryID, recipient: pending.recipient, channel: pending.channel, kind: pending.kind,
            attempts: pending.attempts, errorCode: pending.errorCode,
            operatorHint: "raised after a restart or a failed alarm mail; `mimamori report \(pending.caseID)` shows the last error",
            at: pending.finishedAt, resends: pending.resends)
    }
}
