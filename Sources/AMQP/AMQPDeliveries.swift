import Synchronization

/// The deliveries of one consumer, in order. The sequence finishes (returns nil) when the
/// connection closes or the iterating task is cancelled, and throws if the broker cancelled the
/// consumer. It survives reconnects: deliveries simply resume.
///
/// Not an `AsyncThrowingStream`, because on a lost connection or on close the deliveries still
/// buffered must be dropped, not handed out: their tags are dead and the broker already put the
/// messages back. The buffer is bounded by the prefetch count (the broker sends no more than
/// that many unacked messages).
///
/// Iterate it from one task at a time (several `for` loops one after another are fine). When
/// the iterating task is cancelled while waiting, or the sequence and its iterators are
/// dropped, the consumer is cancelled and the deliveries still buffered go back to the queue.
public struct AMQPDeliveries: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    let buffer: DeliveryBuffer
    private let lifetime: Lifetime

    init(buffer: DeliveryBuffer) {
        self.buffer = buffer
        self.lifetime = Lifetime(buffer: buffer)
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer, lifetime: lifetime) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: DeliveryBuffer
        let lifetime: Lifetime

        public mutating func next() async throws -> AMQPDelivery? {
            try await buffer.next()
        }
    }

    /// Shared by every copy of the sequence and its iterators; the last one gone abandons.
    final class Lifetime: Sendable {
        let buffer: DeliveryBuffer
        init(buffer: DeliveryBuffer) { self.buffer = buffer }
        deinit { buffer.abandon() }
    }
}

/// Shared between the connection thread (producer) and one iterating task (consumer).
final class DeliveryBuffer: Sendable {
    private struct State {
        var items: [AMQPDelivery] = []
        var head = 0
        var waiter: CheckedContinuation<AMQPDelivery?, any Error>?
        var end: Result<Void, AMQPError>?
    }

    private let state = Mutex(State())
    /// Called (once) when the iterating task is cancelled, with the tags of the deliveries
    /// still buffered, so the connection can cancel the consumer and requeue them.
    private let onAbandon: @Sendable (DeliveryBuffer, [AMQPDeliveryTag]) -> Void

    init(onAbandon: @escaping @Sendable (DeliveryBuffer, [AMQPDeliveryTag]) -> Void) {
        self.onAbandon = onAbandon
    }

    func yield(_ delivery: AMQPDelivery) {
        let waiter = state.withLock { s -> CheckedContinuation<AMQPDelivery?, any Error>? in
            guard s.end == nil else { return nil }
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.items.append(delivery)
            return nil
        }
        waiter?.resume(returning: delivery)
    }

    /// Forget buffered deliveries whose channel died; the broker requeued them already.
    func dropBuffered() {
        state.withLock { s in
            s.items.removeAll(keepingCapacity: true)
            s.head = 0
        }
    }

    /// Ends the sequence: `nil` after a clean close, the error if the consumer was cancelled.
    func finish(_ error: AMQPError? = nil) {
        let waiter = state.withLock { s -> CheckedContinuation<AMQPDelivery?, any Error>? in
            guard s.end == nil else { return nil }
            s.end = error.map { .failure($0) } ?? .success(())
            s.items.removeAll()
            s.head = 0
            defer { s.waiter = nil }
            return s.waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    var isFinished: Bool { state.withLock { $0.end != nil } }

    func next() async throws -> AMQPDelivery? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enum Outcome {
                    case item(AMQPDelivery)
                    case end(Result<Void, AMQPError>)
                    case wait
                }
                let outcome = state.withLock { s -> Outcome in
                    if s.head < s.items.count {
                        let item = s.items[s.head]
                        s.head += 1
                        if s.head == s.items.count {
                            s.items.removeAll(keepingCapacity: true)
                            s.head = 0
                        }
                        return .item(item)
                    }
                    if let end = s.end { return .end(end) }
                    if Task.isCancelled { return .end(.success(())) }
                    precondition(s.waiter == nil, "AMQPDeliveries supports one iterating task")
                    s.waiter = continuation
                    return .wait
                }
                switch outcome {
                case .item(let item): continuation.resume(returning: item)
                case .end(.success): continuation.resume(returning: nil)
                case .end(.failure(let error)): continuation.resume(throwing: error)
                case .wait: break
                }
            }
        } onCancel: {
            abandon()
        }
    }

    /// The consumer side is gone: end the sequence and hand the undelivered tags back.
    func abandon() {
        let (waiter, dropped, first) = state.withLock { s in
            let first = s.end == nil
            let dropped = first ? s.items[s.head...].map(\.tag) : []
            if first { s.end = .success(()) }
            s.items.removeAll()
            s.head = 0
            defer { s.waiter = nil }
            return (s.waiter, dropped, first)
        }
        waiter?.resume(returning: nil)
        if first { onAbandon(self, dropped) }
    }
}
