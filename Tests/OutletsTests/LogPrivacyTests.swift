import Foundation
import Logging
import TestFixtures
import Testing

@testable import Outlets

/// Collects every log line (message and metadata) an outlet writes.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    // Invariant: `storage` is only touched under `lock`.
    final class Storage: @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
    }
    let storage: Storage
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(_ storage: Storage) { self.storage = storage }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let line = "\(event.message) " + all.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
        storage.lock.withLock { storage.lines.append(line) }
    }
}

@Suite(.serialized) struct LogPrivacyTests {
    @Test func logsCarryIdsButNoPersonalData() async throws {
        let storage = RecordingLogHandler.Storage()
        let logger = Logger(label: "privacy") { _ in RecordingLogHandler(storage) }
        let server = try SMTPServer()
        defer { server.stop() }
        let receiver = try HTTPReceiver(.init(status: 500))
        defer { receiver.stop() }

        let email = try EmailOutlet(configuration: .init(url: server.url, sessions: 1), logger: logger)
        try await email.send(Samples.email(to: "hanako.yamada@example.net"))
        _ = try? await email.send(Samples.email(to: "reject550-taro.suzuki@example.net"))
        let fax = try FaxOutlet(configuration: .init(method: .httpAPI(.init(url: receiver.url(), token: "secret-token"))), logger: logger)
        _ = try? await fax.send(
            FaxDelivery(number: "+81734899960", document: try Samples.fax(), idempotencyKey: "KN-0042/1/fax/coop-014", date: Samples.date))
        let radio = try RadioOutlet(configuration: .init(capURL: receiver.url()), logger: logger)
        _ = try? await radio.send(RadioOutletTests.alert())
        await email.shutdown()
        await fax.shutdown()
        await radio.shutdown()

        let lines = storage.lock.withLock { storage.lines }
        #expect(lines.count >= 4)
        let forbidden = [
            "hanako", "taro", "example.net", "山田", "花子", "紺色", "ジャンパー", "0734899960",
            "73-489", "8173489", "secret-token", "紀美野", "行方不明", "165",
        ]
        for line in lines {
            for word in forbidden {
                #expect(!line.contains(word), "log line leaks \(word): \(line)")
            }
        }
        #expect(lines.contains { $0.contains("delivery=KN-0042/1/fax/coop-014") })
    }
}
