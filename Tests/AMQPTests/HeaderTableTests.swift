import CRabbitMQ
import Testing
import Timing

@testable import AMQP

/// Headers go into C memory for a publish and come back out of rabbitmq-c's pools on delivery;
/// the round trip through the C structures must keep every value.
@Suite struct HeaderTable {
    @Test func roundTrip() {
        let headers: [String: AMQPHeaderValue] = [
            "s": "テスト", "i": -42, "b": true, "d": .double(1.5), "x": .bytes([0, 1, 255]), "t": .timestamp(1_700_000_000),
            "a": .array(["one", 2, .array([])]), "n": .table(["inner": "v", "deeper": .table(["k": false])]), "v": .void,
            "empty": "",
        ]
        let storage = AMQPTableStorage(headers)
        #expect(AMQPDecode.table(storage.table) == headers)
        #expect(AMQPDecode.table(AMQPTableStorage([:]).table) == [:])
    }
}

@Suite struct Backoff {
    @Test func cappedExponentialWithJitter() {
        let backoff = AMQPConfiguration(reconnectInitialDelay: .milliseconds(100), reconnectMaxDelay: .seconds(2)).reconnectBackoff
        for (attempt, base) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1600), (6, 2000), (60, 2000)] {
            let delay = backoff.delay(afterAttempt: attempt, unit: .random(in: 0...1))
            #expect(delay <= .milliseconds(base))
            #expect(delay >= .milliseconds(base) * 0.75)
        }
    }
}

/// The publisher-confirm bookkeeping, without a broker: which callers a basic.ack/nack settles.
@Suite struct Confirms {
    final class Outcomes: @unchecked Sendable {
        // Only touched on the test's own task (completions run synchronously inside confirm()).
        var results: [UInt64: Result<Void, AMQPError>] = [:]
    }

    func engineWithPending(_ tags: ClosedRange<UInt64>, _ outcomes: Outcomes) -> AMQPEngine {
        let engine = AMQPEngine(
            worker: AMQPWorker(), configuration: AMQPConfiguration(), logger: .init(label: "test"), link: AMQPLinkState(onChange: nil),
            onFinished: {})
        for tag in tags {
            engine.pending[tag] = .init(
                exchange: "x", routingKey: "k", messageID: "\(tag)", mandatory: true, returned: nil,
                completion: { outcomes.results[tag] = $0 })
        }
        engine.nextPublishTag = tags.upperBound + 1
        return engine
    }

    @Test func multipleSingleNackAndReturn() {
        let outcomes = Outcomes()
        let engine = engineWithPending(1...6, outcomes)
        engine.pending[2]?.returned = AMQPError(.returned, "no route")

        engine.confirm(3, multiple: true, nacked: false)
        #expect(outcomes.results.keys.sorted() == [1, 2, 3])
        #expect((try? outcomes.results[1]?.get()) != nil)
        #expect(outcomes.results[2].map { if case .failure(let e) = $0 { e.code == .returned } else { false } } == true)
        #expect(engine.lowestUnconfirmed == 4)

        engine.confirm(5, multiple: false, nacked: true)
        #expect(outcomes.results[5].map { if case .failure(let e) = $0 { e.code == .nacked } else { false } } == true)
        #expect(engine.lowestUnconfirmed == 4, "4 is still open")

        engine.confirm(4, multiple: false, nacked: false)
        #expect(engine.lowestUnconfirmed == 6)
        engine.confirm(6, multiple: true, nacked: false)
        #expect(outcomes.results.count == 6)
        #expect(engine.pending.isEmpty)
        #expect(engine.lowestUnconfirmed == 7)
        engine.confirm(3, multiple: true, nacked: false)  // late duplicate: nothing to settle
        #expect(outcomes.results.count == 6)
    }
}
