import CRabbitMQShim
import Foundation
import NamedThreads
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The dedicated thread of one connection and the queue of jobs other tasks hand it.
///
/// rabbitmq-c blocks and is not thread-safe, so exactly one thread (started here) ever touches a
/// connection's C state; async callers submit closures and await a continuation the thread
/// resumes. Submitting also writes to an eventfd that the thread polls together with the broker
/// socket, so a job is picked up at once however idle the connection is — no busy polling and
/// no sleeps. Blocking calls therefore never run on Swift's cooperative pool.
final class AMQPWorker: Sendable {
    /// Runs on the connection thread, with that thread's exclusive access to the engine.
    typealias Job = @Sendable (AMQPEngine) -> Void

    private struct Queue {
        var jobs: [Job] = []
        var accepting = true
        /// The eventfd holds an unread wake-up; saves a syscall per job under load.
        var wakePending = false
    }

    private let queue = Mutex(Queue())
    let wakeFD: Int32

    static let stackSize = 32 << 20

    init() {
        wakeFD = amqpshim_eventfd()
        precondition(wakeFD >= 0, "eventfd failed: errno \(errno)")
    }

    deinit { close(wakeFD) }

    /// Starts the thread; `body` runs on it until the connection is finished.
    func start(name: String, _ body: @escaping @Sendable () -> Void) {
        // rabbitmq-c decodes and encodes nested header tables recursively, and a 128 KiB frame
        // can nest them ~18,000 deep: room for that (untouched stack costs no memory).
        Thread.start(named: name, stackSize: Self.stackSize, body)
    }

    /// False once the connection is finished: the job will never run.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        let (accepted, wake) = queue.withLock { q -> (Bool, Bool) in
            guard q.accepting else { return (false, false) }
            q.jobs.append(job)
            defer { q.wakePending = true }
            return (true, !q.wakePending)
        }
        if wake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
        return accepted
    }

    /// On the connection thread: the jobs submitted since the last call. The eventfd is drained
    /// before the queue is taken, so a job submitted in between is either taken now or has
    /// written a fresh wake-up; the worst case is one spurious wake, never a missed job.
    func takeJobs() -> [Job] {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
        return queue.withLock { q in
            let jobs = q.jobs
            q.jobs.removeAll(keepingCapacity: true)
            q.wakePending = false
            return jobs
        }
    }

    /// On the connection thread, at the very end: refuse new jobs, return the last ones.
    func stop() -> [Job] {
        queue.withLock { q in
            q.accepting = false
            defer { q.jobs.removeAll() }
            return q.jobs
        }
    }
}
