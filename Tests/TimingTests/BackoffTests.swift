import Testing
import Timing

@Suite("Backoff: one schedule type for every wait before trying again")
struct BackoffTests {
    @Test("explicit steps: the n-th wait is the n-th step, the last one repeats")
    func steps() {
        let backoff = Backoff.steps([1, 2, 4, 8, 15].map { .seconds($0) })
        #expect((1...8).map { backoff.delay(afterAttempt: $0) } == [1, 2, 4, 8, 15, 15, 15, 15].map { .seconds($0) })
        #expect(backoff.delay(afterAttempt: 0) == .seconds(1), "before any failure: the first step")
    }

    @Test("exponential: multiplied each time, capped, to the millisecond")
    func exponential() {
        let backoff = Backoff.exponential(initial: .milliseconds(250), maximum: .seconds(10))
        #expect(
            (1...8).map { backoff.delay(afterAttempt: $0) } == [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000].map { .milliseconds($0) })
        #expect(backoff.delay(afterAttempt: 5000) == .seconds(10), "a huge exponent stays at the cap")
        let triple = Backoff.exponential(initial: .seconds(1), multiplier: 3, maximum: .seconds(60))
        #expect((1...5).map { triple.delay(afterAttempt: $0) } == [1, 3, 9, 27, 60].map { .seconds($0) })
    }

    @Test("the jitter shortens each wait by at most its fraction, drawn from the caller's unit")
    func jitter() {
        let backoff = Backoff.exponential(initial: .seconds(5), maximum: .seconds(60), jitter: 0.2)
        #expect(backoff.delay(afterAttempt: 1, unit: 1) == .seconds(5))
        #expect(backoff.delay(afterAttempt: 1, unit: 0) == .seconds(4))
        #expect(backoff.delay(afterAttempt: 9, unit: 0) == .seconds(48))
        #expect(backoff.delay(afterAttempt: 1, unit: 7) == .seconds(5), "a unit out of 0 … 1 is clamped")
        let steps = Backoff.steps([.seconds(10)], jitter: 0.5)
        #expect(steps.delay(afterAttempt: 3, unit: 0) == .seconds(5))
        #expect(Backoff.steps([.seconds(1)], jitter: 3).jitter == 1)
    }
}

@Suite("Duration: the one conversion to seconds keeps the fraction")
struct DurationConversionTests {
    @Test("1.5 s is 1.5 seconds, 1500 ms, 1 500 000 µs")
    func fraction() {
        let duration = Duration.milliseconds(1500)
        #expect(duration.inSeconds == 1.5)
        #expect(duration.milliseconds == 1500)
        #expect(duration.microseconds == 1_500_000)
        #expect(duration.nanoseconds == 1_500_000_000)
        #expect(Duration.seconds(4 * 3600).inSeconds == 14_400)
        #expect(Duration.microseconds(250).inSeconds == 0.000_25)
    }
}
