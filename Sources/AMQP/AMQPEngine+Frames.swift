import CRabbitMQ

#if canImport(Glibc)
    import Glibc
#endif

/// Reading what the broker sends without a blocking wait: deliveries, publisher confirms,
/// returns, consumer cancellations and channel/connection closes. (What
/// `amqp_consume_message` reports as `AMQP_STATUS_UNEXPECTED_STATE` is handled here as an
/// ordinary frame, because we read frames ourselves.)
extension AMQPEngine {
    /// Frames handled per turn before jobs get another chance, so that acks and publishes are
    /// not starved by a full queue.
    static let framesPerTurn = 256

    /// Handles frames already buffered or readable without blocking. Returns true when it
    /// stopped because of the per-turn limit (more may be waiting).
    func drainInbound(_ session: AMQPSession) throws(AMQPError) -> Bool {
        for _ in 0..<Self.framesPerTurn {
            var frame = amqp_frame_t()
            var immediately = timeval(tv_sec: 0, tv_usec: 0)
            // A zero timeout reads only what is there: queued frames first, then rabbitmq-c's
            // buffer, then one non-blocking read (which also drains TLS records OpenSSL holds
            // but poll() cannot see). It also sends a heartbeat when one is due, and fails with
            // HEARTBEAT_TIMEOUT once the broker was silent for two heartbeats.
            let rc = amqp_simple_wait_frame_noblock(session.state, &frame, &immediately)
            if rc == AMQP_STATUS_TIMEOUT.rawValue { return false }
            guard rc == AMQP_STATUS_OK.rawValue else { throw session.failure(rc, "reading from the broker") }
            lastInbound = .now
            try handle(frame, session)
            // Known ground: without this, RSS grows with every message (pools are kept).
            amqp_maybe_release_buffers(session.state)
            if self.session !== session { return false }
        }
        return true
    }

    private func handle(_ frame: amqp_frame_t, _ session: AMQPSession) throws(AMQPError) {
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return }  // stray content: ignore
        let method = frame.payload.method
        let decoded = method.decoded!
        switch method.id {
        case AMQP_BASIC_DELIVER_METHOD_ID:
            try handleDeliver(decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee, frame.channel, session)
        case AMQP_BASIC_ACK_METHOD_ID:
            let ack = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            if frame.channel == AMQPSession.publisherChannel {
                confirm(ack.delivery_tag, multiple: ack.multiple != 0, nacked: false)
            }
        case AMQP_BASIC_NACK_METHOD_ID:
            let nack = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            if frame.channel == AMQPSession.publisherChannel {
                confirm(nack.delivery_tag, multiple: nack.multiple != 0, nacked: true)
            }
        case AMQP_BASIC_RETURN_METHOD_ID:
            try handleReturn(decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee, frame.channel, session)
        case AMQP_BASIC_CANCEL_METHOD_ID:
            let cancel = decoded.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            let tag = AMQPDecode.string(cancel.consumer_tag)
            if let consumer = consumers.removeValue(forKey: tag) {
                logger.warning("amqp.consumer-cancelled", metadata: .keys([.queue: "\(consumer.queue)"]))
                consumer.buffer.finish(
                    AMQPError(.consumerCancelled, "the broker cancelled the consumer of \(consumer.queue)"))
            }
        case AMQP_CHANNEL_CLOSE_METHOD_ID:
            let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let error = AMQPError.broker(
                replyCode: close.reply_code, replyText: AMQPDecode.string(close.reply_text),
                context: "the broker closed channel \(frame.channel)", connectionLevel: false)
            try session.acknowledgeChannelClose(frame.channel)
            try recoverChannel(frame.channel, after: error, session)
        case AMQP_CONNECTION_CLOSE_METHOD_ID:
            let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            session.acknowledgeConnectionClose()
            throw AMQPError.broker(
                replyCode: close.reply_code, replyText: AMQPDecode.string(close.reply_text),
                context: "the broker closed the connection", connectionLevel: true)
        case AMQP_CONNECTION_BLOCKED_METHOD_ID:
            logger.warning("amqp.blocked", metadata: .keys([.hint: "the broker is low on memory or disk"]))
        case AMQP_CONNECTION_UNBLOCKED_METHOD_ID:
            logger.info("amqp.unblocked")
        default:
            logger.debug("amqp.unexpected-method", metadata: .keys([.method: "\(method.id)", .channel: "\(frame.channel)"]))
        }
    }

    private func handleDeliver(
        _ deliver: amqp_basic_deliver_t, _ channel: amqp_channel_t, _ session: AMQPSession
    ) throws(AMQPError) {
        var message = amqp_message_t()
        // Header and body frames follow the method at once; this may block for them briefly
        // (inside the library, which keeps heartbeats going).
        try session.check(amqp_read_message(session.state, channel, &message, 0), "reading a delivery", channel: channel)
        defer { amqp_destroy_message(&message) }

        let consumerTag = AMQPDecode.string(deliver.consumer_tag)
        guard let consumer = consumers[consumerTag], !consumer.buffer.isFinished else {
            // Closing: leave it unacked, the channel close gives it back. Otherwise nobody
            // iterates any more: stop the consumer (or the broker would hand the message
            // straight back to us, forever) and give the message back.
            guard !closeRequested else { return }
            if consumers[consumerTag] != nil { try cancelConsumer(tag: consumerTag, session) }
            let rc = amqp_basic_reject(session.state, channel, deliver.delivery_tag, 1)
            guard rc == AMQP_STATUS_OK.rawValue else { throw session.failure(rc, "reject") }
            return
        }
        let properties = message.properties
        let flags = properties._flags
        let delivery = AMQPDelivery(
            body: AMQPDecode.bytes(message.body),
            headers: flags & AMQPFlags.headers != 0 ? AMQPDecode.table(properties.headers) : [:],
            tag: AMQPDeliveryTag(value: deliver.delivery_tag, generation: consumerGeneration, connectionID: connectionID),
            redelivered: deliver.redelivered != 0,
            messageID: flags & AMQPFlags.messageID != 0 ? AMQPDecode.string(properties.message_id) : nil,
            contentType: flags & AMQPFlags.contentType != 0 ? AMQPDecode.string(properties.content_type) : nil,
            userID: flags & AMQPFlags.userID != 0 ? AMQPDecode.string(properties.user_id) : nil,
            exchange: AMQPDecode.string(deliver.exchange),
            routingKey: AMQPDecode.string(deliver.routing_key),
            queue: consumer.queue,
            deliveryMode: flags & AMQPFlags.deliveryMode != 0 ? properties.delivery_mode : 1)
        unacked.insert(deliver.delivery_tag)
        consumer.buffer.yield(delivery)
    }

    /// A mandatory message no queue took. The return carries no delivery tag, so it is matched
    /// to the oldest unconfirmed mandatory publish with the same exchange, routing key and
    /// message id; its confirm (which RabbitMQ sends right after the return) then fails it.
    private func handleReturn(
        _ returned: amqp_basic_return_t, _ channel: amqp_channel_t, _ session: AMQPSession
    ) throws(AMQPError) {
        var message = amqp_message_t()
        try session.check(amqp_read_message(session.state, channel, &message, 0), "reading a returned message", channel: channel)
        defer { amqp_destroy_message(&message) }
        let exchange = AMQPDecode.string(returned.exchange)
        let routingKey = AMQPDecode.string(returned.routing_key)
        let messageID =
            message.properties._flags & AMQPFlags.messageID != 0 ? AMQPDecode.string(message.properties.message_id) : nil
        let error = AMQPError(
            .returned, "no queue took the message for \(exchange) / \(routingKey)",
            replyCode: returned.reply_code, replyText: AMQPDecode.string(returned.reply_text))
        let match = pending.filter { _, p in
            p.mandatory && p.returned == nil && p.exchange == exchange && p.routingKey == routingKey
                && p.messageID == messageID
        }.keys.min()
        if let match { pending[match]?.returned = error }
    }

    /// basic.ack / basic.nack on the publisher channel; `multiple` covers every tag up to this one.
    func confirm(_ tag: UInt64, multiple: Bool, nacked: Bool) {
        func settle(_ publish: PendingPublish) {
            if nacked {
                publish.completion(
                    .failure(AMQPError(.nacked, "the broker nacked the message for \(publish.exchange) / \(publish.routingKey)")))
            } else if let returned = publish.returned {
                publish.completion(.failure(returned))
            } else {
                publish.completion(.success(()))
            }
        }
        if multiple {
            if tag >= lowestUnconfirmed {
                for t in lowestUnconfirmed...tag {
                    if let publish = pending.removeValue(forKey: t) { settle(publish) }
                }
                lowestUnconfirmed = tag + 1
            }
        } else if let publish = pending.removeValue(forKey: tag) {
            settle(publish)
        }
        while lowestUnconfirmed < nextPublishTag, pending[lowestUnconfirmed] == nil { lowestUnconfirmed += 1 }
    }

    func failPending(_ error: AMQPError) {
        let failed = pending
        pending.removeAll()
        nextPublishTag = 1
        lowestUnconfirmed = 1
        for (_, publish) in failed.sorted(by: { $0.key < $1.key }) { publish.completion(.failure(error)) }
    }

    /// The broker closed one channel but not the connection: reopen it so the rest carries on.
    private func recoverChannel(_ channel: amqp_channel_t, after error: AMQPError, _ session: AMQPSession) throws(AMQPError) {
        logger.warning("amqp.channel-closed", metadata: .keys([.channel: "\(channel)", .error: "\(error)"]))
        switch channel {
        case AMQPSession.consumerChannel:
            // Its unacked deliveries went back to the queue; their tags are dead.
            unacked.removeAll()
            consumerGeneration = AMQPGeneration.next()
            for consumer in consumers.values { consumer.buffer.dropBuffered() }
            try session.openChannel(channel)
            try session.setUpConsumerChannel(prefetch: configuration.prefetch)
            try subscribeAll(on: session)
        case AMQPSession.publisherChannel:
            failPending(error)
            try session.openChannel(channel)
            try session.setUpPublisherChannel()
        default:
            break  // the RPC channel is reopened by the next declaration
        }
    }
}
