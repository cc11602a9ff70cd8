import Synchronization

/// Whether the connection to the broker is up right now, as the connection thread last saw it;
/// read from any task (health checks, gauges) without a job on that thread.
final class AMQPLinkState: Sendable {
    private let state = Mutex(false)
    private let onChange: (@Sendable (Bool) -> Void)?

    init(onChange: (@Sendable (Bool) -> Void)?) {
        self.onChange = onChange
    }

    var isUp: Bool { state.withLock { $0 } }

    /// Records the new state; tells `onChange` only when it really changed.
    func set(_ up: Bool) {
        let changed = state.withLock { current -> Bool in
            defer { current = up }
            return current != up
        }
        if changed { onChange?(up) }
    }
}
