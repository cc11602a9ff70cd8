import Synchronization

/// Process-wide unique numbers for connections and channel generations: a tag from a closed
/// connection can never match a newer one, even one allocated at the same address.
enum AMQPGeneration {
    private static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 {
        counter.add(1, ordering: .relaxed).newValue
    }
}
