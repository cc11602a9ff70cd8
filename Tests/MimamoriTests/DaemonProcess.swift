import Foundation
import Synchronization
import TestFixtures

#if canImport(Glibc)
    import Glibc
#endif

/// The real `mimamorid` binary, started for one test with a settings folder (`DaemonFolder`):
/// its stdout lines are collected (and kept in the folder as `mimamorid.log`), signals are sent
/// by pid, and its exit is awaited. Nothing is left running: `kill()` and `deinit` end it.
final class DaemonProcess: @unchecked Sendable {
    /// How the process ended.
    enum Exit: Equatable, Sendable, CustomStringConvertible {
        case status(Int32)
        case signal(Int32)
        var description: String {
            switch self {
            case .status(let code): "exit status \(code)"
            case .signal(let number): "killed by signal \(number)"
            }
        }
    }

    // Invariant: `process` is assigned once in init and only its thread-safe members
    // (processIdentifier, isRunning) are used afterwards; everything mutable is in Mutexes.
    private let process: Process
    private let state = State()
    let pid: Int32
    let started: ContinuousClock.Instant
    let stderrPath: String

    /// Where the binaries are: next to the test bundle (`.build/debug/`). Fails with what was
    /// tried when `swift build --build-tests` has not produced them.
    static func binary(_ name: String) throws -> String {
        var folders: [URL] = []
        let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        folders.append(argument0.deletingLastPathComponent())
        // An .xctest bundle directory (macOS) sits in the build folder too.
        var url = argument0
        while url.path != "/" {
            if url.pathExtension == "xctest" { folders.append(url.deletingLastPathComponent()) }
            url = url.deletingLastPathComponent()
        }
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in folders {
            let candidate = folder.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw FixtureError(
            "the \(name) binary is missing next to the test bundle (looked in "
                + folders.map(\.path).joined(separator: ", ") + "): build it with `swift build --build-tests`")
    }

    /// Starts `mimamorid --config FOLDER/mimamori.yaml --credentials FOLDER/credentials`
    /// (`executable`: another mimamorid than the build's, e.g. the installed package's).
    /// `settings`: another settings file than the folder's (a second daemon beside the first,
    /// with its own metrics port); its stderr goes to a file of its own.
    init(folder: DaemonFolder, environment extra: [String: String] = [:], executable: String? = nil, settings: String? = nil) throws {
        let binary = try executable ?? Self.binary("mimamorid")
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "CREDENTIALS_DIRECTORY", "MIMAMORI_CONFIG"] {
            environment[key] = nil
        }
        environment.merge(extra) { _, new in new }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config", settings ?? folder.settingsPath, "--credentials", folder.credentialsDirectory.path]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        stderrPath =
            folder.directory.appendingPathComponent(
                settings.map { "mimamorid-\(URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent).stderr" }
                    ?? "mimamorid.stderr"
            ).path
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        let state = self.state
        process.terminationHandler = { finished in
            let status: Exit =
                finished.terminationReason == .uncaughtSignal
                ? .signal(finished.terminationStatus) : .status(finished.terminationStatus)
            state.exit.withLock { $0 = status }
        }
        started = ContinuousClock.now
        do { try process.run() } catch {
            throw FixtureError("could not start \(binary): \(error)")
        }
        try? pipe.fileHandleForWriting.close()
        self.process = process
        self.pid = process.processIdentifier

        // A plain thread reads stdout until EOF (the daemon's exit), one line at a time.
        let reader = pipe.fileHandleForReading
        let log = folder.directory.appendingPathComponent("mimamorid.log").path
        let thread = Thread {
            let logFile =
                FileHandle(forWritingAtPath: log)
                ?? {
                    _ = FileManager.default.createFile(atPath: log, contents: nil)
                    return FileHandle(forWritingAtPath: log)
                }()
            logFile?.seekToEndOfFile()
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            let fd = reader.fileDescriptor
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending += buffer[0..<n]
                logFile?.write(Data(buffer[0..<n]))
                var lines: [String] = []
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
                if !lines.isEmpty { state.output.withLock { $0 += lines } }
            }
            if !pending.isEmpty { state.output.withLock { $0.append(String(decoding: pending, as: UTF8.self)) } }
            try? logFile?.close()
            try? reader.close()
        }
        thread.start()
    }

    deinit {
        if state.exit.withLock({ $0 }) == nil { Glibc.kill(pid, SIGKILL) }
    }

    /// Every stdout line so far.
    var lines: [String] { state.output.withLock { $0 } }

    /// Lines whose `event=` is `event` (and that contain every one of `containing`).
    func lines(event: String, containing: [String] = []) -> [String] {
        lines.filter { line in
            line.contains("event=\(event) ") || line.hasSuffix("event=\(event)")
        }.filter { line in containing.allSatisfy { line.contains($0) } }
    }

    var exitStatus: Exit? { state.exit.withLock { $0 } }

    func signal(_ number: Int32) {
        Glibc.kill(pid, number)
    }

    /// Waits for a line with `event=` `event` (and the given fragments); returns it.
    @discardableResult
    func waitForLine(
        event: String, containing: [String] = [], count: Int = 1, timeout: Duration = .seconds(60)
    ) async throws -> String {
        let what = "mimamorid logs \(count) × event=\(event) \(containing.joined(separator: " "))"
        try await waitUntil(what, timeout: timeout, daemon: self) {
            if self.lines(event: event, containing: containing).count >= count { return true }
            if let exit = self.exitStatus {
                try? await Task.sleep(for: .milliseconds(50))  // the reader's last lines
                if self.lines(event: event, containing: containing).count >= count { return true }
                throw WaitTimedOut(description: "mimamorid ended (\(exit)) before it logged: \(what)\n\(self.tail())")
            }
            return false
        }
        return lines(event: event, containing: containing)[count - 1]
    }

    /// Waits for the process to end (failing after `timeout` with the log's tail).
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Exit {
        try await waitUntil("mimamorid exits", timeout: timeout, daemon: self) { self.exitStatus != nil }
        // Let the reader thread take the last lines.
        try? await Task.sleep(for: .milliseconds(50))
        return exitStatus!
    }

    /// SIGKILL and wait: for crash tests and for cleanup.
    func kill() async {
        guard exitStatus == nil else { return }
        signal(SIGKILL)
        _ = try? await waitForExit(timeout: .seconds(30))
    }

    /// The last lines of stdout and stderr, for failure messages.
    func tail(_ count: Int = 25) -> String {
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return "--- last stdout lines of mimamorid (pid \(pid)):\n" + lines.suffix(count).joined(separator: "\n")
            + (stderr.isEmpty ? "" : "\n--- stderr:\n" + stderr.suffix(2000))
    }
}

/// `key=value` of a logfmt line, for values without spaces (ids, codes, reasons, counts).
func logField(_ key: String, of line: String) -> String? {
    guard let range = line.range(of: " \(key)=") else { return nil }
    return String(line[range.upperBound...].prefix { $0 != " " })
}

/// What the reader thread and the termination handler share with the test.
private final class State: Sendable {
    let output = Mutex<[String]>([])
    let exit = Mutex<DaemonProcess.Exit?>(nil)
}

/// A wait that ran out: the test fails with what it waited for (and the daemon's log tail).
struct WaitTimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` until it holds; throws `WaitTimedOut` naming `what` after `timeout`.
/// A guard against hangs, never a timing assertion.
func waitUntil(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(60), daemon: DaemonProcess? = nil, every: Duration = .milliseconds(25),
    _ condition: () async throws -> Bool
) async throws {
    let end = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= end {
            throw WaitTimedOut(description: "timed out after \(timeout) waiting until \(what())\n\(daemon?.tail() ?? "")")
        }
        try await Task.sleep(for: every)
    }
}

extension Duration {
    var ms: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
