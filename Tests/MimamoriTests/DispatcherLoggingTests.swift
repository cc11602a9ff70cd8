import Foundation
import Ledger
import Logging
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Synchronization
import Testing

/// Keeps every log line, message and metadata, as text.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let text = "\(event.message) " + all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            log.lines.withLock { $0.append(text) }
        }
    }

    var logger: Logger { Logger(label: "test") { _ in Handler(log: self) } }
}

@Suite("Dispatcher logs and deadlines")
struct DispatcherLoggingTests {
    @Test("log lines hold ids, codes and counts, never an address or the notice")
    func noPersonalDataInLogs() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let clock = ManualClock(t0)
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 6, deadline: 60))
        let email = RecordingOutlet(
            channel: .email, concurrency: 2,
            scripts: [
                RecipientID("email-1"): .permanent, RecipientID("email-2"): .transient(times: 1),
                RecipientID("email-3"): .alwaysTransient,
            ])
        let captured = CapturedLog()
        let dispatcher = Dispatcher(
            ledger: file.ledger, outlets: [email], alarm: RecordingAlarm(),
            configuration: .init(retry: RetryPolicy(deadline: .seconds(60))), clock: clock, logger: captured.logger)
        let task = Task { try await dispatcher.run() }
        #expect(
            try await eventually(advancing: clock, step: 5, idle: file.ledger) {
                try await file.ledger.states() == [.delivered: 4, .failed: 1, .expired: 1]
            })
        dispatcher.stop()
        try await task.value
        let lines = captured.lines.withLock { $0 }
        for event in ["delivery.accepted", "delivery.retry", "delivery.failed", "delivery.expired"] {
            #expect(lines.contains { $0.hasPrefix(event) }, "\(event) logged")
        }
        #expect(lines.allSatisfy { !$0.contains("@example.jp") && !$0.contains("notice") && !$0.contains("mailbox") })
        #expect(lines.contains { $0.contains("recipient=email-1") && $0.contains("code=badAddress") })
    }

    @Test("a delivery whose deadline passed while the daemon was down expires unsent, with one alarm")
    func expiresBeforeSending() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 2, deadline: 60))
        let clock = ManualClock(t0.addingTimeInterval(120))
        let email = RecordingOutlet(channel: .email, concurrency: 2)
        let alarm = RecordingAlarm()
        let dispatcher = Dispatcher(ledger: file.ledger, outlets: [email], alarm: alarm, clock: clock)
        let task = Task { try await dispatcher.run() }
        #expect(try await eventually { try await file.ledger.states() == [.expired: 2] })
        dispatcher.stop()
        try await task.value
        #expect(email.attempts.isEmpty)
        #expect(alarm.raised.map(\.reason) == [.expired, .expired])
    }
}
