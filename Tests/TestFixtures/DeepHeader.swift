import AMQP
import Synchronization

/// Header tables nested as deep as one frame allows, for the hostile-header tests. Swift releases
/// (and walks) nested values recursively, so the values built here are kept for the whole run:
/// releasing one would overflow a task's stack, which is the very thing under test.
public enum DeepHeader {
    private static let kept = Mutex<[AMQPHeaderValue]>([])

    /// `{"a": {"a": … "x" …}}`, `depth` tables deep.
    public static func nested(_ depth: Int) -> AMQPHeaderValue {
        var value: AMQPHeaderValue = .string("x")
        for _ in 0..<depth { value = .table(["a": value]) }
        keep(value)
        return value
    }

    /// Keeps a value (a received deep header, say) until the process ends.
    public static func keep(_ value: AMQPHeaderValue) {
        kept.withLock { $0.append(value) }
    }

    /// How many tables deep `value` goes.
    public static func depth(of value: AMQPHeaderValue) -> Int {
        var depth = 0
        var current = value
        while case .table(let inner) = current, let next = inner["a"] {
            depth += 1
            current = next
        }
        return depth
    }
}
