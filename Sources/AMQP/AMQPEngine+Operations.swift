import CRabbitMQ

/// The jobs callers submit: publish, consume, ack/reject, declare. Each runs on the connection
/// thread and reports through its completion exactly once.
extension AMQPEngine {
    struct PublishRequest: Sendable {
        var exchange: String
        var routingKey: String
        var body: [UInt8]
        var headers: [String: AMQPHeaderValue]
        var messageID: String?
        var contentType: String?
        var userID: String?
        var persistent: Bool
        var mandatory: Bool
    }

    /// Sends the message and parks the completion until the broker's confirm arrives; many
    /// publishes are therefore in flight at once (pipelined), not one round trip each.
    func publish(_ request: PublishRequest, completion: @escaping Completion<Void>) {
        guard !closeRequested else {
            return completion(.failure(AMQPError(.closed, "publish after close()")))
        }
        let sent: Result<Void, AMQPError> = withSession("publish") { session throws(AMQPError) in
            guard session.isOpen(AMQPSession.publisherChannel) else {
                throw AMQPError(.channelClosed, "the publisher channel is reopening")
            }
            let storage = AMQPTableStorage(request.headers)
            var properties = amqp_basic_properties_t()
            properties._flags = AMQPFlags.deliveryMode
            properties.delivery_mode = request.persistent ? 2 : 1
            if let contentType = request.contentType {
                properties._flags |= AMQPFlags.contentType
                properties.content_type = storage.bytes(contentType)
            }
            if let messageID = request.messageID {
                properties._flags |= AMQPFlags.messageID
                properties.message_id = storage.bytes(messageID)
            }
            if let userID = request.userID {
                properties._flags |= AMQPFlags.userID
                properties.user_id = storage.bytes(userID)
            }
            if !request.headers.isEmpty {
                properties._flags |= AMQPFlags.headers
                properties.headers = storage.table
            }
            let exchange = storage.bytes(request.exchange)
            let routingKey = storage.bytes(request.routingKey)
            let rc = request.body.withUnsafeBytes { body in
                amqp_basic_publish(
                    session.state, AMQPSession.publisherChannel, exchange, routingKey,
                    request.mandatory ? 1 : 0, 0, &properties,
                    amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
            }
            withExtendedLifetime(storage) {}
            guard rc == AMQP_STATUS_OK.rawValue else { throw session.failure(rc, "publish") }
        }
        switch sent {
        case .success:
            pending[nextPublishTag] = PendingPublish(
                exchange: request.exchange, routingKey: request.routingKey, messageID: request.messageID,
                mandatory: request.mandatory, returned: nil, completion: completion)
            nextPublishTag += 1
        case .failure(let error):
            completion(.failure(error))
        }
    }

    func acknowledge(_ tag: AMQPDeliveryTag, reject: Bool, requeue: Bool) -> Result<Void, AMQPError> {
        let verb = reject ? "reject" : "ack"
        guard tag.connectionID == connectionID else {
            return .failure(
                AMQPError(
                    .staleDeliveryTag, "\(verb) of delivery \(tag) from another connection", isRetriable: false,
                    operatorHint: "a bug: ack a delivery on the connection that delivered it"))
        }
        // Checked before the session: while reconnecting, the answer is still "stale".
        guard tag.generation == consumerGeneration, !finished else {
            return .failure(
                AMQPError(
                    .staleDeliveryTag,
                    "\(verb) of delivery \(tag): the channel that delivered it is gone; the broker redelivers the message"))
        }
        return withSession(verb) { session throws(AMQPError) in
            guard unacked.remove(tag.value) != nil else {
                throw AMQPError(
                    .staleDeliveryTag, "\(verb) of delivery \(tag): already acked or rejected", isRetriable: false,
                    operatorHint: "a bug: each delivery is acked or rejected once")
            }
            let rc =
                reject
                ? amqp_basic_reject(session.state, AMQPSession.consumerChannel, tag.value, requeue ? 1 : 0)
                : amqp_basic_ack(session.state, AMQPSession.consumerChannel, tag.value, 0)
            guard rc == AMQP_STATUS_OK.rawValue else { throw session.failure(rc, verb) }
        }
    }

    /// Registers a consumer; it is subscribed now if connected, else on reconnect, and again
    /// after every reconnect.
    func consume(queue: String, buffer: DeliveryBuffer) -> Result<Void, AMQPError> {
        guard !closeRequested else { return .failure(AMQPError(.closed, "consume after close()")) }
        let tag = "consumer-\(nextConsumerNumber)"
        nextConsumerNumber += 1
        let result: Result<Void, AMQPError> = withSession("consume \(queue)") { session throws(AMQPError) in
            // Checked on the RPC channel first: a missing queue then costs that channel only,
            // not the consumer channel with everyone's unacked deliveries.
            try declareQueue(AMQPTopology.Queue(name: queue), passive: true, on: session)
            try subscribe(tag: tag, queue: queue, on: session)
        }
        if case .success = result { consumers[tag] = Consumer(queue: queue, buffer: buffer) }
        return result
    }

    /// The iterating task went away (cancelled, or the sequence was dropped): stop the
    /// consumer and give back what it held, so other consumers (or a later one) get it.
    func abandon(_ buffer: DeliveryBuffer, dropped: [AMQPDeliveryTag]) {
        guard let tag = consumers.first(where: { $0.value.buffer === buffer })?.key else { return }
        _ = withSession("cancel consumer") { session throws(AMQPError) in
            try cancelConsumer(tag: tag, session)
            for delivery in dropped where delivery.generation == consumerGeneration && unacked.remove(delivery.value) != nil {
                let rc = amqp_basic_reject(session.state, AMQPSession.consumerChannel, delivery.value, 1)
                guard rc == AMQP_STATUS_OK.rawValue else { throw session.failure(rc, "reject") }
            }
        }
        consumers.removeValue(forKey: tag)
    }

    func cancelConsumer(tag: String, _ session: AMQPSession) throws(AMQPError) {
        consumers.removeValue(forKey: tag)
        let storage = AMQPTableStorage([:])
        _ = amqp_basic_cancel(session.state, AMQPSession.consumerChannel, storage.bytes(tag))
        try session.check(amqp_get_rpc_reply(session.state), "basic.cancel", channel: AMQPSession.consumerChannel)
    }

    func subscribeAll(on session: AMQPSession) throws(AMQPError) {
        for (tag, consumer) in consumers.sorted(by: { $0.key < $1.key }) where !consumer.buffer.isFinished {
            try subscribe(tag: tag, queue: consumer.queue, on: session)
        }
    }

    private func subscribe(tag: String, queue: String, on session: AMQPSession) throws(AMQPError) {
        let storage = AMQPTableStorage([:])
        _ = amqp_basic_consume(
            session.state, AMQPSession.consumerChannel, storage.bytes(queue), storage.bytes(tag),
            0, 0, 0, amqp_empty_table)
        try session.check(amqp_get_rpc_reply(session.state), "basic.consume \(queue)", channel: AMQPSession.consumerChannel)
    }

    /// Declares (or with `passive`, checks) everything in order on the RPC channel, and
    /// remembers the topology for reconnects once it went through.
    func declare(_ topology: AMQPTopology, on session: AMQPSession) throws(AMQPError) {
        for exchange in topology.exchanges {
            let storage = AMQPTableStorage(exchange.arguments)
            try ensureRPCChannel(session)
            _ = amqp_exchange_declare(
                session.state, AMQPSession.rpcChannel, storage.bytes(exchange.name), storage.bytes(exchange.kind.rawValue),
                topology.passive ? 1 : 0, exchange.durable ? 1 : 0, exchange.autoDelete ? 1 : 0, 0, storage.table)
            try session.check(
                amqp_get_rpc_reply(session.state), "declaring exchange \(exchange.name)", channel: AMQPSession.rpcChannel)
        }
        for queue in topology.queues {
            try declareQueue(queue, passive: topology.passive, on: session)
        }
        if !topology.passive {  // a binding cannot be checked passively
            for binding in topology.bindings {
                let storage = AMQPTableStorage([:])
                try ensureRPCChannel(session)
                _ = amqp_queue_bind(
                    session.state, AMQPSession.rpcChannel, storage.bytes(binding.queue), storage.bytes(binding.exchange),
                    storage.bytes(binding.routingKey), amqp_empty_table)
                try session.check(
                    amqp_get_rpc_reply(session.state), "binding \(binding.queue) to \(binding.exchange) (\(binding.routingKey))",
                    channel: AMQPSession.rpcChannel)
            }
            for binding in topology.exchangeBindings {
                let storage = AMQPTableStorage([:])
                try ensureRPCChannel(session)
                _ = amqp_exchange_bind(
                    session.state, AMQPSession.rpcChannel, storage.bytes(binding.destination), storage.bytes(binding.source),
                    storage.bytes(binding.routingKey), amqp_empty_table)
                try session.check(
                    amqp_get_rpc_reply(session.state),
                    "binding exchange \(binding.destination) to \(binding.source) (\(binding.routingKey))",
                    channel: AMQPSession.rpcChannel)
            }
        }
        if !topologies.contains(topology) { topologies.append(topology) }
    }

    @discardableResult
    func declareQueue(_ queue: AMQPTopology.Queue, passive: Bool, on session: AMQPSession) throws(AMQPError) -> UInt32 {
        let storage = AMQPTableStorage(queue.arguments)
        try ensureRPCChannel(session)
        let ok = amqp_queue_declare(
            session.state, AMQPSession.rpcChannel, storage.bytes(queue.name), passive ? 1 : 0,
            queue.durable ? 1 : 0, queue.exclusive ? 1 : 0, queue.autoDelete ? 1 : 0, storage.table)
        try session.check(
            amqp_get_rpc_reply(session.state), "\(passive ? "checking" : "declaring") queue \(queue.name)",
            channel: AMQPSession.rpcChannel)
        return ok?.pointee.message_count ?? 0
    }

    /// Deletes a queue or exchange (tests, and operators' tools); missing ones are fine.
    func delete(queue: String?, exchange: String?, on session: AMQPSession) throws(AMQPError) {
        let storage = AMQPTableStorage([:])
        if let queue {
            try ensureRPCChannel(session)
            _ = amqp_queue_delete(session.state, AMQPSession.rpcChannel, storage.bytes(queue), 0, 0)
            try session.check(amqp_get_rpc_reply(session.state), "deleting queue \(queue)", channel: AMQPSession.rpcChannel)
        }
        if let exchange {
            try ensureRPCChannel(session)
            _ = amqp_exchange_delete(session.state, AMQPSession.rpcChannel, storage.bytes(exchange), 0)
            try session.check(amqp_get_rpc_reply(session.state), "deleting exchange \(exchange)", channel: AMQPSession.rpcChannel)
        }
    }

    private func ensureRPCChannel(_ session: AMQPSession) throws(AMQPError) {
        if !session.isOpen(AMQPSession.rpcChannel) { try session.openChannel(AMQPSession.rpcChannel) }
    }
}
