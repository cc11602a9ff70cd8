import DequeModule
import Foundation
import NamedThreads

/// The one thread a channel's loop and its sends run on (a `TaskExecutor` preferred by the
/// loop's task, so its child tasks and their continuations come back here).
///
/// Why not the cooperative pool: a large fan-out is thousands of short steps per second (a send
/// resumed by its SMTP session, its outcome recorded, the next one started), each resumption
/// waking whichever pool thread is idle, often on the other CPU. On a VM every such wake-up is
/// an inter-processor interrupt and a scheduler round trip, and they cost the daemon more CPU
/// than the sends. One thread that finds its next step already queued while it is busy runs the
/// same steps without waking anything; the blocking work (libcurl, PDF layout, SQLite) stays on
/// the threads that own it.
///
/// Once the dispatcher has stopped (`close()`), jobs still arriving for a task that preferred
/// this thread run on the global executor instead, and the thread exits when its queue is empty.
final class ChannelThread: TaskExecutor, @unchecked Sendable {
    // Invariant: `queue` and `closed` are read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var queue = Deque<UnownedJob>()
    private var closed = false

    init(name: String) {
        Thread.start(named: name) { [self] in run() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if closed {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Hands later jobs to the global executor; the thread exits once it has run what is queued.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        let executor = asUnownedTaskExecutor()
        while let job = next() { job.runSynchronously(on: executor) }
    }

    private func next() -> UnownedJob? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !closed { condition.wait() }
        return queue.popFirst()
    }
}
