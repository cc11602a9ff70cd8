import Timing

extension AMQPConfiguration {
    /// Capped exponential backoff with jitter for reconnects: 0.1 s, 0.2 s, 0.4 s … up to the
    /// cap, each shortened by up to 25 % at random so that several daemons do not reconnect in step.
    public var reconnectBackoff: Backoff {
        .exponential(initial: reconnectInitialDelay, maximum: reconnectMaxDelay, jitter: 0.25)
    }
}
