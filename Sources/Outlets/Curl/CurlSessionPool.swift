import Foundation

/// A bounded set of dedicated threads, each owning one libcurl easy handle for its lifetime.
///
/// libcurl is blocking: `curl_easy_perform` must never run on Swift's cooperative pool, where a
/// handful of slow SMTP servers would starve every other task of the daemon. Callers `await`
/// `run(_:)`; the job waits in a FIFO queue until one of the threads takes it, runs it with that
/// thread's handle (so connections are reused from message to message), and resumes the caller's
/// continuation. The number of threads is the number of parallel sessions to the server.
///
/// Not libcurl's multi interface on one thread: its SMTP code waits for the reply to the end of
/// DATA blocking, inside `curl_multi_perform`, so one thread would carry every session's last
/// round trip in turn; measured with `make bench`, that was slower than a thread per session.
final class CurlSessionPool: Sendable {
    private let state: State

    /// - Parameters:
    ///   - sessions: threads, hence parallel connections (at least 1).
    ///   - name: thread name prefix, seen in `top -H` and crash reports.
    init(sessions: Int, name: String) {
        let count = max(1, sessions)
        state = State(threads: count)
        for index in 0..<count {
            let state = self.state
            let thread = Thread { CurlSessionPool.work(state) }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    deinit {
        // Threads hold `state`, not `self`: they drain what is queued and exit on their own.
        state.close()
    }

    /// Runs `body` on a session thread with that thread's easy handle, already `reset()`.
    /// Returns nil when the pool is shut down or the thread has no handle (out of memory).
    func run<T: Sendable>(_ body: @escaping @Sendable (CurlEasy) -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let job = Job { easy in
                guard let easy else { return continuation.resume(returning: nil) }
                continuation.resume(returning: body(easy))
            }
            if !state.enqueue(job) { continuation.resume(returning: nil) }
        }
    }

    /// Refuses new work, lets the threads finish what is already queued, and returns when every
    /// thread has exited (each cleans up its own handle, closing its connection).
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.close(whenIdle: continuation)
        }
    }

    private static func work(_ state: State) {
        let easy = CurlEasy()
        while let job = state.next() {
            easy?.reset()
            job.body(easy)
        }
    }
}

extension CurlSessionPool {
    struct Job {
        let body: @Sendable (CurlEasy?) -> Void
    }

    /// The queue shared by the threads.
    /// Invariant: every stored property is read and written only while `condition` is locked.
    final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private var queue: [Job] = []
        private var head = 0
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

        /// The next job, or nil once the pool is closed and the queue is empty (thread exits).
        func next() -> Job? {
            condition.lock()
            while head == queue.count && !closed { condition.wait() }
            guard head < queue.count else {
                running -= 1
                let waiters = running == 0 ? idleWaiters : []
                if running == 0 { idleWaiters = [] }
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return nil
            }
            let job = queue[head]
            head += 1
            // Compact now and then so a long-lived queue does not keep every finished job.
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 {
                queue.removeFirst(head)
                head = 0
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
