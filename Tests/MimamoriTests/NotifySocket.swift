import Foundation
import Synchronization
import TestFixtures

#if canImport(Glibc)
    import Glibc
#endif

/// What systemd would be for the daemon: a Unix datagram socket bound in a test folder, passed
/// as `NOTIFY_SOCKET`. Every datagram (`READY=1\nSTATUS=…`) is kept with the time it arrived.
final class NotifySocket: Sendable {
    struct Message: Sendable {
        var text: String
        var at: ContinuousClock.Instant
        var assignments: [String] { text.split(separator: "\n").map(String.init) }
    }

    let path: String
    private let messages = Mutex<[Message]>([])
    private let closing = Atomic<Bool>(false)

    /// `onReceive` runs on the reader thread as each datagram arrives, before any waiter sees
    /// it: to act within microseconds of, say, READY=1.
    init(directory: URL, onReceive: (@Sendable (Message) -> Void)? = nil) throws {
        path = directory.appendingPathComponent("notify.sock").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket(AF_UNIX, SOCK_DGRAM): errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw FixtureError("notify socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw FixtureError("bind \(path): errno \(errno)")
        }
        // Short receive timeouts let the reader notice `close()`.
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        // The reader thread owns the descriptor and closes it when asked to stop.
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !closing.load(ordering: .relaxed) {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    let message = Message(text: String(decoding: buffer[0..<n], as: UTF8.self), at: .now)
                    onReceive?(message)
                    messages.withLock { $0.append(message) }
                } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    continue
                } else {
                    break
                }
            }
            close(fd)
        }
        thread.start()
    }

    deinit { stop() }

    /// Stops the reader (it closes the socket within 100 ms) and removes the socket's file now,
    /// so that the test folder can be removed right after.
    func stop() {
        if !closing.exchange(true, ordering: .relaxed) { unlink(path) }
    }

    var received: [Message] { messages.withLock { $0 } }

    /// Every assignment received so far, in order (`READY=1`, `STATUS=…`, …).
    var assignments: [String] { received.flatMap(\.assignments) }

    /// Waits for a datagram carrying `assignment` (e.g. `READY=1`); returns it.
    @discardableResult
    func waitFor(_ assignment: String, after index: Int = 0, timeout: Duration = .seconds(60), daemon: DaemonProcess? = nil)
        async throws -> Message
    {
        try await waitUntil("the daemon sends \(assignment) on NOTIFY_SOCKET (got: \(self.assignments))", timeout: timeout, daemon: daemon)
        {
            self.received.dropFirst(index).contains { $0.assignments.contains(assignment) }
        }
        return received.dropFirst(index).first { $0.assignments.contains(assignment) }!
    }
}
