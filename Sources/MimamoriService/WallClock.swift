import Foundation

/// The dispatcher's time: the wall clock (the ledger stores wall-clock instants) and a way to wait
/// until one. Tests pass a clock they advance by hand.
public protocol WallClock: Sendable {
    func now() -> Date
    /// Returns at `deadline` or later; throws `CancellationError` if the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// The system's clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        if interval > 0 { try await Task.sleep(for: .milliseconds(Int64((interval * 1000).rounded(.up)))) }
    }
}
