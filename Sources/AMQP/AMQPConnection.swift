import Logging

/// A connection to RabbitMQ: consume, ack, publish with confirms, declare topology. It
/// reconnects by itself (capped exponential backoff with jitter), declares the topology again
/// and resumes its consumers; `close()` (or a graceful shutdown, see `run()`) ends it.
///
/// All methods may be called from any task. Each connection has its own thread for rabbitmq-c
/// (see `AMQPWorker`); calls are jobs for that thread, so nothing here blocks the caller's
/// executor.
///
/// Publishing: `publish` returns once the broker confirmed the message. A publish in flight
/// when the connection drops fails with a retriable `connectionLost` (it may or may not have
/// reached the broker: republish with the same message id and let the consumer de-duplicate);
/// a publish while reconnecting fails at once the same way. It is not retried here, because
/// only the caller knows whether a late duplicate is acceptable.
public final class AMQPConnection: Sendable {
    let worker: AMQPWorker
    public let configuration: AMQPConfiguration
    private let finished: FinishedSignal
    private let link: AMQPLinkState

    private init(worker: AMQPWorker, configuration: AMQPConfiguration, finished: FinishedSignal, link: AMQPLinkState) {
        self.worker = worker
        self.configuration = configuration
        self.finished = finished
        self.link = link
    }

    /// Whether the connection is up now (false while it reconnects and after it closed).
    public var isConnected: Bool { link.isUp }

    /// Connects and logs in (and declares `topology`, if given). A failure here is thrown, not
    /// retried: a wrong password or URL should stop the daemon's start with a clear message;
    /// after this succeeded, connection losses are handled by reconnecting.
    ///
    /// `onConnectionChange` hears every change of `isConnected` (true after this connect, false
    /// when the connection is lost, true when it is back), on the connection thread: keep it quick.
    public static func connect(
        _ configuration: AMQPConfiguration, topology: AMQPTopology? = nil, logger: Logger,
        onConnectionChange: (@Sendable (Bool) -> Void)? = nil
    ) async throws(AMQPError) -> AMQPConnection {
        let worker = AMQPWorker()
        let finished = FinishedSignal()
        let link = AMQPLinkState(onChange: onConnectionChange)
        let result: Result<Void, AMQPError> = await withCheckedContinuation { continuation in
            worker.start(name: "amqp-\(configuration.port)") {
                let engine = AMQPEngine(
                    worker: worker, configuration: configuration, logger: logger, link: link,
                    onFinished: { finished.signal() })
                let result = engine.connectInitially(topology: topology)
                continuation.resume(returning: result)
                if case .success = result { engine.run() } else { engine.abandon() }
            }
        }
        try result.get()
        return AMQPConnection(worker: worker, configuration: configuration, finished: finished, link: link)
    }

    /// Hands `body` to the connection thread and waits for its completion.
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (AMQPEngine, @escaping AMQPEngine.Completion<T>) -> Void
    ) async throws(AMQPError) -> T {
        let result: Result<T, AMQPError> = await withCheckedContinuation { continuation in
            let accepted = worker.submit { engine in
                body(engine) { continuation.resume(returning: $0) }
            }
            if !accepted {
                continuation.resume(returning: .failure(AMQPError(.closed, "the connection is closed")))
            }
        }
        return try result.get()
    }

    // MARK: Topology

    /// Declares (or checks, when `topology.passive`) exchanges, queues and bindings; they are
    /// declared again after every reconnect.
    public func declare(_ topology: AMQPTopology) async throws(AMQPError) {
        try await perform { engine, done in
            done(engine.withSession("declare") { session throws(AMQPError) in try engine.declare(topology, on: session) })
        }
    }

    /// Number of ready messages in `queue` (passive declare); 404 `notFound` if it is missing.
    public func messageCount(queue: String) async throws(AMQPError) -> Int {
        try await perform { engine, done in
            done(
                engine.withSession("check queue") { session throws(AMQPError) in
                    Int(try engine.declareQueue(AMQPTopology.Queue(name: queue), passive: true, on: session))
                })
        }
    }

    /// Deletes a queue and/or an exchange (for tests and tools; the daemon never deletes).
    public func delete(queue: String? = nil, exchange: String? = nil) async throws(AMQPError) {
        try await perform { engine, done in
            done(
                engine.withSession("delete") { session throws(AMQPError) in
                    try engine.delete(queue: queue, exchange: exchange, on: session)
                })
        }
    }

    // MARK: Consuming

    /// Starts consuming `queue` with manual acks and the configured prefetch. The sequence
    /// finishes when the connection closes (or the iterating task is cancelled) and keeps going
    /// across reconnects. Throws `notFound` if the queue does not exist, and a retriable
    /// `connectionLost` while the connection is being re-established.
    public func consume(queue: String) async throws(AMQPError) -> AMQPDeliveries {
        let worker = self.worker
        let buffer = DeliveryBuffer { buffer, dropped in
            worker.submit { engine in engine.abandon(buffer, dropped: dropped) }
        }
        try await perform { engine, done in done(engine.consume(queue: queue, buffer: buffer)) }
        return AMQPDeliveries(buffer: buffer)
    }

    /// Acknowledges one delivery. Throws `staleDeliveryTag` if it came over a channel that is
    /// gone (the broker will deliver the message again) or was acked already.
    public func ack(_ tag: AMQPDeliveryTag) async throws(AMQPError) {
        try await perform { engine, done in done(engine.acknowledge(tag, reject: false, requeue: false)) }
    }

    public func ack(_ delivery: AMQPDelivery) async throws(AMQPError) {
        try await ack(delivery.tag)
    }

    /// Rejects one delivery; without requeue, the queue's dead-letter exchange receives it
    /// (without a reason: prefer `deadLetter(_:reason:)`).
    public func reject(_ tag: AMQPDeliveryTag, requeue: Bool) async throws(AMQPError) {
        try await perform { engine, done in done(engine.acknowledge(tag, reject: true, requeue: requeue)) }
    }

    public func reject(_ delivery: AMQPDelivery, requeue: Bool) async throws(AMQPError) {
        try await reject(delivery.tag, requeue: requeue)
    }

    // MARK: Publishing

    /// Publishes and returns once the broker confirmed. Throws `nacked`, `returned` (mandatory
    /// and no queue bound), or a retriable `connectionLost` (see the type's notes). Cancelling
    /// the calling task does not withdraw a message already handed to the connection; the call
    /// still waits for the broker's answer (or the connection's loss).
    public func publish(
        exchange: String, routingKey: String, body: [UInt8], headers: [String: AMQPHeaderValue] = [:],
        messageID: String? = nil, contentType: String? = nil, userID: String? = nil, persistent: Bool = true,
        mandatory: Bool = true
    ) async throws(AMQPError) {
        let request = AMQPEngine.PublishRequest(
            exchange: exchange, routingKey: routingKey, body: body, headers: headers, messageID: messageID,
            contentType: contentType, userID: userID, persistent: persistent, mandatory: mandatory)
        try await perform { engine, done in engine.publish(request, completion: done) }
    }

    // MARK: Closing

    /// Ends deliveries, waits (up to 5 s) for confirms of publishes already sent, then closes
    /// the channels — unacked messages go back to the queue — and the connection. Idempotent.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let accepted = worker.submit { engine in
                engine.requestClose { continuation.resume() }
            }
            if !accepted { continuation.resume() }
        }
        await waitUntilFinished()
    }

    /// Starts `close()` without waiting for it.
    public func beginClose() {
        worker.submit { engine in engine.requestClose {} }
    }

    /// Returns once the connection thread has finished (after `close()` or a failed connect).
    public func waitUntilFinished() async {
        await finished.wait()
    }

    /// A connection nobody holds any more must not keep its thread and socket: close it.
    /// (The thread holds the worker and the signal, never the connection, so this runs.)
    deinit {
        worker.submit { engine in engine.requestClose {} }
    }
}
