import Foundation
import Ledger
import Logging
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import ServiceLifecycle
import Testing

@Suite("Dispatcher as a service")
struct DispatcherServiceTests {
    @Test("a graceful shutdown of the service group drains in-flight sends and leaves the rest planned")
    func gracefulShutdownOfTheGroup() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 30, at: Date()))
        let email = RecordingOutlet(channel: .email, concurrency: 3, latency: .milliseconds(100))
        let dispatcher = Dispatcher(ledger: file.ledger, outlets: [email], alarm: RecordingAlarm())
        let group = ServiceGroup(services: [dispatcher], logger: Logger(label: "test"))
        let task = Task { try await group.run() }
        #expect(try await eventually { email.attempts.count >= 3 })
        await group.triggerGracefulShutdown()
        try await task.value
        let states = try await file.ledger.states()
        #expect(states[.sending] == nil)
        #expect(states[.delivered] == email.attempts.count)
        #expect(states[.planned] == 30 - email.attempts.count)
    }
}
