import CRabbitMQ
import Logging
import Timing

#if canImport(Glibc)
    import Glibc
#endif

/// The connection thread's world: the live session (if any), consumers, publishes awaiting
/// their confirm, and the reconnect schedule. Not Sendable and never shared: it is created on
/// the connection thread and only jobs running there (`AMQPWorker.Job`) see it.
final class AMQPEngine {
    typealias Completion<T> = @Sendable (Result<T, AMQPError>) -> Void

    struct Consumer {
        var queue: String
        var buffer: DeliveryBuffer
    }

    struct PendingPublish {
        var exchange: String
        var routingKey: String
        var messageID: String?
        var mandatory: Bool
        var returned: AMQPError?
        var completion: Completion<Void>
    }

    let worker: AMQPWorker
    let configuration: AMQPConfiguration
    let logger: Logger
    let connectionID = AMQPGeneration.next()
    private let backoff: Backoff
    private let onFinished: @Sendable () -> Void
    private let link: AMQPLinkState

    var session: AMQPSession?
    /// Bumped whenever the consumer channel is (re)opened; stamped on every delivery so that an
    /// ack for a channel that no longer exists is refused instead of acking another message.
    var consumerGeneration: UInt64 = 0
    /// Delivery tags of the current consumer channel not yet acked or rejected: a second ack
    /// of the same tag would make the broker close the channel (406), so it is refused here.
    var unacked: Set<UInt64> = []
    var consumers: [String: Consumer] = [:]
    var nextConsumerNumber = 1
    /// Declared once successfully; declared again after every reconnect.
    var topologies: [AMQPTopology] = []

    /// Publisher confirms: delivery tags on the publisher channel count from 1 per channel.
    var pending: [UInt64: PendingPublish] = [:]
    var nextPublishTag: UInt64 = 1
    var lowestUnconfirmed: UInt64 = 1

    /// The node of `configuration.nodes` connected to last; a reconnect starts at the next one.
    private var nodeIndex = 0
    private var reconnectAttempt = 0
    private var nextReconnectAt: ContinuousClock.Instant?
    private var disconnectedAt: ContinuousClock.Instant?
    var lastInbound = ContinuousClock.now

    private(set) var closeRequested = false
    private var closeDeadline: ContinuousClock.Instant?
    private var closeWaiters: [@Sendable () -> Void] = []
    private(set) var finished = false

    /// How long `close()` waits for confirms of publishes already sent.
    static let closeGrace: Duration = .seconds(5)

    init(
        worker: AMQPWorker, configuration: AMQPConfiguration, logger: Logger, link: AMQPLinkState,
        onFinished: @escaping @Sendable () -> Void
    ) {
        self.link = link
        self.worker = worker
        self.configuration = configuration
        self.logger = logger
        self.backoff = configuration.reconnectBackoff
        self.onFinished = onFinished
    }

    // MARK: - The loop

    /// The connection thread's body: run jobs, read what the broker sent, then sleep in poll()
    /// on the socket and the wake-up eventfd, never longer than a quarter heartbeat so that
    /// heartbeats go out (rabbitmq-c only sends them from inside its calls).
    func run() {
        while !finished {
            for job in worker.takeJobs() { job(self) }
            if finished { break }
            if closeRequested, session == nil || pending.isEmpty || .now >= closeDeadline! {
                finish()
                break
            }
            if let session {
                do throws(AMQPError) {
                    if try drainInbound(session) { continue }  // more frames waiting
                    try checkInboundHeartbeat(session.heartbeat)
                } catch {
                    lose(error)
                    continue
                }
                waitForActivity(socket: session.socketFD, timeout: pollInterval(heartbeat: session.heartbeat))
            } else if let at = nextReconnectAt {
                let now = ContinuousClock.now
                if now >= at {
                    reconnect()
                } else {
                    waitForActivity(socket: nil, timeout: min(at - now, pollInterval(heartbeat: 0)))
                }
            } else {
                waitForActivity(socket: nil, timeout: pollInterval(heartbeat: 0))
            }
        }
    }

    private func pollInterval(heartbeat: Int) -> Duration {
        guard heartbeat > 0 else { return .seconds(1) }
        return max(.milliseconds(100), .seconds(heartbeat) / 4)
    }

    private func waitForActivity(socket: Int32?, timeout: Duration) {
        var fds = [pollfd(fd: worker.wakeFD, events: Int16(POLLIN), revents: 0)]
        if let socket, socket >= 0 { fds.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        let ms = Int32(clamping: timeout.milliseconds)
        let rc = poll(&fds, nfds_t(fds.count), max(ms, 0))
        if rc > 0, fds.count > 1, fds[1].revents != 0 { lastInbound = .now }
    }

    /// Backstop for the rule "no traffic for two heartbeats means dead". rabbitmq-c applies it
    /// too when `drainInbound` reads (its zero-timeout wait reports HEARTBEAT_TIMEOUT), but
    /// only from its own receive timestamps; this check does not depend on that detail.
    private func checkInboundHeartbeat(_ heartbeat: Int) throws(AMQPError) {
        guard heartbeat > 0 else { return }
        if ContinuousClock.now - lastInbound > .seconds(heartbeat * 2) {
            throw AMQPError(.connectionLost, "no heartbeat from the broker for \(heartbeat * 2) s")
        }
    }

    // MARK: - Connecting

    /// The first connection: its failure goes to the caller (wrong password, refused port)
    /// instead of into the reconnect loop.
    func connectInitially(topology: AMQPTopology?) -> Result<Void, AMQPError> {
        do throws(AMQPError) {
            let s = try openAnyNode(startingAt: 0)
            session = s
            consumerGeneration = AMQPGeneration.next()
            lastInbound = .now
            if let topology { try declare(topology, on: s) }
            logger.info("amqp.connected", metadata: .keys([.broker: "\(configuration.at(configuration.nodes[nodeIndex]))"]))
            link.set(true)
            return .success(())
        } catch {
            session?.close()  // e.g. a refused declaration: say goodbye properly
            session = nil
            return .failure(error)
        }
    }

    /// The session died (socket error, broker closed it, heartbeats stopped): fail what cannot
    /// complete any more and schedule a reconnect.
    func lose(_ error: AMQPError) {
        guard session != nil else { return }
        session = nil  // frees the C state and the socket
        unacked.removeAll()
        consumerGeneration = AMQPGeneration.next()
        for consumer in consumers.values { consumer.buffer.dropBuffered() }
        failPending(AMQPError(.connectionLost, "connection lost before the broker confirmed: \(error.message)"))
        disconnectedAt = .now
        link.set(false)
        if closeRequested { return }
        logger.warning("amqp.connection-lost", metadata: .keys([.error: "\(error)"]))
        reconnectAttempt = 0
        scheduleReconnect()
    }

    private func scheduleReconnect() {
        reconnectAttempt += 1
        let delay = backoff.delay(afterAttempt: reconnectAttempt, unit: .random(in: 0...1))
        nextReconnectAt = .now + delay
        logger.info(
            "amqp.reconnecting", metadata: .keys([.attempt: "\(reconnectAttempt)", .delayMs: "\(delay.milliseconds)"]))
    }

    private func reconnect() {
        nextReconnectAt = nil
        do throws(AMQPError) {
            // The node that was lost is tried last: a cluster's other nodes carry on without it.
            let s = try openAnyNode(startingAt: nodeIndex + 1)
            session = s
            consumerGeneration = AMQPGeneration.next()
            lastInbound = .now
            for topology in topologies { try declare(topology, on: s) }
            try subscribeAll(on: s)
            let downtime = disconnectedAt.map { ContinuousClock.now - $0 } ?? .zero
            logger.info(
                "amqp.reconnected",
                metadata: .keys([
                    .attempt: "\(reconnectAttempt)", .downtimeMs: "\(downtime.milliseconds)",
                    .node: "\(configuration.nodes[nodeIndex])",
                ]))
            reconnectAttempt = 0
            link.set(true)
        } catch {
            session = nil
            logger.warning("amqp.reconnect-failed", metadata: .keys([.attempt: "\(reconnectAttempt)", .error: "\(error)"]))
            scheduleReconnect()
        }
    }

    /// Opens a session on the first node that answers, in turn from `start` (wrapping round);
    /// throws the first node's error when none does (a wrong password is wrong on every node).
    private func openAnyNode(startingAt start: Int) throws(AMQPError) -> AMQPSession {
        let nodes = configuration.nodes
        var first: AMQPError?
        for offset in 0..<nodes.count {
            let index = (start + offset) % nodes.count
            do throws(AMQPError) {
                let s = try AMQPSession.open(configuration.at(nodes[index]))
                nodeIndex = index
                return s
            } catch {
                if nodes.count > 1 {
                    logger.warning("amqp.node-unreachable", metadata: .keys([.node: "\(nodes[index])", .error: "\(error)"]))
                }
                if first == nil { first = error }
            }
        }
        throw first!
    }

    /// Runs `body` against the live session; a failure that broke the connection (rather than
    /// only a channel) triggers the reconnect.
    func withSession<T>(_ context: String, _ body: (AMQPSession) throws(AMQPError) -> T) -> Result<T, AMQPError> {
        guard !finished else { return .failure(AMQPError(.closed, "\(context): the connection is closed")) }
        guard let s = session else {
            return .failure(AMQPError(.connectionLost, "\(context): not connected, reconnecting"))
        }
        do throws(AMQPError) {
            return .success(try body(s))
        } catch {
            if s.isBroken { lose(error) }
            return .failure(error)
        }
    }

    // MARK: - Closing

    /// Stops deliveries at once, lets confirms of publishes already sent arrive (for up to
    /// `closeGrace`), then closes the channels — which returns unacked messages to the queue.
    func requestClose(_ done: @escaping @Sendable () -> Void) {
        guard !finished else { return done() }
        closeWaiters.append(done)
        guard !closeRequested else { return }
        closeRequested = true
        closeDeadline = .now + Self.closeGrace
        for consumer in consumers.values { consumer.buffer.finish() }
    }

    private func finish() {
        if let s = session {
            s.close()
            session = nil
        }
        failPending(AMQPError(.closed, "the connection was closed before the broker confirmed"))
        for consumer in consumers.values { consumer.buffer.finish() }
        consumers.removeAll()
        finished = true
        link.set(false)
        for job in worker.stop() { job(self) }  // each sees `finished` and fails its caller
        logger.info("amqp.closed")
        for waiter in closeWaiters { waiter() }
        closeWaiters.removeAll()
        onFinished()
    }

    /// When the initial connect fails: the thread ends without ever having been connected.
    func abandon() {
        finished = true
        for job in worker.stop() { job(self) }
        onFinished()
    }
}
