import Foundation
import Ledger
import MimamoriCore
import MimamoriDaemon
import MimamoriService
import Testing

@Suite("Dispatcher and closure")
struct DispatcherClosureTests {
    @Test("closure during a running fan-out: the rest is cancelled, exactly those alerted get the termination")
    func closureDuringFanOut() async throws {
        let file = try LedgerFile()
        defer { file.remove() }
        let caseID = CaseID("KN-0042")
        let now = Date()
        _ = try await file.ledger.recordIntake(alertIntake(fax: 0, email: 300, at: now))
        let email = RecordingOutlet(channel: .email, concurrency: 8, latency: .milliseconds(3))
        let dispatcher = Dispatcher(ledger: file.ledger, outlets: [email], alarm: RecordingAlarm())
        let task = Task { try await dispatcher.run() }
        #expect(try await eventually { email.accepted.count >= 60 })

        // The person is found: close while alerts are still going out.
        let closure = Intake(
            messageID: "close", caseID: caseID, municipality: "kimino", sequence: 2, eventKind: "closed",
            receivedAt: Date(), body: Data("{}".utf8),
            state: CaseSnapshot(name: "closed", data: Data("{}".utf8), closedAt: Date()), cancelKinds: [.alert, .update])
        let (outcome, _) = try await file.ledger.recordIntake(case: caseID, messageID: closure.messageID, at: closure.receivedAt) {
            reading in
            let at = Date()
            var intake = closure
            intake.notices = [Intake.Notice(revision: 2, kind: .termination, channel: .email, content: Data("終結".utf8))]
            intake.deliveries = reading.holders.recipients.map {
                Intake.Delivery(
                    PlannedDelivery(
                        caseID: caseID, revision: 2, recipient: $0.recipient, channel: $0.channel,
                        kind: .termination, notBefore: at),
                    address: $0.address, deadline: at.addingTimeInterval(3600))
            }
            return (.record(intake), ())
        }
        dispatcher.workRecorded(channels: [.email])
        #expect(try await eventually { try await file.ledger.backlog()[.email] == 0 })
        dispatcher.stop()
        try await task.value

        guard case .recorded(let terminations, let cancelled) = outcome else {
            Issue.record("closure not recorded")
            return
        }
        let alerted = Set(email.accepted.filter { $0.kind == .alert }.map(\.recipient))
        let terminated = email.accepted.filter { $0.kind == .termination }.map(\.recipient)
        #expect(Set(terminated) == alerted, "termination to every recipient alerted, never to one not alerted")
        #expect(terminated.count == Set(terminated).count)
        #expect(terminations == alerted.count)
        #expect(cancelled + alerted.count == 300)
        #expect(cancelled > 0)
        print("figure: closure after \(alerted.count) of 300 alerts: \(cancelled) cancelled, \(terminations) terminations")
    }
}
