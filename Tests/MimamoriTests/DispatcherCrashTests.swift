import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// An outlet whose "far side" is an append-only file: one line per accepted send, written before
/// `deliver` returns, so it survives the kill -9 of the process that sent it.
final class AppendingOutlet: Outlet {
    let channel = Channel.email
    let concurrency: Int
    let fd: Int32

    init(path: String, concurrency: Int) {
        self.concurrency = concurrency
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    }
    deinit { close(fd) }

    func deliver(_ job: DeliveryJob) async throws(DeliveryFailure) {
        try? await Task.sleep(for: .milliseconds(1))
        let line = Array("\(job.idempotencyKey)\n".utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != line.count { throw .transient(.unreachable, "append failed") }
    }
}

struct NoAlarm: OperatorAlarm {
    func raise(_ alarm: DeliveryAlarm) async -> Bool { true }
}

@Suite("Dispatcher crash")
struct DispatcherCrashTests {
    static let dbVariable = "MIMAMORI_DISPATCH_CRASH_DB"
    static let logVariable = "MIMAMORI_DISPATCH_CRASH_LOG"
    static let concurrency = 16

    /// Runs only as the child process started by `killedDuringFanOut`.
    @Test("crash child: dispatches until killed (does nothing in a normal run)")
    func crashChildDispatcher() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let db = environment[Self.dbVariable], let log = environment[Self.logVariable] else { return }
        let dispatcher = Dispatcher(
            ledger: try Ledger(path: db), outlets: [AppendingOutlet(path: log, concurrency: Self.concurrency)],
            alarm: NoAlarm())
        try await dispatcher.run()
    }

    static func sentKeys(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("kill -9 in the middle of a 2,000-recipient fan-out, restart: everyone reached, duplicates within the in-flight window")
    func killedDuringFanOut() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let log = file.directory.appendingPathComponent("sent.log").path
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 2000, at: Date()))

        let child = Process()
        child.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashChildDispatcher"]
        child.environment = ProcessInfo.processInfo.environment.merging(
            [Self.dbVariable: file.path, Self.logVariable: log]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let started = try await eventually(timeout: .seconds(60)) { Self.sentKeys(log).count >= 700 }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(started, "the child never got going")
        #expect(child.terminationReason == .uncaughtSignal)
        let sentBeforeCrash = Self.sentKeys(log).count

        // Restart: a new dispatcher on the same file, sending to the same far side.
        let restarted = try file.reopen()
        let dispatcher = Dispatcher(
            ledger: restarted, outlets: [AppendingOutlet(path: log, concurrency: Self.concurrency)], alarm: NoAlarm())
        let task = Task { try await dispatcher.run() }
        #expect(try await eventually(timeout: .seconds(60)) { try await restarted.states() == [.delivered: 2000] })
        dispatcher.stop()
        try await task.value

        let sent = Self.sentKeys(log)
        var perKey: [String: Int] = [:]
        for key in sent { perKey[key, default: 0] += 1 }
        let duplicates = sent.count - perKey.count
        #expect(perKey.count == 2000, "every recipient got the alert")
        #expect(duplicates <= Self.concurrency, "duplicates only for what was in flight")
        print(
            "figure: kill -9 after \(sentBeforeCrash) sends; after restart all 2000 reached, \(duplicates) duplicates (in-flight window \(Self.concurrency))"
        )
    }
}
