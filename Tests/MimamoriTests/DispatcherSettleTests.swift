import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

/// The dispatcher's pure decision after each attempt.
@Suite("Dispatcher settle")
struct DispatcherSettleTests {
    let policy = RetryPolicy(initialDelay: .seconds(10), maximumDelay: .seconds(60), jitter: 0, deadline: .seconds(600))
    let job = DeliveryJob(
        id: DeliveryID(rawValue: 7), caseID: CaseID("KN-1"), revision: 1, recipient: RecipientID("coop-1"),
        channel: .fax, kind: .alert, address: "0736-00-0000", idempotencyKey: "k", attempt: 2, notBefore: t0,
        deadline: t0.addingTimeInterval(600), drill: false, content: Data())

    @Test("success is delivered, no alarm")
    func success() {
        let (outcome, alarm) = Dispatcher.settle(job, failure: nil, now: t0, policy: policy, unit: 0)
        #expect(outcome == .delivered(at: t0))
        #expect(alarm == nil)
    }

    @Test("transient before the deadline: retry after the backoff, no alarm")
    func transient() {
        let (outcome, alarm) = Dispatcher.settle(
            job, failure: .transient(.deferred, "busy"), now: t0, policy: policy, unit: 0)
        #expect(outcome == .retry(.init(code: "deferred", summary: "busy"), at: t0, nextAttemptAt: t0.addingTimeInterval(20)))
        #expect(alarm == nil)
    }

    @Test("permanent: failed and one alarm")
    func permanent() {
        let (outcome, alarm) = Dispatcher.settle(
            job, failure: .permanent(.badAddress, "no such number", hint: "fix cooperators.csv"), now: t0, policy: policy,
            unit: 0)
        #expect(outcome == .failed(.init(code: "badAddress", summary: "no such number"), at: t0))
        #expect(alarm?.reason == .permanentFailure)
        #expect(alarm?.operatorHint == "fix cooperators.csv")
        #expect(alarm?.deliveryID == job.id)
    }

    @Test("transient whose next try would pass the deadline: expired and one alarm")
    func pastDeadline() {
        let now = t0.addingTimeInterval(590)
        let (outcome, alarm) = Dispatcher.settle(
            job, failure: .transient(.timeout, "no answer"), now: now, policy: policy, unit: 0)
        #expect(outcome == .expired(.init(code: "timeout", summary: "no answer"), at: now))
        #expect(alarm?.reason == .expired)
        #expect(alarm?.attempts == 2)
    }
}
