/// Capped exponential backoff with jitter for reconnects: 0.1 s, 0.2 s, 0.4 s … up to the cap,
/// each shortened by up to 25 % at random so that several daemons do not reconnect in step.
struct AMQPBackoff: Sendable {
    var initial: Duration
    var maximum: Duration

    func delay(attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let base = min(initial * (1 << exponent), maximum)
        let jitter = Double.random(in: 0.75...1.0)
        return base * jitter
    }
}
