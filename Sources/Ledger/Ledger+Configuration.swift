import Foundation

extension Ledger {
    public struct Configuration: Sendable, Hashable {
        /// SQLite's `synchronous` setting for the writer. See `Synchronous`.
        public var synchronous: Synchronous
        /// How long a write waits for a lock held by another connection before failing.
        public var busyTimeout: TimeInterval

        public init(synchronous: Synchronous = .full, busyTimeout: TimeInterval = 5) {
            self.synchronous = synchronous
            self.busyTimeout = busyTimeout
        }
    }

    /// How hard SQLite pushes each commit to the disk.
    ///
    /// In WAL mode both levels survive a crash of the process (kill -9, a trap): a commit is in
    /// the WAL file, in the OS page cache, before `COMMIT` returns. They differ on an OS crash or
    /// power loss: `normal` fsyncs the WAL only at checkpoints, so the last transactions before the
    /// power cut can vanish; `full` fsyncs the WAL at every commit.
    ///
    /// Mimamori acks the broker message once the intake commits. With `normal`, a power cut after
    /// the ack could lose an accepted case event that the broker has already deleted — the one
    /// loss the design forbids. Municipal servers do lose power (the earthquake that makes the
    /// radio matter). So the default is `full`; its cost is one fsync per commit (`make bench`
    /// measures the intake with it), and the dispatcher's per-delivery writes are group-committed
    /// so the fan-out rate does not pay it per delivery.
    public enum Synchronous: String, Sendable, Hashable, CaseIterable {
        case normal = "NORMAL"
        case full = "FULL"
    }
}
