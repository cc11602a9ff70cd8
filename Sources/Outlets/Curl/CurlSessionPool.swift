import Foundation

/// A bounded set of dedicated threads, each owning one libcurl easy handle for its lifetime.
///
/// libcurl is blocking: `curl_easy_perform` must never run on Swift's cooperative pool, where a
/// handful of slow SMTP servers would starve every other task of the daemon. A job waits in a
/// FIFO queue until one of the threads takes it and runs it with that thread's handle (so
/// connections are reused from message to message). The number of threads is the number of
/// parallel sessions to the server.
///
/// Not libcurl's multi interface on one thread: its SMTP code waits for the reply to the end of
/// DATA blocking, inside `curl_multi_perform`, so one thread would carry every session's last
/// round trip in turn; measured with `make bench`, that was slower than a thread per session.
final class CurlSessionPool: Sendable {
    private let threads: WorkerThreads<CurlEasy?>

    /// - Parameters:
    ///   - sessions: threads, hence parallel connections (at least 1).
    ///   - name: thread name prefix, seen in `top -H` and crash reports.
    init(sessions: Int, name: String) {
        threads = WorkerThreads(count: sessions, name: name) { CurlEasy() }
    }

    /// Runs `body` on a session thread with that thread's easy handle, already `reset()`.
    /// Returns nil when the pool is shut down or the thread has no handle (out of memory).
    func run<T: Sendable>(_ body: @escaping @Sendable (CurlEasy) -> T) async -> T? {
        let outcome: T?? = await threads.run { easy in
            guard let easy else { return nil }
            easy.reset()
            return body(easy)
        }
        return outcome ?? nil
    }

    /// Refuses new work, lets the threads finish what is already queued, and returns when every
    /// thread has exited (each cleans up its own handle, closing its connection).
    func shutdown() async {
        await threads.shutdown()
    }
}
