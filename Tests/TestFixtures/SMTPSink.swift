import Foundation

/// Postfix's `smtp-sink` (Debian `postfix`, installed by `scripts/deps.sh bench`) on a free
/// loopback port: accepts and discards mail as fast as SMTP allows. For throughput figures only.
public final class SMTPSink: @unchecked Sendable {
    // Invariant: `process` is only touched by `stop()`, called once by the owning test.
    private var process: Process?
    public let port: Int
    public var url: String { "smtp://127.0.0.1:\(port)" }

    public init() throws {
        guard let path = ["/usr/sbin/smtp-sink", "/usr/bin/smtp-sink"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else { throw FixtureError("smtp-sink not installed (scripts/deps.sh bench installs postfix)") }
        port = try Self.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // -c: count, 1000: backlog; -u nobody: it refuses to keep root privileges.
        process.arguments = ["-c", "-u", "nobody", "127.0.0.1:\(port)", "1000"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        Thread.sleep(forTimeInterval: 0.3)
        guard process.isRunning else { throw FixtureError("smtp-sink exited at start") }
    }

    public func stop() {
        guard let process else { return }
        self.process = nil
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    /// A port the kernel just gave out (bound to port 0, then closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw FixtureError("bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw FixtureError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
