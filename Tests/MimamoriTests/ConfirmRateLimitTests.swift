import Testing

@testable import MimamoriDaemon

/// The confirmation endpoint's limits, stepped through windows with instants the test chooses.
@Suite("confirm endpoint: per-client and unknown-code limits")
struct ConfirmRateLimitTests {
    let t0 = ContinuousClock.now

    @Test("a client gets perClient requests per window, then Retry-After until its window ends; others are not held")
    func perClient() {
        var limit = ConfirmRateLimit(limits: .init(perClient: 3, unknownCodes: 100, window: .seconds(60)))
        for i in 0..<3 { #expect(limit.admit(client: "203.0.113.5", at: t0 + .seconds(i)) == .admit) }
        #expect(limit.admit(client: "203.0.113.5", at: t0 + .seconds(10)) == .refuse(retryAfter: .seconds(50)))
        #expect(limit.admit(client: "198.51.100.7", at: t0 + .seconds(10)) == .admit)
        // A refused request is not counted: the window ends when it began plus 60 s.
        #expect(limit.admit(client: "203.0.113.5", at: t0 + .seconds(59)) == .refuse(retryAfter: .seconds(1)))
        #expect(limit.admit(client: "203.0.113.5", at: t0 + .seconds(60)) == .admit)
        #expect(limit.admit(client: "203.0.113.5", at: t0 + .seconds(61)) == .admit)
    }

    @Test("past the unknown-code cap every code request waits, from every client, until the window passes")
    func unknownCodes() {
        var limit = ConfirmRateLimit(limits: .init(perClient: 1000, unknownCodes: 5, window: .seconds(60)))
        for i in 0..<5 {
            #expect(limit.admit(client: "client-\(i)", at: t0 + .seconds(i)) == .admit)
            limit.answeredUnknown(at: t0 + .seconds(i))
        }
        // A guesser spread over many addresses is held; so is a cooperator with a real code
        // (answering only real codes would tell the guesser which are real).
        #expect(limit.admit(client: "client-new", at: t0 + .seconds(20)) == .refuse(retryAfter: .seconds(40)))
        #expect(limit.admit(client: "client-0", at: t0 + .seconds(30)) == .refuse(retryAfter: .seconds(30)))
        #expect(limit.admit(client: "client-new", at: t0 + .seconds(60)) == .admit)
        // The next window counts afresh.
        limit.answeredUnknown(at: t0 + .seconds(61))
        #expect(limit.admit(client: "client-new", at: t0 + .seconds(62)) == .admit)
    }

    @Test("the remembered clients stay bounded: expired windows go first, then the oldest")
    func boundedMemory() {
        var limit = ConfirmRateLimit(limits: .init(perClient: 1, unknownCodes: 100, window: .seconds(60), clients: 4))
        for i in 0..<4 { #expect(limit.admit(client: "c\(i)", at: t0 + .seconds(i)) == .admit) }
        #expect(limit.rememberedClients == 4)
        // c0 is forgotten (the oldest) to make room for c4; the others are still held.
        #expect(limit.admit(client: "c4", at: t0 + .seconds(10)) == .admit)
        #expect(limit.rememberedClients == 4)
        #expect(limit.admit(client: "c3", at: t0 + .seconds(11)) == .refuse(retryAfter: .seconds(52)))
        // After the window every old entry is expired and dropped at once.
        #expect(limit.admit(client: "c9", at: t0 + .seconds(200)) == .admit)
        #expect(limit.rememberedClients == 1)
    }

    @Test("Retry-After is whole seconds, rounded up, at least 1")
    func retryAfterSeconds() {
        #expect(ConfirmRateLimit.retryAfterSeconds(.seconds(40)) == 40)
        #expect(ConfirmRateLimit.retryAfterSeconds(.milliseconds(40_200)) == 41)
        #expect(ConfirmRateLimit.retryAfterSeconds(.milliseconds(10)) == 1)
        #expect(ConfirmRateLimit.retryAfterSeconds(.zero) == 1)
    }
}
