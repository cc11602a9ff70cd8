import Foundation

/// Postfix's `smtp-sink` (Debian `postfix`, installed by `scripts/deps.sh bench`) on a free
/// loopback port: accepts and discards mail as fast as SMTP allows. For throughput figures only.
public final class SMTPSink: @unchecked Sendable {
    // Invariant: `process` is only touched by `stop()`, called once by the owning test.
    private var process: Process?
    public let port: Int
    public var url: String { "smtp://127.0.0.1:\(port)" }

    public init() throws {
        guard
            let path = ["/usr/sbin/smtp-sink", "/usr/bin/smtp-sink"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else { throw FixtureError("smtp-sink not installed (scripts/deps.sh bench installs postfix)") }
        port = try LoopbackPort.free()
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
}
