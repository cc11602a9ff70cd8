import Foundation
import Synchronization

/// Wakes one waiting loop. A signal given while nobody waits is kept (once), so a wake-up between
/// "found nothing to do" and "wait" is not lost.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())
    /// Set with `signalWork()`: the ledger may hold due deliveries the loop has not seen (new
    /// intake, a retry recorded), as opposed to "a slot is free".
    private let work = Atomic<Bool>(false)

    /// Wakes the loop and tells it to look at the ledger again.
    func signalWork() {
        work.store(true, ordering: .sequentiallyConsistent)
        signal()
    }

    /// Whether `signalWork()` was called since the last time this was asked.
    func takeWork() -> Bool {
        work.exchange(false, ordering: .sequentiallyConsistent)
    }

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when signalled (now, if a signal is pending) or when the task is cancelled.
    /// One waiter at a time.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return true }  // keep a pending signal for the next wait
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    /// Returns when signalled, when `clock` reaches `deadline` (if any), or on cancellation.
    func wait(until deadline: Date?, clock: any WallClock) async {
        guard let deadline else { return await wait() }
        if deadline <= clock.now() {
            // Still a suspension point: a loop that waits for a time gone by must not keep the
            // thread from the tasks queued behind it (a channel runs on one thread).
            await Task.yield()
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await clock.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }
}
