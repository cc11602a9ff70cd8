import Foundation

/// A helper program (one of `Tests/Servers/*.py`) started for one test on a port the kernel
/// chose, in a fresh temporary folder, and stopped by `stop()` (or when the object goes away).
///
/// The program writes the port it bound to `DIR/port` once it accepts connections; that file's
/// appearance is the readiness signal. If the program exits or stays silent, `start` throws with
/// its stderr so the test failure says why.
public final class ServerProcess: @unchecked Sendable {
    // Invariant: `process` is only touched under `lock`.
    private let lock = NSLock()
    private var process: Process?
    public let directory: URL
    public let port: Int

    /// Repository root, found from this file's path so tests run from any working directory.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mimamori-\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts `Tests/Servers/<script>` with `python3`, passing `--dir <directory>` and `arguments`.
    public init(script: String, directory: URL, arguments: [String], timeout: Duration = .seconds(15)) throws {
        let scriptURL = Self.repositoryRoot.appendingPathComponent("Tests/Servers/\(script)")
        guard FileManager.default.fileExists(atPath: scriptURL.path) else {
            throw FixtureError("test server script missing: \(scriptURL.path)")
        }
        let stderrURL = directory.appendingPathComponent("\(script).stderr")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, "--dir", directory.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        do { try process.run() } catch {
            throw FixtureError("could not run python3 \(script): \(error)")
        }
        let portURL = directory.appendingPathComponent("port")
        let deadline = ContinuousClock.now + timeout
        var port: Int?
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portURL, encoding: .utf8), let value = Int(text) {
                port = value
                break
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        guard let port else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            let stderr = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            throw FixtureError(
                "\(script) did not start (is scripts/deps.sh installed? python3 with aiosmtpd):\n\(stderr)")
        }
        self.process = process
        self.directory = directory
        self.port = port
    }

    deinit { stop() }

    /// Stops the program (SIGTERM, then waits for it) — nothing keeps running after a test.
    public func stop() {
        lock.lock()
        let process = self.process
        self.process = nil
        lock.unlock()
        guard let process else { return }
        defer {
            // What the server stored goes too, unless asked to keep it for a look.
            if ProcessInfo.processInfo.environment["MIMAMORI_KEEP_TEST_FILES"] == nil {
                try? FileManager.default.removeItem(at: directory)
            }
        }
        if process.isRunning {
            process.interrupt()  // SIGINT: the scripts exit cleanly on KeyboardInterrupt
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }

    /// Kills the program at once (SIGKILL, as a crash or a pulled plug would end it) and waits
    /// for it, keeping its folder: a new program may start in it (`SMTPServer.restart()`).
    public func crash() {
        lock.lock()
        let process = self.process
        self.process = nil
        lock.unlock()
        guard let process else { return }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The files the program stored with this extension, in name order.
    public func files(withExtension ext: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == ext }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
