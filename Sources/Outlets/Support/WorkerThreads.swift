import DequeModule
import Foundation
import NamedThreads

/// A fixed set of long-lived threads taking jobs from one FIFO queue, each thread owning one
/// `Resource` it makes when it starts and keeps for its lifetime.
///
/// For work that blocks or holds the CPU (a libcurl transfer, laying out a PDF) and must not run
/// on Swift's cooperative pool, where it would starve every other task of the daemon. Callers
/// `await` `run(_:)`. Long-lived rather than a thread per job because what a thread keeps warm is
/// the point: a libcurl handle keeps its connection, and pango keeps its font map (and the faces
/// and glyph caches behind it) per thread, so a PDF laid out on a fresh thread loaded the fonts
/// again every time.
final class WorkerThreads<Resource>: Sendable {
    private let state: State

    /// - Parameters:
    ///   - count: threads (at least 1), hence jobs run at once.
    ///   - name: thread name prefix, seen in `top -H` and crash reports.
    ///   - make: called once on each thread as it starts.
    init(count: Int, name: String, make: @escaping @Sendable () -> Resource) {
        let count = max(1, count)
        state = State(threads: count)
        for index in 0..<count {
            let state = self.state
            Thread.start(named: "\(name)-\(index)") {
                let resource = make()
                while let job = state.next() { job.body(resource) }
            }
        }
    }

    deinit {
        // Threads hold `state`, not `self`: they drain what is queued and exit on their own.
        state.close()
    }

    /// Runs `body` on one of the threads with that thread's resource. Returns nil when the
    /// threads are shut down.
    func run<T: Sendable>(_ body: @escaping @Sendable (Resource) -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let job = Job { resource in continuation.resume(returning: body(resource)) }
            if !state.enqueue(job) { continuation.resume(returning: nil) }
        }
    }

    /// Refuses new work, lets the threads finish what is already queued, and returns when every
    /// thread has exited (dropping its resource).
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.close(whenIdle: continuation)
        }
    }
}

extension WorkerThreads {
    struct Job {
        let body: @Sendable (Resource) -> Void
    }

    /// The queue shared by the threads.
    /// Invariant: every stored property is read and written only while `condition` is locked.
    final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var queue = Deque<Job>()
        private var closed = false
        private var running: Int
        private var idleWaiters: [CheckedContinuation<Void, Never>] = []

        init(threads: Int) { running = threads }

        func enqueue(_ job: Job) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !closed else { return false }
            queue.append(job)
            condition.signal()
            return true
        }

        /// The next job, or nil once closed and the queue is empty (the thread exits).
        func next() -> Job? {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            guard let job = queue.popFirst() else {
                running -= 1
                let waiters = running == 0 ? idleWaiters : []
                if running == 0 { idleWaiters = [] }
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return nil
            }
            condition.unlock()
            return job
        }

        func close(whenIdle waiter: CheckedContinuation<Void, Never>? = nil) {
            condition.lock()
            closed = true
            let exited = running == 0
            if let waiter, !exited { idleWaiters.append(waiter) }
            condition.broadcast()
            condition.unlock()
            if exited { waiter?.resume() }
        }
    }
}
