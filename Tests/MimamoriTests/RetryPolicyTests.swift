import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(initialDelay: .seconds(5), maximumDelay: .seconds(60), multiplier: 2, jitter: 0.2, deadline: .seconds(3600))

    @Test("backoff doubles, is capped, and the jitter stays within its fraction")
    func backoff() {
        #expect(policy.delay(afterAttempt: 1, unit: 1) == .seconds(5))
        #expect(policy.delay(afterAttempt: 2, unit: 1) == .seconds(10))
        #expect(policy.delay(afterAttempt: 4, unit: 1) == .seconds(40))
        #expect(policy.delay(afterAttempt: 5, unit: 1) == .seconds(60))
        #expect(policy.delay(afterAttempt: 500, unit: 1) == .seconds(60))
        #expect(policy.delay(afterAttempt: 1, unit: 0) == .seconds(4))
        #expect(policy.delay(afterAttempt: 9, unit: 0) == .seconds(48))
    }

    @Test("transient retries, permanent stops, past the deadline gives up")
    func decisions() {
        let deadline = t0.addingTimeInterval(100)
        #expect(policy.decide(attempt: 1, isRetriable: true, now: t0, deadline: deadline, unit: 1) == .retry(at: t0.addingTimeInterval(5)))
        #expect(policy.decide(attempt: 1, isRetriable: false, now: t0, deadline: deadline, unit: 1) == .stop)
        #expect(policy.decide(attempt: 5, isRetriable: true, now: t0.addingTimeInterval(50), deadline: deadline, unit: 1) == .giveUp)
        #expect(policy.decide(attempt: 1, isRetriable: true, now: t0.addingTimeInterval(101), deadline: deadline, unit: 0) == .giveUp)
        #expect(policy.deadline(from: t0) == t0.addingTimeInterval(3600))
    }

    @Test("the jitter comes from the injected generator")
    func injectedRandom() {
        struct Fixed: RandomNumberGenerator {
            mutating func next() -> UInt64 { 0 }
        }
        var generator = Fixed()
        #expect(
            policy.decide(attempt: 1, isRetriable: true, now: t0, deadline: t0.addingTimeInterval(100), using: &generator)
                == .retry(at: t0.addingTimeInterval(4)))
    }
}
