import Foundation
import Testing

@testable import MimamoriService
@testable import MimamoriDaemon

@Suite("ChannelGate: pause and probe")
struct ChannelGateTests {
    @Test("the pause grows only with failed probes (1, 2, 4, 8, then 15 s); sends that fail during a pause do not lengthen it; the first success opens the channel")
    func pausesGrowWithFailedProbes() {
        let gate = ChannelGate()
        #expect(gate.pausedUntil == nil)
        #expect(gate.reachable(at: t0) == nil, "an open channel stays open")

        // The first failure pauses; the others in flight when it happened change nothing.
        #expect(gate.unreachable(at: t0) == (1, true))
        for late in [0.1, 0.5, 0.9] {
            #expect(gate.unreachable(at: t0.addingTimeInterval(late)).wasOpen == false)
        }
        #expect(gate.pausedUntil == t0.addingTimeInterval(1))

        // Each failed probe (at or after the end of the pause) pauses longer, up to 15 s.
        var now = t0.addingTimeInterval(1)
        var pauses: [TimeInterval] = []
        for _ in 0..<7 {
            let (pause, wasOpen) = gate.unreachable(at: now)
            #expect(!wasOpen)
            pauses.append(pause)
            now = now.addingTimeInterval(pause)
        }
        #expect(pauses == [2, 4, 8, 15, 15, 15, 15])

        // A send gets through: open again, and it says how long the channel was down.
        #expect(gate.reachable(at: now) == now.timeIntervalSince(t0))
        #expect(gate.pausedUntil == nil)
        #expect(gate.unreachable(at: now) == (1, true), "a new outage starts from the shortest pause")
    }
}
